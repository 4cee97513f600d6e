// A minimal reader of tar archives (POSIX ustar and GNU tar, optionally gzipped), enough for the
// official dataset archives: regular files and directories, GNU long names, pax path records.
// Every header's checksum is verified; truncation, unsafe paths and links are errors naming the file.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, normalize, isAbsolute, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

function str(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const end = s.indexOf(0);
  return s.subarray(0, end < 0 ? s.length : end).toString('utf8');
}

/** An octal field (or GNU's base-256 form for big numbers); -1 when malformed. */
function num(b: Buffer, start: number, len: number): number {
  if (b[start] & 0x80) {
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + b[i];
    return v;
  }
  const s = str(b, start, len).trim();
  return /^[0-7]*$/.test(s) ? parseInt(s || '0', 8) : -1;
}

/** The regular files of a tar archive, name → content (views into the decompressed archive). */
export function readTar(buf: Buffer, file: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  let longName: string | undefined;
  for (;;) {
    if (off + BLOCK > buf.length) throw new Error(`${file}: truncated tar archive (no end-of-archive block after ${off} bytes)`);
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((x) => x === 0)) return out;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    const stored = num(h, 148, 8);
    if (stored !== sum) throw new Error(`${file}: corrupt tar header at byte ${off} (checksum ${stored}, computed ${sum})`);
    const magic = h.subarray(257, 263).toString('latin1');
    const size = num(h, 124, 12);
    if (size < 0) throw new Error(`${file}: corrupt tar header at byte ${off} (bad size field)`);
    const type = String.fromCharCode(h[156] || 0x30);
    let name = str(h, 0, 100);
    if (magic === 'ustar\0' && h[345]) name = `${str(h, 345, 155)}/${name}`; // POSIX prefix field
    const start = off + BLOCK;
    if (start + size > buf.length) throw new Error(`${file}: truncated tar archive (entry '${name}' needs ${size} bytes, ${buf.length - start} left)`);
    const data = buf.subarray(start, start + size);
    off = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') { longName = str(data, 0, data.length); continue; } // GNU long name of the next entry
    if (type === 'x') { // pax extended header: only its path record matters here
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      if (m) longName = m[1];
      continue;
    }
    if (type === 'g') continue; // pax global header
    if (longName !== undefined) { name = longName; longName = undefined; }
    if (type === '5') continue; // directories are created for the files inside them
    if (type !== '0' && type !== '7') throw new Error(`${file}: unsupported tar entry '${name}' of type '${type}' (only files and directories)`);
    const norm = normalize(name);
    if (isAbsolute(norm) || norm === '..' || norm.startsWith(`..${sep}`)) throw new Error(`${file}: unsafe path '${name}' in tar archive`);
    out.set(norm.split(sep).join('/'), data);
  }
}

/**
 * Extracts a tar or .tar.gz archive into `dest` (created if needed); returns the file names.
 * @example
 * extractTar('/data/cifar-10-binary.tar.gz', '/data');  // ['cifar-10-batches-bin/data_batch_1.bin', ...]
 */
export function extractTar(archive: string, dest: string): string[] {
  let buf = readFileSync(archive);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new Error(`${archive}: corrupt or truncated gzip data (${(e as Error).message})`);
    }
  }
  const files = readTar(buf, archive);
  for (const [name, data] of files) {
    const path = join(dest, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, data);
  }
  return [...files.keys()];
}
