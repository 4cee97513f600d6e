// The IDX format of MNIST / Fashion-MNIST (http://yann.lecun.com/exdb/mnist/), gzipped or not.
// Every inconsistency is an error naming the file and the problem: never a silent partial dataset.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface IdxArray {
  /** Dimensions from the header, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The elements (unsigned bytes; the only element type MNIST-style files use). */
  data: Uint8Array;
}

/**
 * Reads an IDX file of unsigned bytes (magic 0x00000801 for labels, 0x00000803 for images).
 * `expectedRank` (the magic's last byte) is checked when given.
 * @example
 * const { dims, data } = readIdx('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz', 1);
 * // dims [10000], data[0] === 9
 */
export function readIdx(path: string, expectedRank?: number): IdxArray {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new Error(`${path}: cannot read IDX file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new Error(`${path}: corrupt or truncated gzip data (${(e as Error).message})`);
    }
  }
  if (buf.length < 4) throw new Error(`${path}: truncated IDX file (${buf.length} bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0) throw new Error(`${path}: wrong magic number 0x${buf.readUInt32BE(0).toString(16).padStart(8, '0')} (not an IDX file)`);
  if (buf[2] !== 0x08) throw new Error(`${path}: unsupported IDX element type 0x${buf[2].toString(16)} (expected 0x08, unsigned byte)`);
  const rank = buf[3];
  if (expectedRank !== undefined && rank !== expectedRank) {
    const magic = (n: number) => `0x${(0x800 + n).toString(16).padStart(8, '0')}`;
    throw new Error(`${path}: wrong magic number ${magic(rank)} (expected ${magic(expectedRank)}: ${expectedRank} dimensions, the header says ${rank})`);
  }
  const headerLen = 4 + 4 * rank;
  if (buf.length < headerLen) throw new Error(`${path}: truncated IDX header`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const n = dims.reduce((a, b) => a * b, 1);
  const have = buf.length - headerLen;
  if (have < n) throw new Error(`${path}: truncated: the header promises ${n} bytes of data for [${dims.join(', ')}], the file has ${have}`);
  if (have > n) throw new Error(`${path}: ${have - n} bytes of trailing data after [${dims.join(', ')}]`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + headerLen, n) };
}
