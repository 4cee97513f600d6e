// torch.inference_mode and the memory-format helpers the fast paths use (channels_last).
import { native } from './native.js';
import { assertSync } from './scope.js';
import { handle } from './handles.js';
import type { Tensor } from './tensor.js';
import type { MemoryFormat } from './aten-runtime.js';

/**
 * Runs fn in inference mode (torch.inference_mode()): no autograd recording and, unlike noGrad,
 * no version counters or view metadata on the tensors it creates — the cheapest way to evaluate.
 * Tensors created inside are inference tensors: they cannot take part in autograd later (libtorch
 * raises if one is saved for backward), so return plain numbers or clone() outside.
 * `{mode: false}` runs fn with inference mode off (torch.inference_mode(False)).
 * Deviation: a function taking a callback (JS has no `with`); fn must be synchronous.
 * @example const acc = torch.inferenceMode(() => model.forward(x).argmax(1).eq(y).float().mean().item());
 */
export function inferenceMode<T>(fn: () => T, o?: { mode?: boolean }): T {
  if (typeof fn !== 'function') throw new TypeError('inferenceMode: expected a function');
  const mode = o?.mode ?? true;
  if (typeof mode !== 'boolean') throw new TypeError('inferenceMode: mode must be a boolean');
  native.inferenceModeEnter(mode);
  try {
    const r = fn();
    assertSync(r, 'inferenceMode');
    return r;
  } finally {
    native.inferenceModeExit();
  }
}

/** torch.is_inference_mode_enabled(). */
export const isInferenceModeEnabled = (): boolean => native.isInferenceModeEnabled();

/** Tensor.is_inference(): whether t was created in inference mode. */
export const isInference = (t: Tensor): boolean => native.isInference(handle(t, 'tensor'));

/**
 * t laid out in `memoryFormat`: t.contiguous({ memoryFormat }) as a function (the same memory when it
 * already is, else a copy). 'channels_last' needs a 4-D tensor, as in PyTorch.
 */
export function toMemoryFormat(t: Tensor, memoryFormat: MemoryFormat): Tensor {
  return t.contiguous({ memoryFormat });
}

/**
 * Whether a 4-D tensor is laid out channels_last (t.is_contiguous(memory_format=torch.channels_last)):
 * strides in the order C, W, H, N, dimensions of size 1 ignored as libtorch does.
 */
export function isChannelsLast(t: Tensor): boolean {
  const size = t.shape;
  if (size.length !== 4) return false;
  const stride = t.stride();
  let expected = 1;
  for (const d of [1, 3, 2, 0]) {
    if (size[d] !== 1 && stride[d] !== expected) return false;
    expected *= size[d];
  }
  return true;
}
