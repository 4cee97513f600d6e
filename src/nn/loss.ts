// torch.nn's loss modules: each holds its options and calls its functional form (F.*) in forward.
// As in PyTorch, `weight` and `posWeight` are buffers (state-dict keys 'weight' and 'pos_weight'
// when given, moved by .to()), the rest plain attributes, and every loss prints as `Name()`.
// PyTorch's deprecated `size_average` / `reduce` arguments are not offered: use `reduction`.
//
// Arguments: PyTorch's losses take `weight` positionally (nn.CrossEntropyLoss(w)) and the rest by
// keyword, so here `new nn.CrossEntropyLoss(w, { labelSmoothing: 0.1 })` or
// `new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1 })`; HuberLoss takes (reduction, delta)
// positionally as PyTorch does. An unknown option key is a TypeError naming the valid ones.
import type { Tensor } from '../tensor/index.js';
import { checkBool, checkInt, checkNumber, describe, reductionCode, type Reduction } from '../tensor/args.js';
import { isTensor } from '../tensor/handles.js';
import * as F from './functional.js';
import { Buffer, Module } from './module.js';
import { keywordArgs } from './options.js';

type LossForward = (input: Tensor, target: Tensor) => Tensor;

function reductionOf(r: unknown): Reduction {
  reductionCode(r);
  return (r ?? 'mean') as Reduction;
}
/** A weight option: null, or a Tensor that becomes the module's buffer (as register_buffer). */
function weightBuffer(w: unknown, name: string): Tensor | null {
  if (w === undefined || w === null) return null;
  if (!isTensor(w)) throw new TypeError(`${name}: expected a Tensor or null, got ${describe(w)}`);
  return Buffer(w);
}

abstract class Loss extends Module<LossForward> {
  readonly reduction: Reduction;
  protected constructor(reduction: unknown) {
    super();
    this.reduction = reductionOf(reduction);
  }
}

export interface WeightedLossOptions { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }
export interface CrossEntropyLossOptions extends WeightedLossOptions { labelSmoothing?: number }
/**
 * Cross entropy of logits (N, C[, ...]) against class indices (N[, ...]) or class probabilities.
 * @example
 * const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = lossFn.forward(model.forward(x), y);
 */
export class CrossEntropyLoss extends Loss {
  weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(weight?: Tensor | null | CrossEntropyLossOptions, options?: Omit<CrossEntropyLossOptions, 'weight'>) {
    const a = keywordArgs('CrossEntropyLoss', [weight, options], ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'], 1);
    super(a.reduction);
    this.weight = weightBuffer(a.weight, 'weight');
    this.ignoreIndex = checkInt(a.ignoreIndex ?? -100, 'ignoreIndex');
    this.labelSmoothing = checkNumber(a.labelSmoothing ?? 0, 'labelSmoothing');
    if (this.labelSmoothing < 0 || this.labelSmoothing > 1) throw new RangeError(`labelSmoothing: must be in [0, 1], got ${this.labelSmoothing}`);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target,
      { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

/**
 * Negative log likelihood of log-probabilities (N, C[, ...]) against class indices.
 * @example const loss = new nn.NLLLoss().forward(F.logSoftmax(logits, 1), y);
 */
export class NLLLoss extends Loss {
  weight: Tensor | null;
  readonly ignoreIndex: number;
  constructor(weight?: Tensor | null | WeightedLossOptions, options?: Omit<WeightedLossOptions, 'weight'>) {
    const a = keywordArgs('NLLLoss', [weight, options], ['weight', 'ignoreIndex', 'reduction'], 1);
    super(a.reduction);
    this.weight = weightBuffer(a.weight, 'weight');
    this.ignoreIndex = checkInt(a.ignoreIndex ?? -100, 'ignoreIndex');
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/**
 * Mean squared error.
 * @example const loss = new nn.MSELoss().forward(pred, target);
 */
export class MSELoss extends Loss {
  constructor(options?: { reduction?: Reduction }) {
    super(keywordArgs('MSELoss', [options], ['reduction'], 0).reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * Mean absolute error.
 * @example const loss = new nn.L1Loss({ reduction: 'sum' }).forward(pred, target);
 */
export class L1Loss extends Loss {
  constructor(options?: { reduction?: Reduction }) {
    super(keywordArgs('L1Loss', [options], ['reduction'], 0).reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/**
 * Smooth L1 (quadratic below beta, linear above).
 * @example const loss = new nn.SmoothL1Loss({ beta: 0.5 }).forward(pred, target);
 */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options?: { reduction?: Reduction; beta?: number }) {
    const a = keywordArgs('SmoothL1Loss', [options], ['reduction', 'beta'], 0);
    super(a.reduction);
    this.beta = checkNumber(a.beta ?? 1, 'beta');
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/**
 * Huber (quadratic below delta, linear with slope delta above).
 * @example const loss = new nn.HuberLoss({ delta: 2 }).forward(pred, target);
 */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(reduction?: Reduction | { reduction?: Reduction; delta?: number }, delta?: number | { delta?: number }) {
    const a = keywordArgs('HuberLoss', [reduction, delta], ['reduction', 'delta']);
    super(a.reduction);
    this.delta = checkNumber(a.delta ?? 1, 'delta');
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/**
 * Binary cross entropy of probabilities (e.g. a sigmoid's output); see F.binaryCrossEntropy.
 * @example const loss = new nn.BCELoss().forward(torch.sigmoid(logits), labels);
 */
export class BCELoss extends Loss {
  weight: Tensor | null;
  constructor(weight?: Tensor | null | { weight?: Tensor | null; reduction?: Reduction }, options?: { reduction?: Reduction }) {
    const a = keywordArgs('BCELoss', [weight, options], ['weight', 'reduction'], 1);
    super(a.reduction);
    this.weight = weightBuffer(a.weight, 'weight');
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export interface BCEWithLogitsLossOptions { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null }
/**
 * Sigmoid + binary cross entropy, numerically stable; posWeight (one per class) weighs positives.
 * @example const loss = new nn.BCEWithLogitsLoss({ posWeight: torch.tensor([3]) }).forward(logits, labels);
 */
export class BCEWithLogitsLoss extends Loss {
  weight: Tensor | null;
  posWeight: Tensor | null;
  constructor(weight?: Tensor | null | BCEWithLogitsLossOptions, options?: Omit<BCEWithLogitsLossOptions, 'weight'>) {
    const a = keywordArgs('BCEWithLogitsLoss', [weight, options], ['weight', 'reduction', 'posWeight'], 1);
    super(a.reduction);
    this.weight = weightBuffer(a.weight, 'weight');
    this.posWeight = weightBuffer(a.posWeight, 'posWeight');
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, reduction: this.reduction, posWeight: this.posWeight });
  }
}

/**
 * Kullback-Leibler divergence; input holds log-probabilities. Use reduction 'batchmean' for the
 * mathematical KL divergence ('mean', the default, divides by every element, as in PyTorch).
 * @example const loss = new nn.KLDivLoss({ reduction: 'batchmean' }).forward(F.logSoftmax(logits, 1), probs);
 */
export class KLDivLoss extends Module<LossForward> {
  readonly reduction: F.KLDivReduction;
  readonly logTarget: boolean;
  constructor(options?: { reduction?: F.KLDivReduction; logTarget?: boolean }) {
    super();
    const a = keywordArgs('KLDivLoss', [options], ['reduction', 'logTarget'], 0);
    this.reduction = F.checkKLDivReduction(a.reduction);
    this.logTarget = checkBool(a.logTarget, 'logTarget');
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
