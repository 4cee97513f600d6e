// torch.save / torch.load in the safetensors format (https://github.com/huggingface/safetensors),
// so weights move between torchlab and Python both ways. Deviation from PyTorch: torch.save
// pickles arbitrary objects; here the unit is a flat {name: Tensor} map (a state dict), plus
// optional string metadata. Writes are atomic (temp file + rename): a crash never leaves a
// half-written file under the final name.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { native } from './native.js';
import { handle, wrap } from './handles.js';
import { dtypeCode, ITEM_SIZE, type DType } from './dtype.js';
import { TorchError } from './errors.js';
import { describe } from './args.js';
import type { Tensor } from './tensor.js';

const TO_ST: Record<DType, string> = {
  float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32',
  int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
const FROM_ST: Record<string, DType> = Object.fromEntries(Object.entries(TO_ST).map(([k, v]) => [v, k as DType]));

export type NamedTensors = Record<string, Tensor> | Map<string, Tensor>;

/** Serializes named tensors (and string metadata) to safetensors bytes. */
export function serialize(tensors: NamedTensors, metadata?: Record<string, string>): Buffer {
  if (tensors === null || typeof tensors !== 'object') throw new TypeError(`tensors: expected a {name: Tensor} object or Map, got ${describe(tensors)}`);
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`metadata.${k}: safetensors metadata values must be strings`);
    }
    header.__metadata__ = metadata;
  }
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new TypeError("save: '__metadata__' is reserved and cannot name a tensor");
    handle(t, `tensors['${name}']`);
    const bytes = Buffer.from(native.toBuffer(handle(t, name)) as ArrayBuffer);
    header[name] = { dtype: TO_ST[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // align the data section to 8 bytes
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([head, Buffer.from(json), ...chunks]);
}

/** Writes named tensors to `path` atomically (torch.save's role, in safetensors format). */
function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path === '') throw new TypeError(`path: expected a file path string, got ${describe(path)}`);
  return path;
}

export function save(tensors: NamedTensors, path: string, metadata?: Record<string, string>): void {
  checkPath(path);
  const bytes = serialize(tensors, metadata);
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export interface Loaded {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** Parses safetensors bytes; every inconsistency is an error naming `source` and the problem. */
export function deserialize(buf: Uint8Array, source = '<buffer>', device?: string): Loaded {
  if (!(buf instanceof Uint8Array)) throw new TypeError(`buffer: expected a Uint8Array or Buffer, got ${describe(buf)}`);
  const fail = (msg: string): never => {
    throw new TorchError(`${source}: not a valid safetensors file: ${msg}`);
  };
  if (buf.length < 8) fail(`file is ${buf.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > buf.length - 8) fail(`header length ${n} exceeds the file size ${buf.length}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString('utf8'));
  } catch (e) {
    return fail(`header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) ||
      !Object.values(metadata).every((v) => typeof v === 'string')) {
    fail('__metadata__ must map strings to strings');
  }
  const tensors: Record<string, Tensor> = {};
  try {
    for (const [name, info] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const { dtype, shape, data_offsets: off } = (info ?? {}) as { dtype?: string; shape?: number[]; data_offsets?: number[] };
      const dt = FROM_ST[dtype ?? ''];
      if (!dt) fail(`tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)}`);
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor '${name}' has a bad shape`);
      if (!Array.isArray(off) || off.length !== 2 || !off.every(Number.isInteger) || off[0] > off[1] || off[1] > dataLen) {
        fail(`tensor '${name}' has data_offsets ${JSON.stringify(off)} outside the ${dataLen}-byte data section`);
      }
      const numel = (shape as number[]).reduce((a, b) => a * b, 1);
      const want = numel * ITEM_SIZE[dt];
      if ((off as number[])[1] - (off as number[])[0] !== want) {
        fail(`tensor '${name}' of shape [${shape}] (${dt}) needs ${want} bytes, the file gives ${(off as number[])[1] - (off as number[])[0]}`);
      }
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset + dataStart + (off as number[])[0], want);
      const code = dtypeCode(dt);
      // defineProperty: a tensor named '__proto__' must become a key, not the object's prototype
      Object.defineProperty(tensors, name, {
        value: wrap(native.fromData(bytes, shape, code, code, device ?? null, false)),
        enumerable: true, writable: true, configurable: true,
      });
    }
  } catch (e) {
    for (const t of Object.values(tensors)) t.dispose();
    throw e;
  }
  return { tensors, metadata };
}

/** Reads a safetensors file (torch.load's role) into {name: Tensor}; `device` moves them there. */
export function load(path: string, o: { device?: string } = {}): Record<string, Tensor> {
  return deserialize(readFileSync(checkPath(path)), path, o.device).tensors;
}

/** load() plus the file's string metadata. */
export function loadWithMetadata(path: string, o: { device?: string } = {}): Loaded {
  return deserialize(readFileSync(checkPath(path)), path, o.device);
}
