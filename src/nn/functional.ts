// torch.nn.functional (import as F): the lab's layers as functions, calling the same ATen entry
// points as PyTorch's Python functions, so values and gradients are PyTorch's. Keyword arguments
// are one options object with camelCase names.
import { native } from '../tensor/native.js';
import { handle, optHandle, wrap } from '../tensor/handles.js';
import { checkBool, checkInt, checkNumber, checkOptions, checkShape, describe, pair } from '../tensor/args.js';
import { TorchError } from '../tensor/errors.js';
import { dtypeCode, type DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

export type IntOrPair = number | [number, number] | number[];

export interface Conv2dOptions {
  stride?: IntOrPair;
  /** An int, a pair, or 'same' / 'valid' as in PyTorch. */
  padding?: IntOrPair | 'same' | 'valid';
  dilation?: IntOrPair;
  groups?: number;
}
/** @example F.conv2d(x, weight, bias, {padding: 1}) */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options?: Conv2dOptions): Tensor {
  const o = checkOptions(options, 'conv2d', ['stride', 'padding', 'dilation', 'groups']);
  const padding = o.padding ?? 0;
  if (typeof padding === 'string' && padding !== 'same' && padding !== 'valid') {
    throw new TypeError(`padding: expected an int, a pair, 'same' or 'valid', got '${padding}'`);
  }
  return wrap(native.conv2d(handle(input, 'input'), handle(weight, 'weight'), optHandle(bias, 'bias'),
    pair(o.stride ?? 1, 'stride'), typeof padding === 'string' ? padding : pair(padding, 'padding'),
    pair(o.dilation ?? 1, 'dilation'), checkInt(o.groups ?? 1, 'groups')));
}

export interface Pool2dOptions {
  /** Defaults to kernelSize, as in PyTorch. */
  stride?: IntOrPair | null;
  padding?: IntOrPair;
  ceilMode?: boolean;
}
const MAX_POOL_KEYS = ['stride', 'padding', 'dilation', 'ceilMode'];
const AVG_POOL_KEYS = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'];
function poolArgs(kernelSize: IntOrPair, options: Pool2dOptions | undefined, who: string, keys: string[]): [number[], number[], number[]] {
  const o = checkOptions(options, who, keys);
  const k = pair(kernelSize, 'kernelSize');
  const s = o.stride === undefined || o.stride === null ? k : pair(o.stride, 'stride');
  return [k, s, pair(o.padding ?? 0, 'padding')]; // libtorch checks pad <= kernel / 2
}
export function maxPool2d(input: Tensor, kernelSize: IntOrPair, o: Pool2dOptions & { dilation?: IntOrPair } = {}): Tensor {
  const [k, s, p] = poolArgs(kernelSize, o, 'maxPool2d', MAX_POOL_KEYS);
  return wrap(native.maxPool2d(handle(input, 'input'), k, s, p, pair(o.dilation ?? 1, 'dilation'), checkBool(o.ceilMode, 'ceilMode')));
}
/** maxPool2d that also returns the argmax indices (returnIndices=True). */
export function maxPool2dWithIndices(input: Tensor, kernelSize: IntOrPair, o: Pool2dOptions & { dilation?: IntOrPair } = {}): [Tensor, Tensor] {
  const [k, s, p] = poolArgs(kernelSize, o, 'maxPool2dWithIndices', MAX_POOL_KEYS);
  const [a, b] = native.maxPool2dWithIndices(handle(input, 'input'), k, s, p, pair(o.dilation ?? 1, 'dilation'), checkBool(o.ceilMode, 'ceilMode'));
  return [wrap(a), wrap(b)];
}
export function avgPool2d(input: Tensor, kernelSize: IntOrPair,
  o: Pool2dOptions & { countIncludePad?: boolean; divisorOverride?: number | null } = {}): Tensor {
  const [k, s, p] = poolArgs(kernelSize, o, 'avgPool2d', AVG_POOL_KEYS);
  const div = o.divisorOverride === undefined || o.divisorOverride === null ? null : checkInt(o.divisorOverride, 'divisorOverride');
  return wrap(native.avgPool2d(handle(input, 'input'), k, s, p, checkBool(o.ceilMode, 'ceilMode'),
    checkBool(o.countIncludePad, 'countIncludePad', true), div));
}
export const adaptiveAvgPool2d = (input: Tensor, outputSize: IntOrPair): Tensor =>
  wrap(native.adaptiveAvgPool2d(handle(input, 'input'), pair(outputSize, 'outputSize')));

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}
/** F.batchNorm(x, runningMean, runningVar, {weight, bias, training, momentum, eps}); updates running stats in place when training. */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options?: BatchNormOptions): Tensor {
  const o = checkOptions(options, 'batchNorm', ['weight', 'bias', 'training', 'momentum', 'eps']);
  const training = checkBool(o.training, 'training');
  if (training) {
    // PyTorch's _verify_batch_size: statistics of a single value per channel are meaningless
    const size = input.shape;
    const perChannel = size.length < 2 ? 0 : size.reduce((a, b, i) => (i === 1 ? a : a * b), 1);
    if (perChannel === 1) {
      throw new TorchError(`Expected more than 1 value per channel when training, got input size [${size.join(', ')}]`, 'ValueError');
    }
  }
  if (!training && (!runningMean || !runningVar)) {
    throw new TypeError('batchNorm: runningMean and runningVar are required when training is false');
  }
  return wrap(native.batchNorm(handle(input, 'input'), optHandle(runningMean, 'runningMean'), optHandle(runningVar, 'runningVar'),
    optHandle(o.weight, 'weight'), optHandle(o.bias, 'bias'), training, checkNumber(o.momentum ?? 0.1, 'momentum'),
    checkNumber(o.eps ?? 1e-5, 'eps')));
}
export function layerNorm(input: Tensor, normalizedShape: number[], options?: { weight?: Tensor | null; bias?: Tensor | null; eps?: number }): Tensor {
  const o = checkOptions(options, 'layerNorm', ['weight', 'bias', 'eps']);
  return wrap(native.layerNorm(handle(input, 'input'), checkShape(normalizedShape, 'normalizedShape'), optHandle(o.weight, 'weight'),
    optHandle(o.bias, 'bias'), checkNumber(o.eps ?? 1e-5, 'eps')));
}

