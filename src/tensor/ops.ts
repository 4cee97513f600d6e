// Pointwise math, comparisons, reductions and matrix products: the torch.* functions. Tensor's
// methods delegate here. Binary ops accept a Tensor or a JS number as `other` (broadcasting as in
// PyTorch); an integer-valued number acts like a Python int, any other like a Python float.
import { native } from './native.js';
import { handle, optHandle, wrap, wrapList, isTensor } from './handles.js';
import { checkBool, checkDims, checkInt, checkNumber, checkScalar, type Scalar } from './args.js';
import { dtypeCode, type DType } from './dtype.js';
import type { Tensor } from './tensor.js';

export type TensorOrScalar = Tensor | Scalar;

function binary(opT: string, opS: string, a: Tensor, b: TensorOrScalar, ...extra: unknown[]): Tensor {
  const ha = handle(a, 'input');
  if (isTensor(b)) return wrap(native[opT](ha, handle(b, 'other'), ...extra));
  return wrap(native[opS](ha, checkScalar(b, 'other'), ...extra));
}
const alphaOf = (o?: { alpha?: number }): number => (o?.alpha === undefined ? 1 : checkNumber(o.alpha, 'alpha'));

export const add = (a: Tensor, b: TensorOrScalar, o?: { alpha?: number }): Tensor => binary('addT', 'addS', a, b, alphaOf(o));
export const sub = (a: Tensor, b: TensorOrScalar, o?: { alpha?: number }): Tensor => binary('subT', 'subS', a, b, alphaOf(o));
export const mul = (a: Tensor, b: TensorOrScalar): Tensor => binary('mulT', 'mulS', a, b);
export const pow = (a: Tensor, b: TensorOrScalar): Tensor => binary('powT', 'powS', a, b);
export const eq = (a: Tensor, b: TensorOrScalar): Tensor => binary('eqT', 'eqS', a, b);
export const ne = (a: Tensor, b: TensorOrScalar): Tensor => binary('neT', 'neS', a, b);
export const lt = (a: Tensor, b: TensorOrScalar): Tensor => binary('ltT', 'ltS', a, b);
export const le = (a: Tensor, b: TensorOrScalar): Tensor => binary('leT', 'leS', a, b);
export const gt = (a: Tensor, b: TensorOrScalar): Tensor => binary('gtT', 'gtS', a, b);
export const ge = (a: Tensor, b: TensorOrScalar): Tensor => binary('geT', 'geS', a, b);

/** torch.div(a, b, {roundingMode}) with roundingMode undefined (true division), 'trunc' or 'floor'. */
export function div(a: Tensor, b: TensorOrScalar, o?: { roundingMode?: 'trunc' | 'floor' }): Tensor {
  if (o?.roundingMode === undefined) return binary('divT', 'divS', a, b);
  if (o.roundingMode !== 'trunc' && o.roundingMode !== 'floor') {
    throw new TypeError(`roundingMode: expected 'trunc' or 'floor', got ${String(o.roundingMode)}`);
  }
  if (isTensor(b)) return wrap(native.divModeT(handle(a, 'input'), handle(b, 'other'), o.roundingMode));
  return wrap(native.divModeS(handle(a, 'input'), checkScalar(b, 'other'), o.roundingMode));
}

/** Reverse subtraction `other - alpha * a` (Python's `2 - t`). */
export const rsub = (a: Tensor, b: Scalar, o?: { alpha?: number }): Tensor =>
  wrap(native.rsubS(handle(a, 'input'), checkScalar(b, 'other'), alphaOf(o)));

const unary = (op: string) => (a: Tensor): Tensor => wrap(native[op](handle(a, 'input')));
export const neg = unary('neg');
export const abs = unary('abs');
export const exp = unary('exp');
export const log = unary('log');
export const sqrt = unary('sqrt');
export const rsqrt = unary('rsqrt');
export const sigmoid = unary('sigmoid');
export const tanh = unary('tanh');
export const relu = unary('relu');
export const sign = unary('sign');
export const floor = unary('floor');
export const ceil = unary('ceil');
export const round = unary('round');
export const sin = unary('sin');
export const cos = unary('cos');
export const square = unary('square');
export const reciprocal = unary('reciprocal');
export const logicalNot = unary('logicalNot');
export const isnan = unary('isnan');
export const isfinite = unary('isfinite');
export const isinf = unary('isinf');

