// torch.autocast as a function taking a callback (JS has no `with`): ops inside run in lower
// precision where PyTorch's autocast policy says it is safe (matmul/conv in bf16/fp16, reductions
// and losses in float32).
//
// Deviations from PyTorch: `autocast(deviceType, fn, {dtype, enabled})` instead of a context
// manager; `fn` must be synchronous (an awaited region would leak the mode into other work).
// No `cache_enabled` option (the cache is on, PyTorch's default).
import { native } from './native.js';
import { assertSync } from './scope.js';
import { dtypeCode } from './dtype.js';
import { checkOptions, describe } from './args.js';

export interface AutocastOptions {
  /** 'bfloat16' (default on CPU) or 'float16' (default on CUDA). */
  dtype?: 'bfloat16' | 'float16';
  /** false runs fn with autocast off (handy for a flag). Default true. */
  enabled?: boolean;
}

/**
 * Runs fn with autocast on for `deviceType` ('cpu' or 'cuda').
 * @example
 * const loss = torch.autocast('cuda', () => F.crossEntropy(model.forward(x), y), { dtype: 'bfloat16' });
 * loss.backward(); // outside autocast, as in PyTorch
 */
export function autocast<T>(deviceType: 'cpu' | 'cuda', fn: () => T, o?: AutocastOptions): T {
  const opts = checkOptions(o, 'autocast', ['dtype', 'enabled']);
  if (deviceType !== 'cpu' && deviceType !== 'cuda') throw new TypeError(`autocast: deviceType must be 'cpu' or 'cuda', got ${describe(deviceType)}`);
  if (typeof fn !== 'function') throw new TypeError(`autocast: expected a function, got ${describe(fn)}`);
  const enabled = opts.enabled ?? true;
  if (typeof enabled !== 'boolean') throw new TypeError(`autocast: enabled must be a boolean, got ${describe(enabled)}`);
  const dtype = opts.dtype ?? (deviceType === 'cpu' ? 'bfloat16' : 'float16');
  if (dtype !== 'bfloat16' && dtype !== 'float16') throw new TypeError(`autocast: dtype must be 'bfloat16' or 'float16', got ${describe(dtype)}`);
  const [prevEnabled, prevDtype] = native.autocastEnter(deviceType, enabled, dtypeCode(dtype)) as [boolean, number];
  try {
    const r = fn();
    assertSync(r, 'autocast');
    return r;
  } finally {
    native.autocastExit(deviceType, prevEnabled, prevDtype);
  }
}