export const linear = (input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor =>
  wrap(native.linear(handle(input, 'input'), handle(weight, 'weight'), optHandle(bias, 'bias')));
export const relu = (input: Tensor): Tensor => wrap(native.relu(handle(input, 'input')));
export const sigmoid = (input: Tensor): Tensor => wrap(native.sigmoid(handle(input, 'input')));
export const tanh = (input: Tensor): Tensor => wrap(native.tanh(handle(input, 'input')));
export const silu = (input: Tensor): Tensor => wrap(native.silu(handle(input, 'input')));
export const leakyRelu = (input: Tensor, negativeSlope = 0.01): Tensor =>
  wrap(native.leakyRelu(handle(input, 'input'), checkNumber(negativeSlope, 'negativeSlope')));
export function gelu(input: Tensor, options?: { approximate?: 'none' | 'tanh' }): Tensor {
  const o = checkOptions(options, 'gelu', ['approximate']);
  const a = o.approximate ?? 'none';
  if (a !== 'none' && a !== 'tanh') throw new TypeError(`approximate: expected 'none' or 'tanh', got ${describe(a)}`);
  return wrap(native.gelu(handle(input, 'input'), a));
}
/** Zeroes elements with probability p while training (scaled by 1/(1-p)); identity otherwise. */
export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  if (checkNumber(p, 'p') < 0 || p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  return wrap(native.dropout(handle(input, 'input'), p, checkBool(training, 'training')));
}
export const softmax = (input: Tensor, dim: number, o: { dtype?: DType } = {}): Tensor =>
  wrap(native.softmax(handle(input, 'input'), checkInt(dim, 'dim'), dtypeCode(o.dtype)));
export const logSoftmax = (input: Tensor, dim: number, o: { dtype?: DType } = {}): Tensor =>
  wrap(native.logSoftmax(handle(input, 'input'), checkInt(dim, 'dim'), dtypeCode(o.dtype)));

/** One-hot encoding of int64 class indices; numClasses -1 infers max + 1. */
export const oneHot = (input: Tensor, numClasses = -1): Tensor => wrap(native.oneHot(handle(input, 'input'), checkInt(numClasses, 'numClasses')));

/** F.pad(x, [left, right, top, bottom, ...], {mode, value}) with modes 'constant' | 'reflect' | 'replicate' | 'circular'. */
export function pad(input: Tensor, pads: number[], options?: { mode?: 'constant' | 'reflect' | 'replicate' | 'circular'; value?: number }): Tensor {
  if (!Array.isArray(pads)) throw new TypeError(`pad: expected an array [left, right, top, bottom, ...], got ${describe(pads)}`);
  const o = checkOptions(options, 'pad', ['mode', 'value']);
  const mode = o.mode ?? 'constant';
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) throw new TypeError(`mode: unknown padding mode '${mode}'`);
  const value = o.value === undefined ? null : checkNumber(o.value, 'value');
  return wrap(native.pad(handle(input, 'input'), pads.map((p, i) => checkInt(p, `pad[${i}]`)), mode, value));
}

export {
  crossEntropy, nllLoss, mseLoss, l1Loss, smoothL1Loss, huberLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits, klDiv,
  checkKLDivReduction, type LossOptions, type CrossEntropyOptions, type KLDivReduction,
} from './functional-loss.js';
export {
  conv1d, convTranspose2d, maxPool1d, avgPool1d, dropout2d, embedding, groupNorm, hardswish, elu, prelu, interpolate,
  type Conv1dOptions, type ConvTranspose2dOptions, type Pool1dOptions, type EmbeddingOptions, type InterpolateOptions,
} from './functional-layers.js';
export { multiHeadAttentionForward, type MultiHeadAttentionForwardOptions } from './functional-attention.js';