/** input + value * t1 * t2 (torch.addcmul). */
export const addcmul = (a: Tensor, t1: Tensor, t2: Tensor, o: { value?: number } = {}): Tensor =>
  wrap(native.addcmul(handle(a, 'input'), handle(t1, 'tensor1'), handle(t2, 'tensor2'), checkNumber(o.value ?? 1, 'value')));
/** input + value * t1 / t2 (torch.addcdiv). */
export const addcdiv = (a: Tensor, t1: Tensor, t2: Tensor, o: { value?: number } = {}): Tensor =>
  wrap(native.addcdiv(handle(a, 'input'), handle(t1, 'tensor1'), handle(t2, 'tensor2'), checkNumber(o.value ?? 1, 'value')));

const binaryT = (op: string) => (a: Tensor, b: Tensor): Tensor => wrap(native[op](handle(a, 'input'), handle(b, 'other')));
export const maximum = binaryT('maximum');
export const minimum = binaryT('minimum');
export const logicalAnd = binaryT('logicalAnd');
export const logicalOr = binaryT('logicalOr');
export const matmul = binaryT('matmul');
export const mm = binaryT('mm');
export const bmm = binaryT('bmm');
export const outer = binaryT('outer');

/** True when both have the same shape and elements (torch.equal). */
export const equal = (a: Tensor, b: Tensor): boolean => native.equal(handle(a, 'input'), handle(b, 'other'));

export function allclose(a: Tensor, b: Tensor, o: { rtol?: number; atol?: number; equalNan?: boolean } = {}): boolean {
  return native.allclose(handle(a, 'input'), handle(b, 'other'), checkNumber(o.rtol ?? 1e-5, 'rtol'), checkNumber(o.atol ?? 1e-8, 'atol'), checkBool(o.equalNan, 'equalNan'));
}

/** torch.where(condition, input, other): `other` may be a number. */
export function where(cond: Tensor, a: Tensor, b: TensorOrScalar): Tensor {
  if (isTensor(b)) return wrap(native.where(handle(cond, 'condition'), handle(a, 'input'), handle(b, 'other')));
  return wrap(native.whereS(handle(cond, 'condition'), handle(a, 'input'), checkScalar(b, 'other')));
}

/** clamp(min, max): either bound may be null/undefined (not both), numbers or Tensors. */
export function clamp(a: Tensor, min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new TypeError("clamp: at least one of 'min' or 'max' must not be None");
  }
  if (isTensor(min) || isTensor(max)) {
    return wrap(native.clampT(handle(a, 'input'), optHandle(min, 'min'), optHandle(max, 'max')));
  }
  const lo = min === undefined || min === null ? null : checkScalar(min, 'min');
  const hi = max === undefined || max === null ? null : checkScalar(max, 'max');
  return wrap(native.clamp(handle(a, 'input'), lo, hi));
}

export function lerp(a: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
  if (isTensor(weight)) return wrap(native.lerpT(handle(a, 'input'), handle(end, 'end'), handle(weight, 'weight')));
  return wrap(native.lerp(handle(a, 'input'), handle(end, 'end'), checkNumber(weight, 'weight')));
}

export function addmm(input: Tensor, m1: Tensor, m2: Tensor, o: { beta?: number; alpha?: number } = {}): Tensor {
  return wrap(native.addmm(handle(input, 'input'), handle(m1, 'mat1'), handle(m2, 'mat2'), checkNumber(o.beta ?? 1, 'beta'), checkNumber(o.alpha ?? 1, 'alpha')));
}

// ---- reductions ----------------------------------------------------------------------------
export type Dim = number | number[] | null | undefined;
export interface ReduceOptions { keepdim?: boolean; dtype?: DType }
/** PyTorch's `sum(dim, keepdim)` positional form and `sum(dim, {keepdim, dtype})` both work. */
export type KeepDim = boolean | ReduceOptions | undefined;
const keepOf = (k: KeepDim): boolean => checkBool(typeof k === 'object' ? k.keepdim : k, 'keepdim');
const dtypeOf = (k: KeepDim): number => dtypeCode(typeof k === 'object' ? k.dtype : undefined);
const dimsOf = (d: Dim): number[] | null => (d === undefined || d === null ? null : checkDims(d));

export const sum = (a: Tensor, dim?: Dim, k?: KeepDim): Tensor =>
  wrap(native.sum(handle(a, 'input'), dimsOf(dim), keepOf(k), dtypeOf(k)));
export const mean = (a: Tensor, dim?: Dim, k?: KeepDim): Tensor =>
  wrap(native.mean(handle(a, 'input'), dimsOf(dim), keepOf(k), dtypeOf(k)));

