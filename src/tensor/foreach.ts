// Multi-tensor ops (PyTorch's torch._foreach_*), bound by hand in native/fastpath.cc: one call runs
// an op over a whole list of tensors. The optimizers' foreach path uses them. In-place ops end in
// an underscore, as in PyTorch; every list must have the same length.
import { native } from './native.js';
import { handles, wrapList } from './handles.js';
import type { Tensor } from './tensor.js';

const nums = (xs: readonly number[], name: string): number[] => {
  if (!Array.isArray(xs) || xs.some((x) => typeof x !== 'number')) throw new TypeError(`${name}: expected an array of numbers`);
  return xs as number[];
};

/** torch._foreach_mul_(self, scalar): self[i] *= scalar. */
export const foreachMul_ = (self: Tensor[], scalar: number): void => native.foreachMul_(handles(self, 'self'), scalar);
/** torch._foreach_add_(self, other, alpha=alpha): self[i] += alpha·other[i]. */
export const foreachAdd_ = (self: Tensor[], other: Tensor[], alpha = 1): void =>
  native.foreachAdd_(handles(self, 'self'), handles(other, 'other'), alpha);
/** torch._foreach_add(self, scalar): new tensors self[i] + scalar. */
export const foreachAddScalar = (self: Tensor[], scalar: number): Tensor[] => wrapList(native.foreachAddScalar(handles(self, 'self'), scalar));
/** torch._foreach_addcmul_(self, t1, t2, value): self[i] += value·t1[i]·t2[i]. */
export const foreachAddcmul_ = (self: Tensor[], t1: Tensor[], t2: Tensor[], value = 1): void =>
  native.foreachAddcmul_(handles(self, 'self'), handles(t1, 'tensor1'), handles(t2, 'tensor2'), value);
/** torch._foreach_addcdiv_(self, t1, t2, scalars): self[i] += scalars[i]·t1[i]/t2[i]. */
export const foreachAddcdiv_ = (self: Tensor[], t1: Tensor[], t2: Tensor[], scalars: readonly number[]): void =>
  native.foreachAddcdiv_(handles(self, 'self'), handles(t1, 'tensor1'), handles(t2, 'tensor2'), nums(scalars, 'scalars'));
/** torch._foreach_sqrt(self): new tensors √self[i]. */
export const foreachSqrt = (self: Tensor[]): Tensor[] => wrapList(native.foreachSqrt(handles(self, 'self')));
/** torch._foreach_div_(self, scalars): self[i] /= scalars[i]. */
export const foreachDiv_ = (self: Tensor[], scalars: readonly number[]): void => native.foreachDiv_(handles(self, 'self'), nums(scalars, 'scalars'));
