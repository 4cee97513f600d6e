// Parameter-free layers: pooling, activations, dropout, reshaping. Arguments PyTorch takes
// positionally are positional here too, and any trailing ones may instead be given by name in one
// options object (keywordArgs): new nn.Dropout(0.2), new nn.Dropout({ p: 0.2 }),
// new nn.LeakyReLU(0.2, { inplace: true }), as PyTorch's nn.Dropout(p=0.2).
import type { Tensor } from '../tensor/index.js';
import { checkBool, checkInt, checkNumber, checkOptions, describe } from '../tensor/args.js';
import * as F from './functional.js';
import { Module } from './module.js';
import { keywordArgs } from './options.js';
import { pyBool, pyFloat, pyTuple } from './repr.js';

type IntOrPair = number | [number, number];

/** @example new nn.MaxPool2d(2) */
export class MaxPool2d extends Module {
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly dilation: IntOrPair;
  readonly ceilMode: boolean;
  constructor(readonly kernelSize: IntOrPair, options?: { stride?: IntOrPair | null; padding?: IntOrPair; dilation?: IntOrPair; ceilMode?: boolean }) {
    super();
    const o = checkOptions(options, 'MaxPool2d', ['stride', 'padding', 'dilation', 'ceilMode']);
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = o.ceilMode ?? false;
  }
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
  extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}, ` +
      `dilation=${pyTuple(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

export class AvgPool2d extends Module {
  readonly stride: IntOrPair;
  readonly padding: IntOrPair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  constructor(readonly kernelSize: IntOrPair, options?: { stride?: IntOrPair | null; padding?: IntOrPair; ceilMode?: boolean; countIncludePad?: boolean }) {
    super();
    const o = checkOptions(options, 'AvgPool2d', ['stride', 'padding', 'ceilMode', 'countIncludePad']);
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
  }
  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }
  extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: IntOrPair;
  constructor(outputSize: IntOrPair | { outputSize: IntOrPair }) {
    super();
    const a = keywordArgs('AdaptiveAvgPool2d', [outputSize], ['outputSize']);
    if (a.outputSize === undefined) throw new TypeError("AdaptiveAvgPool2d: missing required argument 'outputSize'");
    this.outputSize = a.outputSize as IntOrPair;
  }
  forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
  extraRepr(): string {
    return `output_size=${pyTuple(this.outputSize)}`;
  }
}

/** Deviation: `inplace` is accepted for printing parity but the op is never applied in place. */
export class ReLU extends Module {
  readonly inplace: boolean;
  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    this.inplace = checkBool(keywordArgs('ReLU', [inplace], ['inplace']).inplace, 'inplace');
  }
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
  extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  constructor(negativeSlope?: number | { negativeSlope?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean }) {
    super();
    const a = keywordArgs('LeakyReLU', [negativeSlope, inplace], ['negativeSlope', 'inplace']);
    this.negativeSlope = checkNumber(a.negativeSlope ?? 0.01, 'negativeSlope');
    this.inplace = checkBool(a.inplace, 'inplace');
  }
  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
  extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(approximate?: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' }) {
    super();
    const a = keywordArgs('GELU', [approximate], ['approximate']).approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh') throw new TypeError(`approximate: expected 'none' or 'tanh', got ${describe(a)}`);
    this.approximate = a;
  }
  forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }
  extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** Zeroes elements with probability p in training mode; the identity in eval mode. */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(p?: number | { p?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean }) {
    super();
    const a = keywordArgs('Dropout', [p, inplace], ['p', 'inplace']);
    this.p = checkNumber(a.p ?? 0.5, 'p');
    this.inplace = checkBool(a.inplace, 'inplace');
    if (this.p < 0 || this.p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${this.p}`);
  }
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
  extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(startDim?: number | { startDim?: number; endDim?: number }, endDim?: number | { endDim?: number }) {
    super();
    const a = keywordArgs('Flatten', [startDim, endDim], ['startDim', 'endDim']);
    this.startDim = checkInt(a.startDim ?? 1, 'startDim');
    this.endDim = checkInt(a.endDim ?? -1, 'endDim');
  }
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
  extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Returns its input. As PyTorch's nn.Identity it ignores any constructor arguments (its point is to
 * stand in for another layer, e.g. `new nn.Identity(54, { unusedArgument: 0.1 })`), so it is the one
 * layer that does not reject unknown options.
 */
export class Identity extends Module {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  constructor(..._args: unknown[]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}
