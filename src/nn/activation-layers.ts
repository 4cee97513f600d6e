// Activations, Dropout2d and Unflatten as modules, with PyTorch 1.13's arguments and printing.
// Arguments PyTorch takes positionally are positional here too, or by name in one options object.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkBool, checkInt, checkNumber, checkOptions, checkShape } from '../tensor/args.js';
import * as F from './functional.js';
import * as FL from './functional-layers.js';
import * as init from './init.js';
import { Module, Parameter } from './module.js';
import { keywordArgs } from './options.js';
import { warnOnce } from './warnings.js';
import { pyBool, pyFloat, pyTuple } from './repr.js';

/** PyTorch's _get_softmax_dim: the implicit dim when none is given (deprecated there too). */
function implicitDim(name: string, ndim: number): number {
  warnOnce(`Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`);
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** @example new nn.Softmax(1).forward(logits) // rows sum to 1 */
export class Softmax extends Module {
  readonly dim: number | null;
  constructor(dim?: number | null | { dim?: number | null }) {
    super();
    const d = keywordArgs('Softmax', [dim], ['dim']).dim;
    this.dim = d === undefined || d === null ? null : checkInt(d, 'dim');
  }
  forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim ?? implicitDim('softmax', x.dim()));
  }
  extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** @example new nn.LogSoftmax(1).forward(logits) */
export class LogSoftmax extends Module {
  readonly dim: number | null;
  constructor(dim?: number | null | { dim?: number | null }) {
    super();
    const d = keywordArgs('LogSoftmax', [dim], ['dim']).dim;
    this.dim = d === undefined || d === null ? null : checkInt(d, 'dim');
  }
  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim ?? implicitDim('log_softmax', x.dim()));
  }
  extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** @example new nn.Sigmoid().forward(x) */
export class Sigmoid extends Module {
  constructor(options?: Record<string, never>) {
    super();
    checkOptions(options, 'Sigmoid', []);
  }
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

/** @example new nn.Tanh().forward(x) */
export class Tanh extends Module {
  constructor(options?: Record<string, never>) {
    super();
    checkOptions(options, 'Tanh', []);
  }
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

/** x·σ(x). Deviation: `inplace` is accepted for printing parity but the op is never applied in place. */
export class SiLU extends Module {
  readonly inplace: boolean;
  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    this.inplace = checkBool(keywordArgs('SiLU', [inplace], ['inplace']).inplace, 'inplace');
  }
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
  extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/** x for x > 0, alpha·(eˣ − 1) otherwise. @example new nn.ELU(0.5) */
export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(alpha?: number | { alpha?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean }) {
    super();
    const a = keywordArgs('ELU', [alpha, inplace], ['alpha', 'inplace']);
    this.alpha = checkNumber(a.alpha ?? 1.0, 'alpha');
    this.inplace = checkBool(a.inplace, 'inplace');
  }
  forward(x: Tensor): Tensor {
    return FL.elu(x, this.alpha);
  }
  extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/** x·relu6(x + 3)/6 (MobileNetV3). PyTorch prints no arguments, inplace or not. */
export class Hardswish extends Module {
  readonly inplace: boolean;
  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    this.inplace = checkBool(keywordArgs('Hardswish', [inplace], ['inplace']).inplace, 'inplace');
  }
  forward(x: Tensor): Tensor {
    return FL.hardswish(x);
  }
}

/** Leaky ReLU with a learnt slope, one per channel or one for all. @example new nn.PReLU(16) */
export class PReLU extends Module {
  readonly numParameters: number;
  readonly init: number;
  weight: Tensor;
  constructor(numParameters?: number | { numParameters?: number; init?: number; device?: string; dtype?: torch.DType },
    initValue?: number | { init?: number; device?: string; dtype?: torch.DType }, options?: { device?: string; dtype?: torch.DType }) {
    super();
    const a = keywordArgs('PReLU', [numParameters, initValue, options], ['numParameters', 'init', 'device', 'dtype'], 2);
    this.numParameters = checkInt(a.numParameters ?? 1, 'numParameters');
    this.init = checkNumber(a.init ?? 0.25, 'init');
    this.weight = Parameter(torch.empty([this.numParameters], { device: a.device as string, dtype: a.dtype as torch.DType }));
    this.resetParameters();
  }
  resetParameters(): void {
    init.constant_(this.weight, this.init);
  }
  forward(x: Tensor): Tensor {
    return FL.prelu(x, this.weight);
  }
  extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

/** Zeroes whole channels with probability p while training. @example new nn.Dropout2d(0.2) */
export class Dropout2d extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(p?: number | { p?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean }) {
    super();
    const a = keywordArgs('Dropout2d', [p, inplace], ['p', 'inplace']);
    this.p = checkNumber(a.p ?? 0.5, 'p');
    this.inplace = checkBool(a.inplace, 'inplace');
    if (this.p < 0 || this.p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${this.p}`);
  }
  forward(x: Tensor): Tensor {
    return FL.dropout2d(x, this.p, this.training);
  }
  extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/** Splits dim into unflattenedSize. @example new nn.Unflatten(1, [2, 5]).forward(torch.zeros([3, 10])).shape // [3, 2, 5] */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: number[];
  constructor(dim: number | { dim?: number; unflattenedSize?: number[] }, unflattenedSize?: number[] | { unflattenedSize?: number[] }) {
    super();
    const a = keywordArgs('Unflatten', [dim, unflattenedSize], ['dim', 'unflattenedSize']);
    if (a.dim === undefined) throw new TypeError("Unflatten: missing required argument 'dim'");
    if (a.unflattenedSize === undefined) throw new TypeError("Unflatten: missing required argument 'unflattenedSize'");
    this.dim = checkInt(a.dim, 'dim');
    this.unflattenedSize = [...checkShape(a.unflattenedSize as number[], 'unflattenedSize', true)];
  }
  forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.unflattenedSize);
  }
  extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattenedSize)}`;
  }
}
