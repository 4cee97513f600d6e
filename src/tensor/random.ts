// Seeding and threads. libtorch's own generators are used, so after manualSeed(n) the CPU
// numbers of randn/rand/randperm/randint/init equal PyTorch's after torch.manual_seed(n).
import { native } from './native.js';
import { handle, wrap } from './handles.js';
import { checkInt } from './args.js';
import type { Tensor } from './tensor.js';

export function manualSeed(seed: number): void {
  checkInt(seed, 'seed');
  native.manualSeed(seed);
}
/** The CPU generator's state as a uint8 tensor (torch.get_rng_state). */
export const getRngState = (): Tensor => wrap(native.getRngState());
export const setRngState = (state: Tensor): void => native.setRngState(handle(state, 'state'));

/** Intra-op threads libtorch uses. torchlab sets it to the core count at load (libtorch says 1 here). */
export function setNumThreads(n: number): void {
  checkInt(n, 'n');
  if (n < 1) throw new RangeError(`setNumThreads: n must be >= 1, got ${n}`);
  native.setNumThreads(n);
}
export const getNumThreads = (): number => native.getNumThreads();

export const cuda = {
  /** True when the libtorch found at build time has CUDA and a GPU is visible. */
  isAvailable: (): boolean => native.cudaIsAvailable(),
  deviceCount: (): number => native.cudaDeviceCount(),
};
