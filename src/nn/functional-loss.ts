// torch.nn.functional's losses (re-exported by functional.ts, so F.crossEntropy etc.). Each takes
// PyTorch's keyword arguments as one options object, checked for unknown keys, and does PyTorch's
// Python-level checks (size mismatches) before ATen's.
//
// crossEntropy, nllLoss, mseLoss, l1Loss and binaryCrossEntropyWithLogits call ATen's own entry
// points. smoothL1Loss, huberLoss, binaryCrossEntropy and klDiv have no binding yet and are composed
// from tensor ops with ATen's exact formulas (aten/src/ATen/native/Loss.cpp and the CPU kernels), so
// values and first-order gradients equal PyTorch's to rounding (test/loss.test.ts). Each is marked
// `TODO(generated ops)` to switch to the generated binding once it exists.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { native } from '../tensor/native.js';
import { handle, isTensor, optHandle, wrap } from '../tensor/handles.js';
import { checkBool, checkInt, checkNumber, checkOptions, describe, reductionCode, type Reduction } from '../tensor/args.js';
import { TorchError } from '../tensor/errors.js';

export interface LossOptions { reduction?: Reduction }
export interface CrossEntropyOptions extends LossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  labelSmoothing?: number;
}

const sizeText = (t: Tensor): string => `torch.Size([${t.shape.join(', ')}])`;
const sameShape = (a: Tensor, b: Tensor): boolean => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

const warned = new Set<string>();
/** PyTorch's UserWarning, shown once per message (Python's default filter shows it once per call site). */
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  globalThis.process?.emitWarning?.(message, 'UserWarning');
}
/** F.mse_loss / l1_loss / smooth_l1_loss / huber_loss warn, then broadcast, when the sizes differ. */
function warnIfBroadcast(input: Tensor, target: Tensor): void {
  if (!sameShape(input, target)) {
    warnOnce(`Using a target size (${sizeText(target)}) that is different to the input size (${sizeText(input)}). ` +
      'This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.');
  }
}
/** torch.broadcast_tensors for two tensors: both expanded to their common shape. */
function broadcastPair(a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (sameShape(a, b)) return [a, b];
  const n = Math.max(a.dim(), b.dim());
  const shape: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a.shape[a.dim() - n + i] ?? 1;
    const db = b.shape[b.dim() - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new TorchError(`The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`);
    }
    shape.push(da === 1 ? db : da);
  }
  return [a.expand(shape), b.expand(shape)];
}
/**
 * `value` (no gradient of its own) carrying the gradient `grad` w.r.t. each of `wrt` that requires
 * one: value + p - p.detach() with p = t·grad, whose forward adds exactly 0. For the composed losses
 * whose ATen backward formula autograd of the composition would not reproduce; first order only.
 */
function withGradients(value: Tensor, ...wrt: [Tensor, () => Tensor][]): Tensor {
  let out = value;
  for (const [t, grad] of wrt) {
    if (!t.requiresGrad) continue;
    const p = t.mul(grad());
    out = out.add(p.sub(p.detach()));
  }
  return out;
}
/** ATen's apply_loss_reduction. */
function reduce(loss: Tensor, reduction: number): Tensor {
  return reduction === 0 ? loss : reduction === 1 ? loss.mean() : loss.sum();
}

/** Cross entropy of logits (N, C[, ...]) against class indices (N[, ...]) or class probabilities (same shape as input). */
export function crossEntropy(input: Tensor, target: Tensor, options?: CrossEntropyOptions): Tensor {
  const o = checkOptions(options, 'crossEntropy', ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing']);
  const ls = checkNumber(o.labelSmoothing ?? 0, 'labelSmoothing');
  if (ls < 0 || ls > 1) throw new RangeError(`labelSmoothing: must be in [0, 1], got ${ls}`);
  return wrap(native.crossEntropy(handle(input, 'input'), handle(target, 'target'), optHandle(o.weight, 'weight'),
    reductionCode(o.reduction), checkInt(o.ignoreIndex ?? -100, 'ignoreIndex'), ls));
}
/** Negative log likelihood of log-probabilities (N, C[, ...]) against class indices (N[, ...]). */
export function nllLoss(input: Tensor, target: Tensor, options?: Omit<CrossEntropyOptions, 'labelSmoothing'>): Tensor {
  const o = checkOptions(options, 'nllLoss', ['weight', 'ignoreIndex', 'reduction']);
  return wrap(native.nllLoss(handle(input, 'input'), handle(target, 'target'), optHandle(o.weight, 'weight'),
    reductionCode(o.reduction), checkInt(o.ignoreIndex ?? -100, 'ignoreIndex')));
}
/** Mean squared error; the target is differentiated too. */
export function mseLoss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  const reduction = reductionCode(checkOptions(options, 'mseLoss', ['reduction']).reduction);
  handle(input, 'input');
  handle(target, 'target');
  warnIfBroadcast(input, target);
  // Broadcast first, as F.mse_loss does: ATen's mse_loss_backward scales the target's gradient by
  // the target's own numel, which is wrong for a broadcast target.
  return torch.tidy(() => {
    const [a, b] = broadcastPair(input, target);
    return wrap(native.mseLoss(handle(a, 'input'), handle(b, 'target'), reduction));
  });
}
/** Mean absolute error. */
export function l1Loss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  const reduction = reductionCode(checkOptions(options, 'l1Loss', ['reduction']).reduction);
  handle(input, 'input');
  handle(target, 'target');
  warnIfBroadcast(input, target);
  return torch.tidy(() => {
    const [a, b] = broadcastPair(input, target);
    return wrap(native.l1Loss(handle(a, 'input'), handle(b, 'target'), reduction));
  });
}

