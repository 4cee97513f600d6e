// Downloads (issue 4): the tar reader, downloadUrl and CIFAR10's download end to end against local
// HTTP servers on 127.0.0.1 (in a worker thread, since the synchronous constructor blocks this one):
// a good server, one that drops the connection half-way, one serving a corrupt archive, and a 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { CIFAR10, downloadUrl, readTar, extractTar } from '../src/data/datasets/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'torchlab-download-'));

/** A minimal ustar writer: regular files and directories (names < 100 bytes). */
function tar(entries: { name: string; data?: Buffer; type?: string }[]): Buffer {
  const parts: Buffer[] = [];
  for (const { name, data = Buffer.alloc(0), type = '0' } of entries) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('14712345670\0', 136);
    h.write('        ', 148);
    h.write(type, 156);
    h.write('ustar\x0000', 257, 'latin1');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

function cifarRecords(n: number, label: (i: number) => number): Buffer {
  const b = Buffer.alloc(n * 3073);
  for (let i = 0; i < n; i++) {
    b[i * 3073] = label(i);
    for (let j = 0; j < 3072; j++) b[i * 3073 + 1 + j] = (i + j) % 256;
  }
  return b;
}

const NAMES = 'airplane automobile bird cat deer dog frog horse ship truck'.split(' ');
const ARCHIVE = gzipSync(tar([
  { name: 'cifar-10-batches-bin/', type: '5' },
  { name: 'cifar-10-batches-bin/batches.meta.txt', data: Buffer.from(`${NAMES.join('\n')}\n\n`) },
  ...[1, 2, 3, 4, 5].map((k) => ({ name: `cifar-10-batches-bin/data_batch_${k}.bin`, data: cifarRecords(2, (i) => (k + i) % 10) })),
  { name: 'cifar-10-batches-bin/test_batch.bin', data: cifarRecords(3, (i) => i) },
  { name: 'cifar-10-batches-bin/readme.html', data: Buffer.from('<p>generated</p>') },
]));
const MD5 = createHash('md5').update(ARCHIVE).digest('hex');

// The server: /good/* serves the archive, /drop/* half of it then drops the connection, /bad/* a
// corrupted copy, anything else 404. requests[0] counts requests (shared memory: readable while
// this thread is blocked). It stops with the worker; the worker is unref'd and terminated.
const SERVER = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const { archive, requests } = workerData;
const bad = Buffer.from(archive); bad[bad.length >> 1] ^= 0xff;
const server = http.createServer((req, res) => {
  Atomics.add(requests, 0, 1);
  const [, kind] = req.url.split('/');
  if (kind === 'good' || kind === 'bad') {
    res.writeHead(200, { 'content-length': archive.length });
    res.end(kind === 'good' ? Buffer.from(archive) : bad);
  } else if (kind === 'drop') {
    res.writeHead(200, { 'content-length': archive.length });
    res.write(Buffer.from(archive).subarray(0, archive.length >> 1), () => setTimeout(() => res.socket.destroy(), 20));
  } else {
    res.writeHead(404, 'Not Found'); res.end('no such file');
  }
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;
const requests = new Int32Array(new SharedArrayBuffer(4));
let worker: Worker;
let base = '';
before(async () => {
  worker = new Worker(SERVER, { eval: true, workerData: { archive: new Uint8Array(ARCHIVE), requests } });
  worker.unref();
  base = `http://127.0.0.1:${await new Promise<number>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); })}`;
});
after(async () => {
  await worker.terminate();
  rmSync(tmp, { recursive: true, force: true });
});

/** Files in a folder, temp files included. */
const ls = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

test('tar reader: files, directories, checksums, truncation, unsafe paths, links', () => {
  const t = tar([{ name: 'a/', type: '5' }, { name: 'a/x.txt', data: Buffer.from('hello') }, { name: 'b', data: Buffer.alloc(1000, 7) }]);
  const files = readTar(t, 'test.tar');
  assert.deepEqual([...files.keys()], ['a/x.txt', 'b']);
  assert.equal(files.get('a/x.txt')!.toString(), 'hello');
  assert.equal(files.get('b')!.length, 1000);
  const gz = join(tmp, 't.tar.gz');
  writeFileSync(gz, gzipSync(t));
  assert.deepEqual(extractTar(gz, join(tmp, 'extract')), ['a/x.txt', 'b']);
  assert.deepEqual(ls(join(tmp, 'extract', 'a')), ['x.txt']);
  const bad = Buffer.from(t);
  bad[512 + 3] ^= 1; // a byte of the second header's name
  assert.throws(() => readTar(bad, 'bad.tar'), /bad.tar: corrupt tar header at byte 512 \(checksum \d+, computed \d+\)/);
  assert.throws(() => readTar(t.subarray(0, 2048 + 300), 'short.tar'), /short.tar: truncated tar archive \(entry 'b' needs 1000 bytes, 300 left\)/);
  assert.throws(() => readTar(t.subarray(0, 3072), 'noend.tar'), /noend.tar: truncated tar archive \(no end-of-archive block/);
  assert.throws(() => readTar(tar([{ name: '../evil', data: Buffer.from('x') }]), 'evil.tar'), /evil.tar: unsafe path '..\/evil'/);
  assert.throws(() => readTar(tar([{ name: 'link', type: '2' }]), 'link.tar'), /link.tar: unsupported tar entry 'link' of type '2'/);
  writeFileSync(gz, gzipSync(t).subarray(0, 50));
  assert.throws(() => extractTar(gz, join(tmp, 'extract2')), /t.tar.gz: corrupt or truncated gzip data/);
});

/** A stream collecting what the progress bar prints. */
function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
  return { stream, text: () => text };
}

test('downloadUrl: progress, MD5, and no file left by failures', async () => {
  const dir = join(tmp, 'dl');
  const dest = join(dir, 'cifar-10-binary.tar.gz');
  const failures: [string, RegExp][] = [
    ['drop', /download of http:\/\/127.0.0.1:\d+\/drop\/x failed after \d+ bytes|incomplete/],
    ['bad', new RegExp(`cifar-10-binary.tar.gz: MD5 mismatch: expected ${MD5}, the download from http://127.0.0.1:\\d+/bad/x has [0-9a-f]{32}`)],
    ['404', /cannot download http:\/\/127.0.0.1:\d+\/404\/x: HTTP 404 Not Found/],
  ];
  for (const [kind, re] of failures) {
    await assert.rejects(downloadUrl(`${base}/${kind}/x`, dest, { md5: MD5, progress: null }), re, kind);
    assert.deepEqual(ls(dir), [], `${kind}: nothing left behind`);
  }
  const bar = capture();
  await downloadUrl(`${base}/good/x`, dest, { md5: MD5, progress: bar.stream });
  assert.deepEqual(ls(dir), ['cifar-10-binary.tar.gz']);
  assert.match(bar.text(), /cifar-10-binary.tar.gz \[.*\] 100% \| 957 B\/957 B \| [\d.]+ [kM]?B\/s \| ETA/);
  await assert.rejects(downloadUrl(`${base}/good/x`, dest, { md5: 'nope' } as never), /MD5 mismatch: expected nope/);
  await assert.rejects(downloadUrl(`${base}/good/x`, dest, { sum: 'x' } as never), /downloadUrl: options: unknown option 'sum'/);
});

test('CIFAR10 download: failures leave nothing, then download, extract, cache; mirror from the environment', () => {
  const root = join(tmp, 'cifar');
  const failures: [string, RegExp][] = [
    ['drop', /failed after \d+ bytes|incomplete/],
    ['bad', /cifar-10-binary.tar.gz: MD5 mismatch: expected [0-9a-f]{32}, the download from .*\/bad\/cifar-10-binary.tar.gz has [0-9a-f]{32}/],
    ['404', /cannot download http:\/\/127.0.0.1:\d+\/404\/cifar-10-binary.tar.gz: HTTP 404 Not Found/],
  ];
  for (const [kind, re] of failures) {
    assert.throws(() => new CIFAR10({ root, download: true, mirror: `${base}/${kind}`, md5: MD5 }), re, kind);
    assert.deepEqual(ls(root), [], `${kind}: nothing left behind`);
  }
  const n = Atomics.load(requests, 0);
  const train = new CIFAR10({ root, download: true, mirror: `${base}/good/`, md5: MD5 });
  assert.equal(Atomics.load(requests, 0), n + 1);
  assert.equal(train.length, 10);
  assert.deepEqual(train.targets.tolist(), [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
  assert.deepEqual(train.classes, NAMES);
  assert.deepEqual(ls(root), ['cifar-10-batches-bin', 'cifar-10-binary.tar.gz']);
  // cached: no request, with or without download
  const testSet = new CIFAR10({ root, train: false, download: true, mirror: `${base}/404`, md5: MD5 });
  assert.deepEqual(testSet.targets.tolist(), [0, 1, 2]);
  assert.equal(new CIFAR10({ root }).length, 10);
  // the extracted folder lost, the verified archive is extracted again without a request
  rmSync(join(root, 'cifar-10-batches-bin', 'data_batch_2.bin'));
  assert.throws(() => new CIFAR10({ root }), /data_batch_2.bin not found \(pass download: true/);
  assert.equal(new CIFAR10({ root, download: true, mirror: `${base}/404`, md5: MD5 }).length, 10);
  assert.equal(Atomics.load(requests, 0), n + 1);
  train.dispose();
  testSet.dispose();
  // the mirror from TORCHLAB_CIFAR_MIRROR
  const root2 = join(tmp, 'cifar-env');
  mkdirSync(root2);
  process.env.TORCHLAB_CIFAR_MIRROR = `${base}/good`;
  try {
    assert.equal(new CIFAR10({ root: root2, train: false, download: true, md5: MD5 }).length, 3);
  } finally {
    delete process.env.TORCHLAB_CIFAR_MIRROR;
  }
  assert.equal(Atomics.load(requests, 0), n + 2);
});
