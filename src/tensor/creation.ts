// Creation functions: torch.tensor, zeros, ones, full, arange, rand, randn, ... with PyTorch's
// positional arguments and {dtype, device, requiresGrad} as the options object.
//
// Deviation from PyTorch: JS has one number type, so `tensor([1, 2])` and `full(shape, 1)` are
// float32 (the default dtype) rather than int64; pass {dtype: 'int64'} or BigInts / a BigInt64Array
// for integers. `arange` keeps PyTorch's rule (all-integer arguments give int64) since it is
// mostly used for indices.
import { native } from './native.js';
import { handle, wrap } from './handles.js';
import { checkBool, checkInt, checkNumber, checkOptions, checkScalar, checkShape, describe, shapeFromArgs, type Scalar } from './args.js';
import { dtypeCode, dtypeOfTypedArray, ITEM_SIZE, toDType, type DType, type TypedArray } from './dtype.js';
import type { Tensor } from './tensor.js';

export type Device = string;
export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

export function checkDevice(d: unknown): string | null {
  if (d === undefined || d === null) return null;
  if (typeof d !== 'string') throw new TypeError(`device: expected a string such as 'cpu' or 'cuda:0', got ${describe(d)}`);
  if (!/^(cpu|cuda|mps|meta)(:\d+)?$/.test(d)) {
    throw new TypeError(`device: unknown device '${d}'; expected 'cpu', 'cuda' or 'cuda:N'`);
  }
  return d;
}

/** The (dtype, device, requiresGrad) triple every native creation call ends with. */
const TENSOR_OPTIONS = ['dtype', 'device', 'requiresGrad'] as const;
export function optArgs(options: TensorOptions | undefined): [number, string | null, boolean] {
  const o = checkOptions(options, 'options', TENSOR_OPTIONS);
  return [dtypeCode(o.dtype), checkDevice(o.device), checkBool(o.requiresGrad, 'requiresGrad')];
}

/** f(shape, opts), f(...sizes) and f(...sizes, opts) all work, as in PyTorch. */
function sizeAndOptions(args: unknown[]): [number[], TensorOptions | undefined] {
  const last = args[args.length - 1];
  const hasOpts = args.length > 1 && typeof last === 'object' && last !== null && !Array.isArray(last);
  const sizes = hasOpts ? args.slice(0, -1) : args;
  return [shapeFromArgs(sizes), hasOpts ? (last as TensorOptions) : undefined];
}

type SizeAndOptions = [readonly number[], TensorOptions?] | number[] | [...number[], TensorOptions];
const sized = (op: string) => (...args: SizeAndOptions): Tensor => {
  const [shape, o] = sizeAndOptions(args);
  return wrap(native[op](shape, ...optArgs(o)));
};
export const zeros = sized('zeros');
export const ones = sized('ones');
export const empty = sized('empty');
/** Uniform on [0, 1): the same numbers as PyTorch's after the same manualSeed (CPU). */
export const rand = sized('rand');
/** Standard normal: the same numbers as PyTorch's after the same manualSeed (CPU). */
export const randn = sized('randn');

export function full(size: readonly number[], fillValue: Scalar, o?: TensorOptions): Tensor {
  const v = checkScalar(fillValue, 'fillValue');
  const dt = o?.dtype ?? (typeof v === 'boolean' ? 'bool' : 'float32');
  return wrap(native.full(checkShape(size), v, ...optArgs({ ...o, dtype: dt })));
}