/**
 * Smooth L1: 0.5·z²/beta where z = |input - target| < beta, else z - 0.5·beta; beta 0 is the L1 loss.
 * @example F.smoothL1Loss(pred, target, { beta: 0.5 })
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options?: LossOptions & { beta?: number }): Tensor {
  const o = checkOptions(options, 'smoothL1Loss', ['reduction', 'beta']);
  const reduction = reductionCode(o.reduction);
  const beta = checkNumber(o.beta ?? 1, 'beta');
  handle(input, 'input');
  handle(target, 'target');
  warnIfBroadcast(input, target);
  if (beta < 0) throw new TorchError('smooth_l1_loss does not support negative values for beta.');
  // TODO(generated ops): aten::smooth_l1_loss
  return torch.tidy(() => {
    if (beta === 0) {
      // ATen's value is the L1 loss; its backward kernel gives d/dinput = (x <= 0 ? -1 : 1) at
      // x = input - target, and the target's from the same kernel with the arguments swapped, so
      // both are -1 at x == 0 (autograd of |x| would give 0 there).
      const d = input.sub(target).detach();
      const sign = (positive: Tensor) => positive.to(d.dtype).mul(2).sub(1);
      return reduce(withGradients(d.abs(), [input, () => sign(d.gt(0))], [target, () => sign(d.lt(0))]), reduction);
    }
    // The CPU kernel's expression, in its order of operations; autograd of it gives the backward
    // kernel's gradients (at |x| == beta both give ±1).
    const z = input.sub(target).abs();
    return reduce(torch.where(z.lt(beta), z.mul(0.5).mul(z).div(beta), z.sub(0.5 * beta)), reduction);
  });
}

/**
 * Huber: 0.5·z² where z = |input - target| < delta, else delta·(z - 0.5·delta).
 * @example F.huberLoss(pred, target, { delta: 2 })
 */
export function huberLoss(input: Tensor, target: Tensor, options?: LossOptions & { delta?: number }): Tensor {
  const o = checkOptions(options, 'huberLoss', ['reduction', 'delta']);
  const reduction = reductionCode(o.reduction);
  const delta = checkNumber(o.delta ?? 1, 'delta');
  handle(input, 'input');
  handle(target, 'target');
  warnIfBroadcast(input, target);
  if (!(delta > 0)) throw new TorchError('huber_loss does not support non-positive values for delta.');
  // TODO(generated ops): aten::huber_loss. The CPU kernel's expression, in its order of operations.
  return torch.tidy(() => {
    const z = input.sub(target).abs();
    return reduce(torch.where(z.lt(delta), z.mul(0.5).mul(z), z.sub(0.5 * delta).mul(delta)), reduction);
  });
}

