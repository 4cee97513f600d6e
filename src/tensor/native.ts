// The Node-API addon (native/): everything else in torchlab reaches libtorch only through this
// object; handles it deals in never leave src/tensor (they live in private fields of Tensor).
// Which addon file is loaded (built here or prebuilt in the package) is decided in addon.ts.
import { loadAddon, type AddonOrigin } from './addon.js';

// The addon's functions take and return handles (numbers), scalars, arrays and strings.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeFn = (...args: any[]) => any;

const loaded = loadAddon();
export const native = loaded.exports as Record<string, NativeFn>;
/** Where the loaded addon came from (`torchlab doctor` prints it). */
export const addonOrigin: AddonOrigin = loaded.origin;