export interface VarOptions { unbiased?: boolean; correction?: number; keepdim?: boolean }
function correctionOf(o: VarOptions | boolean | undefined): [number, boolean] {
  if (typeof o === 'boolean' || o === undefined) return [o === false ? 0 : 1, false];
  const c = o.correction !== undefined ? checkInt(o.correction, 'correction') : checkBool(o.unbiased, 'unbiased', true) ? 1 : 0;
  return [c, checkBool(o.keepdim, 'keepdim')];
}
/** std(dim?, {unbiased | correction, keepdim}); a boolean second argument is `unbiased`. */
export function std(a: Tensor, dim?: Dim, o?: VarOptions | boolean): Tensor {
  const [c, keep] = correctionOf(o);
  return wrap(native.std(handle(a, 'input'), dimsOf(dim), c, keep));
}
export function variance(a: Tensor, dim?: Dim, o?: VarOptions | boolean): Tensor {
  const [c, keep] = correctionOf(o);
  return wrap(native.var(handle(a, 'input'), dimsOf(dim), c, keep));
}

/** (values, indices) as PyTorch's named tuple: destructure it or read .values / .indices. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };
function valuesIndices(hs: number[]): ValuesIndices {
  const [values, indices] = wrapList(hs);
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}
function maxMin(op: 'max' | 'min', a: Tensor, dim?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices {
  if (dim === undefined) return wrap(native[op](handle(a, 'input')));
  if (isTensor(dim)) return op === 'max' ? maximum(a, dim) : minimum(a, dim);
  return valuesIndices(native[op](handle(a, 'input'), checkInt(dim, 'dim'), checkBool(keepdim, 'keepdim')));
}
export function max(a: Tensor): Tensor;
export function max(a: Tensor, other: Tensor): Tensor;
export function max(a: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(a: Tensor, dim?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices {
  return maxMin('max', a, dim, keepdim);
}
export function min(a: Tensor): Tensor;
export function min(a: Tensor, other: Tensor): Tensor;
export function min(a: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(a: Tensor, dim?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices {
  return maxMin('min', a, dim, keepdim);
}

const optDim = (d: number | null | undefined): number | null => (d === undefined || d === null ? null : checkInt(d, 'dim'));
export const argmax = (a: Tensor, dim?: number | null, keepdim?: boolean): Tensor =>
  wrap(native.argmax(handle(a, 'input'), optDim(dim), checkBool(keepdim, 'keepdim')));
export const argmin = (a: Tensor, dim?: number | null, keepdim?: boolean): Tensor =>
  wrap(native.argmin(handle(a, 'input'), optDim(dim), checkBool(keepdim, 'keepdim')));
export const prod = (a: Tensor, dim?: number | null, keepdim?: boolean): Tensor =>
  wrap(native.prod(handle(a, 'input'), optDim(dim), checkBool(keepdim, 'keepdim')));
export const all = (a: Tensor, dim?: number | null, keepdim?: boolean): Tensor =>
  wrap(native.all(handle(a, 'input'), optDim(dim), checkBool(keepdim, 'keepdim')));
export const any = (a: Tensor, dim?: number | null, keepdim?: boolean): Tensor =>
  wrap(native.any(handle(a, 'input'), optDim(dim), checkBool(keepdim, 'keepdim')));
export const norm = (a: Tensor, p = 2, dim?: Dim, keepdim?: boolean): Tensor =>
  wrap(native.norm(handle(a, 'input'), checkNumber(p, 'p'), dimsOf(dim), checkBool(keepdim, 'keepdim')));
export const cumsum = (a: Tensor, dim: number): Tensor => wrap(native.cumsum(handle(a, 'input'), checkInt(dim, 'dim')));
export const logsumexp = (a: Tensor, dim: number | number[], keepdim?: boolean): Tensor =>
  wrap(native.logsumexp(handle(a, 'input'), checkDims(dim), checkBool(keepdim, 'keepdim')));
export function topk(a: Tensor, k: number, dim = -1, o: { largest?: boolean; sorted?: boolean } = {}): ValuesIndices {
  return valuesIndices(native.topk(handle(a, 'input'), checkInt(k, 'k'), checkInt(dim, 'dim'),
    checkBool(o.largest, 'largest', true), checkBool(o.sorted, 'sorted', true)));
}
export function sort(a: Tensor, dim = -1, o: { descending?: boolean } = {}): ValuesIndices {
  return valuesIndices(native.sort(handle(a, 'input'), checkInt(dim, 'dim'), checkBool(o.descending, 'descending')));
}