/**
 * Binary cross entropy of probabilities in [0, 1]: -w·(t·log(x) + (1 - t)·log(1 - x)), each log
 * clamped to >= -100 as in PyTorch (so x = 0 or 1 gives 100, not inf).
 *
 * Deviations until the generated aten::binary_cross_entropy binding replaces this composition:
 * the gradients are ATen's formulas, attached with the detach trick (value + p - p.detach(), where
 * p's gradient is the formula), because autograd through the clamped logs would give NaN where
 * PyTorch gives finite values (an input of exactly 0 or 1, e.g. a saturated sigmoid). So
 * - w.r.t. input: ATen's w·(x - t) / max(x·(1 - x), 1e-12) (equal to rounding);
 * - w.r.t. target: ATen's -w·logit(x), but 0 where x is exactly 0 or 1 (PyTorch: ±inf there);
 * - second derivatives (backward with createGraph) are not PyTorch's: the attached gradients are
 *   constants of the graph; grad_fn is AddBackward0, not BinaryCrossEntropyBackward0.
 * @example F.binaryCrossEntropy(torch.sigmoid(logits), labels)
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options?: LossOptions & { weight?: Tensor | null }): Tensor {
  const o = checkOptions(options, 'binaryCrossEntropy', ['weight', 'reduction']);
  const reduction = reductionCode(o.reduction);
  handle(input, 'input');
  handle(target, 'target');
  const weight = o.weight ?? null;
  if (weight !== null) handle(weight, 'weight');
  if (!sameShape(input, target)) {
    throw new TorchError(`Using a target size (${sizeText(target)}) that is different to the input size (${sizeText(input)}) is deprecated. ` +
      'Please ensure they have the same size.', 'ValueError');
  }
  // TODO(generated ops): aten::binary_cross_entropy
  return torch.tidy(() => {
    const inRange = torch.noGrad(() => input.ge(0).logicalAnd(input.le(1)).all().item());
    if (!inRange) throw new TorchError('all elements of input should be between 0 and 1');
    const [x, t] = [input.detach(), target.detach()];
    // The CPU kernel: (t - 1)·max(log(1 - x), -100) - t·max(log(x), -100).
    const value = t.sub(1).mul(x.rsub(1).log().clamp(-100)).sub(t.mul(x.log().clamp(-100)));
    let loss = withGradients(value,
      [input, () => x.sub(t).div(x.rsub(1).mul(x).clamp(1e-12))],
      [target, () => {
        const g = x.div(x.rsub(1)).log().neg(); // -logit(x)
        return torch.where(g.isfinite(), g, 0);
      }]);
    if (weight !== null) loss = loss.mul(weight);
    return reduce(loss, reduction);
  });
}

/** Sigmoid + binary cross entropy in one numerically stable op; posWeight weighs the positive class. */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor,
  options?: LossOptions & { weight?: Tensor | null; posWeight?: Tensor | null }): Tensor {
  const o = checkOptions(options, 'binaryCrossEntropyWithLogits', ['weight', 'reduction', 'posWeight']);
  const reduction = reductionCode(o.reduction);
  if (isTensor(input) && isTensor(target) && !sameShape(input, target)) {
    throw new TorchError(`Target size (${sizeText(target)}) must be the same as input size (${sizeText(input)})`, 'ValueError');
  }
  return wrap(native.bceWithLogits(handle(input, 'input'), handle(target, 'target'), optHandle(o.weight, 'weight'),
    optHandle(o.posWeight, 'posWeight'), reduction));
}

export type KLDivReduction = Reduction | 'batchmean';
/** klDiv's reduction: PyTorch's three, or 'batchmean'. */
export function checkKLDivReduction(r: unknown): KLDivReduction {
  if (r === undefined) return 'mean';
  if (r !== 'none' && r !== 'mean' && r !== 'sum' && r !== 'batchmean') {
    throw new TypeError(`reduction: expected 'none', 'batchmean', 'mean' or 'sum', got ${describe(r)}`);
  }
  return r;
}
/**
 * Kullback-Leibler divergence of log-probabilities `input` from `target` (probabilities, or
 * log-probabilities with logTarget). reduction 'batchmean' is the mathematical KL divergence
 * (sum / batch size); 'mean' (the default, as in PyTorch) divides by every element and warns.
 * @example F.klDiv(F.logSoftmax(logits, 1), probs, { reduction: 'batchmean' })
 */
export function klDiv(input: Tensor, target: Tensor, options?: { reduction?: KLDivReduction; logTarget?: boolean }): Tensor {
  const o = checkOptions(options, 'klDiv', ['reduction', 'logTarget']);
  const r = checkKLDivReduction(o.reduction);
  const logTarget = checkBool(o.logTarget, 'logTarget');
  handle(input, 'input');
  handle(target, 'target');
  if (r === 'mean') {
    warnOnce("reduction: 'mean' divides the total loss by both the batch size and the support size." +
      "'batchmean' divides only by the batch size, and aligns with the KL div math definition." +
      "'mean' will be changed to behave the same as 'batchmean' in the next major release.");
  }
  // TODO(generated ops): aten::kl_div. ATen 1.13's kl_div is this composition (CompositeImplicit),
  // so autograd differentiates the same ops; xlogy(t, t) is t·log(t) with 0 where t == 0.
  return torch.tidy(() => {
    const loss = logTarget
      ? target.exp().mul(target.sub(input))
      : torch.where(target.ne(0), target.mul(target.log()), 0).sub(target.mul(input));
    if (r !== 'batchmean') return reduce(loss, reductionCode(r));
    const sum = loss.sum();
    return input.dim() === 0 ? sum : sum.div(input.size(0));
  });
}