/** arange(end), arange(start, end), arange(start, end, step), each optionally followed by options. */
export function arange(...args: [number, TensorOptions?] | [number, number, TensorOptions?] | [number, number, number, TensorOptions?]): Tensor {
  const last = args[args.length - 1];
  const hasOpts = typeof last === 'object' || (last === undefined && args.length > 1);
  const o = hasOpts ? (last as TensorOptions | undefined) : undefined;
  const nums = (hasOpts ? args.slice(0, -1) : args) as number[];
  if (nums.length < 1 || nums.length > 3) throw new TypeError(`arange: expected (end), (start, end) or (start, end, step), got ${nums.length} numbers`);
  const names = nums.length === 1 ? ['end'] : ['start', 'end', 'step'];
  nums.forEach((n, i) => checkNumber(n, names[i]));
  const [start, end, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError('arange: start and end must be finite');
  return wrap(native.arange(start, end, step, ...optArgs(o)));
}

export function linspace(start: number, end: number, steps: number, o?: TensorOptions): Tensor {
  return wrap(native.linspace(checkNumber(start, 'start'), checkNumber(end, 'end'), checkInt(steps, 'steps'), ...optArgs(o)));
}

/** randint(high, size) or randint(low, high, size): integers in [low, high), int64 by default. */
export function randint(...args: [number, readonly number[], TensorOptions?] | [number, number, readonly number[], TensorOptions?]): Tensor {
  const [low, high, size, o] = typeof args[1] === 'number'
    ? [args[0], args[1], args[2] as number[], args[3] as TensorOptions | undefined]
    : [0, args[0], args[1] as number[], args[2] as TensorOptions | undefined];
  checkInt(low, 'low');
  checkInt(high, 'high');
  if (high <= low) throw new RangeError(`randint: expected low < high, got low=${low}, high=${high}`);
  return wrap(native.randint(low, high, checkShape(size), ...optArgs(o)));
}

/** A random permutation of 0..n-1 (int64), PyTorch's numbers for the same seed. */
export const randperm = (n: number, o?: TensorOptions): Tensor => wrap(native.randperm(checkInt(n, 'n'), ...optArgs(o)));
export const eye = (n: number, m?: number, o?: TensorOptions): Tensor =>
  wrap(native.eye(checkInt(n, 'n'), m === undefined ? null : checkInt(m, 'm'), ...optArgs(o)));

const like = (op: string) => (t: Tensor, o?: TensorOptions): Tensor => wrap(native[op](handle(t, 'input'), ...optArgs(o)));
export const zerosLike = like('zerosLike');
export const onesLike = like('onesLike');
export const emptyLike = like('emptyLike');
export const randLike = like('randLike');
export const randnLike = like('randnLike');
export const fullLike = (t: Tensor, fillValue: Scalar, o?: TensorOptions): Tensor =>
  wrap(native.fullLike(handle(t, 'input'), checkScalar(fillValue, 'fillValue'), ...optArgs(o)));

// ---- from JS data --------------------------------------------------------------------------------
export type NestedArray<T> = T | readonly NestedArray<T>[];
export type TensorData = NestedArray<number> | NestedArray<boolean> | NestedArray<bigint> | TypedArray;

function inferShape(data: unknown): number[] {
  const shape: number[] = [];
  let x = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0];
  }
  return shape;
}

