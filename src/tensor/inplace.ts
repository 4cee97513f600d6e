// In-place ops (PyTorch's trailing underscore). libtorch applies PyTorch's checks: a leaf that
// requires grad cannot be modified outside noGrad(), broadcasting must fit the destination, and a
// result dtype must be castable to the destination's. Each returns its first argument.
import { native } from './native.js';
import { handle, isTensor } from './handles.js';
import { checkNumber, checkScalar, type Scalar } from './args.js';
import type { Tensor } from './tensor.js';
import { checkMask } from './shape-ops.js';
import type { TensorOrScalar } from './ops.js';

function binary_<T extends Tensor>(opT: string, opS: string, a: T, b: TensorOrScalar, ...extra: unknown[]): T {
  const ha = handle(a, 'self');
  if (isTensor(b)) native[opT](ha, handle(b, 'other'), ...extra);
  else native[opS](ha, checkScalar(b, 'other'), ...extra);
  return a;
}
const alphaOf = (o?: { alpha?: number }): number => (o?.alpha === undefined ? 1 : checkNumber(o.alpha, 'alpha'));

export const add_ = <T extends Tensor>(a: T, b: TensorOrScalar, o?: { alpha?: number }): T => binary_('addT_', 'addS_', a, b, alphaOf(o));
export const sub_ = <T extends Tensor>(a: T, b: TensorOrScalar, o?: { alpha?: number }): T => binary_('subT_', 'subS_', a, b, alphaOf(o));
export const mul_ = <T extends Tensor>(a: T, b: TensorOrScalar): T => binary_('mulT_', 'mulS_', a, b);
export const div_ = <T extends Tensor>(a: T, b: TensorOrScalar): T => binary_('divT_', 'divS_', a, b);
export const maskedFill_ = <T extends Tensor>(a: T, mask: Tensor, value: Scalar | Tensor): T => {
  checkMask(mask);
  if (isTensor(value)) native.maskedFillT_(handle(a, 'self'), handle(mask, 'mask'), handle(value, 'value'));
  else native.maskedFillS_(handle(a, 'self'), handle(mask, 'mask'), checkScalar(value, 'value'));
  return a;
};

export function pow_<T extends Tensor>(a: T, exponent: number): T {
  native.powS_(handle(a, 'self'), checkScalar(exponent, 'exponent'));
  return a;
}
/** self += value * t1 * t2 */
export function addcmul_<T extends Tensor>(a: T, t1: Tensor, t2: Tensor, o?: { value?: number }): T {
  native.addcmul_(handle(a, 'self'), handle(t1, 'tensor1'), handle(t2, 'tensor2'), o?.value === undefined ? 1 : checkNumber(o.value, 'value'));
  return a;
}
/** self += value * t1 / t2 */
export function addcdiv_<T extends Tensor>(a: T, t1: Tensor, t2: Tensor, o?: { value?: number }): T {
  native.addcdiv_(handle(a, 'self'), handle(t1, 'tensor1'), handle(t2, 'tensor2'), o?.value === undefined ? 1 : checkNumber(o.value, 'value'));
  return a;
}
/** self += weight * (end - self) */
export function lerp_<T extends Tensor>(a: T, end: Tensor, weight: TensorOrScalar): T {
  if (isTensor(weight)) native.lerpT_(handle(a, 'self'), handle(end, 'end'), handle(weight, 'weight'));
  else native.lerpS_(handle(a, 'self'), handle(end, 'end'), checkNumber(weight, 'weight'));
  return a;
}
export function fill_<T extends Tensor>(a: T, value: Scalar): T {
  native.fillS_(handle(a, 'self'), checkScalar(value, 'value'));
  return a;
}
export function copy_<T extends Tensor>(a: T, src: Tensor): T {
  native.copy_(handle(a, 'self'), handle(src, 'src'));
  return a;
}
export function clamp_<T extends Tensor>(a: T, min?: number | null, max?: number | null): T {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new TypeError("clamp_: at least one of 'min' or 'max' must not be None");
  }
  native.clamp_(handle(a, 'self'), min === undefined || min === null ? null : checkScalar(min, 'min'),
    max === undefined || max === null ? null : checkScalar(max, 'max'));
  return a;
}
const unary_ = (op: string) => <T extends Tensor>(a: T): T => {
  native[op](handle(a, 'self'));
  return a;
};
export const zero_ = unary_('zero_');
export const relu_ = unary_('relu_');
export const neg_ = unary_('neg_');
export const sqrt_ = unary_('sqrt_');
export const exp_ = unary_('exp_');

/** Fills with U(from, to) from the seeded generator (PyTorch's numbers for the same seed). */
export function uniform_<T extends Tensor>(a: T, from = 0, to = 1): T {
  native.uniform_(handle(a, 'self'), checkNumber(from, 'from'), checkNumber(to, 'to'));
  return a;
}
export function normal_<T extends Tensor>(a: T, mean = 0, std = 1): T {
  if (checkNumber(std, 'std') < 0) throw new RangeError(`normal_: std must be non-negative, got ${std}`);
  native.normal_(handle(a, 'self'), checkNumber(mean, 'mean'), std);
  return a;
}
export function bernoulli_<T extends Tensor>(a: T, p = 0.5): T {
  if (checkNumber(p, 'p') < 0 || p > 1) throw new RangeError(`bernoulli_: p must be in [0, 1], got ${p}`);
  native.bernoulli_(handle(a, 'self'), p);
  return a;
}
