// The child process of downloadUrlSync: reads {url, dest, md5} on stdin, replies on fd 3.
import { readFileSync } from 'node:fs';
import { downloadUrl, reply } from './download.js';

const { url, dest, md5 } = JSON.parse(readFileSync(0, 'utf8')) as { url: string; dest: string; md5?: string };
try {
  await downloadUrl(url, dest, { md5 });
  reply(3);
} catch (e) {
  reply(3, (e as Error).message);
  process.exitCode = 1;
}