/** Flattens nested arrays, checking they are rectangular (PyTorch's "expected sequence of length"). */
function flatten(data: unknown, shape: number[], depth: number, out: unknown[]): void {
  if (depth === shape.length) {
    if (Array.isArray(data)) throw new TypeError(`data: ragged nested array (too deep at dim ${depth})`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    const got = Array.isArray(data) ? data.length : describe(data);
    throw new RangeError(`data: expected sequence of length ${shape[depth]} at dim ${depth} (got ${got})`);
  }
  for (const v of data) flatten(v, shape, depth + 1, out);
}

/** A view over memory torchlab cannot pin (a SharedArrayBuffer, a resizable ArrayBuffer), copied. */
function pinnable(a: ArrayBufferView): boolean {
  const buf = a.buffer as ArrayBuffer & { resizable?: boolean };
  return !(typeof SharedArrayBuffer !== 'undefined' && buf instanceof SharedArrayBuffer) && !buf.resizable;
}
function ownCopy<T extends ArrayBufferView>(a: T): T {
  if (pinnable(a)) return a;
  const Ctor = a.constructor as new (x: ArrayLike<number | bigint>) => T;
  return new Ctor(a as unknown as ArrayLike<number | bigint>);
}

/**
 * torch.tensor(data, {dtype, device, requiresGrad}): copies nested arrays, numbers, booleans,
 * BigInts or a typed array (1-D). Numbers default to float32 (see the note at the top).
 */
export function tensor(data: TensorData, o?: TensorOptions): Tensor {
  const [dt, dev, rg] = optArgs(o);
  if (ArrayBuffer.isView(data)) {
    const src = dtypeOfTypedArray(data);
    if (!src) throw new TypeError('data: this typed array type is not supported; use fromBuffer with a dtype');
    return wrap(native.fromData(ownCopy(data), [data.length], dtypeCode(src), dt, dev, rg));
  }
  const shape = inferShape(data);
  const flat: unknown[] = [];
  flatten(data, shape, 0, flat);
  const kind = flat.length ? typeof flat[0] : 'number';
  let arr: TypedArray;
  let src: DType;
  if (kind === 'number') {
    arr = new Float64Array(flat.length);
    flat.forEach((v, i) => {
      if (typeof v !== 'number') throw new TypeError(`data: mixed element types (${describe(v)} among numbers)`);
      arr[i] = v;
    });
    src = 'float64';
  } else if (kind === 'boolean') {
    arr = new Uint8Array(flat.length);
    flat.forEach((v, i) => {
      if (typeof v !== 'boolean') throw new TypeError(`data: mixed element types (${describe(v)} among booleans)`);
      arr[i] = v ? 1 : 0;
    });
    src = 'bool';
  } else if (kind === 'bigint') {
    arr = new BigInt64Array(flat.length);
    flat.forEach((v, i) => {
      if (typeof v !== 'bigint') throw new TypeError(`data: mixed element types (${describe(v)} among bigints)`);
      arr[i] = v;
    });
    src = 'int64';
  } else {
    throw new TypeError(`data: expected numbers, booleans or bigints, got ${describe(flat[0])}`);
  }
  const target = dt >= 0 ? dt : dtypeCode(kind === 'number' ? 'float32' : src);
  return wrap(native.fromData(arr, shape, dtypeCode(src), target, dev, rg));
}

/**
 * A CPU tensor over a typed array's memory, without copying (torch.from_numpy / frombuffer):
 * writes through either are seen by both. Uint16Array needs dtype 'float16' or 'bfloat16'. When
 * the dtype differs from the array's, the data is converted (a copy). Do not transfer or detach
 * the array's buffer while the tensor is alive. A SharedArrayBuffer or resizable ArrayBuffer is
 * copied instead (its memory could move or shrink under the tensor).
 */
export function fromBuffer(data: ArrayBufferView, shape: readonly number[], options?: { dtype?: DType; requiresGrad?: boolean }): Tensor {
  if (!ArrayBuffer.isView(data) || data instanceof DataView) throw new TypeError(`data: expected a typed array, got ${describe(data)}`);
  const o = checkOptions(options, 'options', ['dtype', 'requiresGrad']);
  const src = data instanceof Uint16Array ? (o.dtype === 'bfloat16' ? 'bfloat16' : o.dtype === 'float16' ? 'float16' : undefined) : dtypeOfTypedArray(data);
  if (!src) throw new TypeError('data: Uint16Array holds raw float16/bfloat16 bits: pass {dtype: "float16"} or {dtype: "bfloat16"}');
  const dtype = o.dtype === undefined ? src : toDType(o.dtype);
  const s = checkShape(shape, 'shape');
  const rg = checkBool(o.requiresGrad, 'requiresGrad');
  // Zero-copy only over memory that cannot move or shrink under the tensor.
  if (dtype === src && data.byteOffset % ITEM_SIZE[src] === 0 && pinnable(data)) {
    return wrap(native.fromBlob(data, s, dtypeCode(src), rg));
  }
  return wrap(native.fromData(ownCopy(data), s, dtypeCode(src), dtypeCode(dtype), null, rg));
}

/** A 0-dim tensor holding one number (torch.scalar_tensor). */
export const scalarTensor = (value: Scalar, o?: TensorOptions): Tensor =>
  wrap(native.scalarTensor(checkScalar(value, 'value'), ...optArgs(o)));
