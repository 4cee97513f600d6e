// The tensor API: everything `import * as torch from 'torchlab'` exposes at the top level.
import './errors.js';
export { Tensor, type NestedNumbers } from './tensor.js';
export { TorchError } from './errors.js';
export * from './creation.js';
export {
  add, sub, mul, div, pow, rsub, neg, abs, exp, log, sqrt, rsqrt, sigmoid, tanh, relu, sign, floor, ceil, round,
  sin, cos, square, reciprocal, logicalNot, logicalAnd, logicalOr, isnan, isfinite, isinf, addcmul, addcdiv, maximum, minimum, clamp,
  lerp, where, eq, ne, lt, le, gt, ge, equal, allclose, matmul, mm, bmm, addmm, outer,
  sum, mean, std, variance as var, max, min, argmax, argmin, prod, all, any, norm, cumsum, logsumexp, topk, sort,
  type TensorOrScalar, type ValuesIndices, type Dim, type KeepDim, type VarOptions, type ReduceOptions,
} from './ops.js';
export {
  view, reshape, expand, repeat, permute, flatten, unflatten, transpose, t, squeeze, unsqueeze, flip, roll,
  cat, stack, split, chunk, unbind, narrow, select, slice, index, indexPut_, indexSelect, gather, scatter,
  scatterAdd, maskedFill, maskedSelect, nonzero, tril, triu, type IndexSpec,
} from './shape-ops.js';
export { tidy, keep, dispose, memory, type MemoryInfo } from './scope.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd.js';
export * as foreach from './foreach.js';
export { inferenceMode, isInferenceModeEnabled, isInference, toMemoryFormat, isChannelsLast } from './inference.js';
export { autocast, type AutocastOptions } from './autocast.js';
export { manualSeed, getRngState, setRngState, setNumThreads, getNumThreads, cuda } from './random.js';
export { save, load, loadWithMetadata, serialize, deserialize, type NamedTensors } from './safetensors.js';
export { type DType, isFloatingPoint, isDType } from './dtype.js';
// The generated ops (scripts/gen-ops): torch.aten.* is every bound ATen op (like torch.ops.aten);
// torch.* gains each function variant not defined above, Tensor each method variant.
export * as aten from './aten/all.generated.js';
export * from './aten/torch.generated.js';
import './aten/methods.generated.js';
export { type Layout, type MemoryFormat } from './aten-runtime.js';
export { type Shape, type Scalar } from './args.js';
import { native } from './native.js';

// torch.float32 etc. (strings here; see dtype.ts)
export const float32 = 'float32', float = 'float32', float64 = 'float64', double = 'float64', float16 = 'float16',
  half = 'float16', bfloat16 = 'bfloat16', int64 = 'int64', long = 'int64', int32 = 'int32', int = 'int32',
  int16 = 'int16', int8 = 'int8', uint8 = 'uint8', bool = 'bool';

export { torchlabVersion } from './addon.js';
export { addonOrigin } from './native.js';
export type { AddonOrigin } from './addon.js';
/** torch.__config__: how this libtorch was built (BLAS, CUDA, compiler flags) and its threads. */
export const config = {
  show: (): string => (native.buildInfo() as { config: string }).config,
  parallelInfo: (): string => (native.buildInfo() as { parallel: string }).parallel,
};
/** The libtorch version the addon was built against. */
export const libtorchVersion: string = native.version();
