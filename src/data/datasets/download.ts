// Downloads with global fetch, streamed to a temp file with a cli-progress bar, MD5-checked, then
// renamed into place: an interrupted or failed download never leaves a file that looks complete.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, renameSync, rmSync, mkdirSync, existsSync, writeSync } from 'node:fs';
import { dirname, basename } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import cliProgress from 'cli-progress';
import { checkOptions } from '../../tensor/args.js';

export interface DownloadOptions {
  /** The expected MD5 (hex); a different sum is an error and nothing is left at `dest`. */
  md5?: string;
  /** Where the progress bar goes (default process.stderr; null: no bar). */
  progress?: NodeJS.WritableStream | null;
}

/** The MD5 of a file, hex. */
export async function md5File(path: string): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const human = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);

/**
 * Downloads `url` to `dest` (torchvision's download_url): streams through a temp file next to
 * `dest`, shows bytes, rate and ETA (also when stderr is not a terminal, one line every 2 s, for CI
 * logs), checks the MD5 when given, then renames the temp file to `dest`.
 * @example
 * await downloadUrl('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', '/data/cifar-10-binary.tar.gz',
 *   { md5: 'c32a1d4ab5d03f1284b67883e8d87530' });
 */
export async function downloadUrl(url: string, dest: string, options?: DownloadOptions): Promise<void> {
  const o = checkOptions(options, 'downloadUrl: options', ['md5', 'progress']);
  const stream = o.progress === undefined ? process.stderr : o.progress;
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let bar: cliProgress.SingleBar | undefined;
  try {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new Error(`cannot download ${url} (${causeOf(e)})`);
    }
    if (!res.ok || !res.body) throw new Error(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`);
    const total = Number(res.headers.get('content-length') ?? 0);
    const hash = createHash('md5');
    let bytes = 0;
    const t0 = Date.now();
    if (stream) {
      bar = new cliProgress.SingleBar({
        stream, noTTYOutput: true, notTTYSchedule: 2000, etaBuffer: 100, hideCursor: false, gracefulExit: false,
        format: `${basename(dest)} [{bar}] {percentage}% | {done}/{size} | {rate} | ETA {eta_formatted}`,
      }, cliProgress.Presets.shades_classic);
      bar.start(total || 1, 0, { done: human(0), size: total ? human(total) : '?', rate: '-' });
    }
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        bytes += chunk.length;
        const s = (Date.now() - t0) / 1000;
        bar?.update(total ? bytes : 0, { done: human(bytes), rate: s > 0 ? `${human(bytes / s)}/s` : '-' });
        cb(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), meter, createWriteStream(tmp));
    } catch (e) {
      throw new Error(`download of ${url} failed after ${bytes} bytes (${causeOf(e)})`);
    }
    if (total && bytes !== total) throw new Error(`download of ${url} incomplete: ${bytes} of ${total} bytes`);
    bar?.stop();
    bar = undefined;
    const sum = hash.digest('hex');
    if (o.md5 !== undefined && sum !== o.md5.toLowerCase()) {
      throw new Error(`${dest}: MD5 mismatch: expected ${o.md5}, the download from ${url} has ${sum}`);
    }
    renameSync(tmp, dest);
  } finally {
    bar?.stop();
    rmSync(tmp, { force: true });
  }
}

function causeOf(e: unknown): string {
  const err = e as Error & { cause?: Error & { code?: string } };
  return err.cause ? `${err.message}: ${err.cause.code ?? err.cause.message}` : err.message;
}

/**
 * downloadUrl run to completion in a child process, so that synchronous constructors
 * (`new CIFAR10({download: true})`, as in PyTorch) can download; the bar goes to this stderr.
 * Deviation: blocks the event loop for the whole download (an HTTP server in the same thread
 * cannot answer meanwhile: serve from a worker thread or another process).
 */
export function downloadUrlSync(url: string, dest: string, md5?: string): void {
  const self = fileURLToPath(import.meta.url);
  const ts = self.endsWith('.ts');
  const child = self.replace(/download\.(ts|js)$/, `download-child.${ts ? 'ts' : 'js'}`);
  const loader = ts ? ['--import', import.meta.resolve('tsx')] : [];
  const r = spawnSync(process.execPath, [...loader, child], {
    input: JSON.stringify({ url, dest, md5 }),
    stdio: ['pipe', 'inherit', 'inherit', 'pipe'],
    maxBuffer: 1 << 20,
  });
  const reply = r.output?.[3]?.toString() ?? '';
  if (r.error) throw new Error(`cannot download ${url}: cannot start a download process (${r.error.message})`);
  if (r.status === 0 && existsSync(dest)) return;
  let message = `cannot download ${url}: the download process exited with ${r.status ?? r.signal}`;
  try {
    message = (JSON.parse(reply) as { error: string }).error;
  } catch { /* keep the generic message */ }
  throw new Error(message);
}

/** Used by download-child.ts: reports the outcome on file descriptor 3. */
export function reply(fd: number, error?: string): void {
  writeSync(fd, JSON.stringify(error === undefined ? { ok: true } : { error }));
}
