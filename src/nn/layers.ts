// The layers the lab uses, each with PyTorch's options, defaults, init (resetParameters) and
// printed form (extraRepr).
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import * as F from './functional.js';
import * as init from './init.js';
import { Buffer, Module, Parameter } from './module.js';
import { pyBool, pyFloat, pyTuple } from './repr.js';
import { checkInt, checkOptions, describe, pair } from '../tensor/args.js';

const pair2 = (x: number | [number, number], name: string): [number, number] => pair(x, name) as [number, number];

/**
 * y = x Wᵀ + b.
 * @example const fc = new nn.Linear(512, 10); const y = fc.forward(x);
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, options?: { bias?: boolean; device?: string; dtype?: torch.DType }) {
    super();
    const o = checkOptions(options, 'Linear', ['bias', 'device', 'dtype']);
    checkInt(inFeatures, 'inFeatures');
    checkInt(outFeatures, 'outFeatures');
    const opts = { dtype: o.dtype, device: o.device };
    this.weight = Parameter(torch.empty([outFeatures, inFeatures], opts));
    this.bias = o.bias ?? true ? Parameter(torch.empty([outFeatures], opts)) : null;
    this.resetParameters();
  }
  /** PyTorch's init: kaiming_uniform(a=√5) for the weight, U(±1/√fanIn) for the bias. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number] | 'same' | 'valid';
  dilation?: number | [number, number];
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
  device?: string;
  dtype?: torch.DType;
}
/**
 * 2-D convolution over (N, C, H, W).
 * @example new nn.Conv2d(3, 16, 3, { padding: 1 })
 */
export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number], options?: Conv2dOptions) {
    super();
    const o = checkOptions(options, 'Conv2d', ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'device', 'dtype']);
    this.kernelSize = pair2(kernelSize, 'kernelSize');
    this.stride = pair2(o.stride ?? 1, 'stride');
    this.padding = typeof o.padding === 'string' ? o.padding : pair2(o.padding ?? 0, 'padding');
    this.dilation = pair2(o.dilation ?? 1, 'dilation');
    this.groups = o.groups ?? 1;
    this.paddingMode = o.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(this.paddingMode)) {
      throw new TypeError(`paddingMode: expected 'zeros', 'reflect', 'replicate' or 'circular', got ${describe(this.paddingMode)}`);
    }
    if (inChannels % this.groups !== 0) throw new RangeError('in_channels must be divisible by groups');
    if (outChannels % this.groups !== 0) throw new RangeError('out_channels must be divisible by groups');
    if (this.padding === 'same' && this.stride.some((s) => s !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
    const opts = { dtype: o.dtype, device: o.device };
    this.weight = Parameter(torch.empty([outChannels, inChannels / this.groups, ...this.kernelSize], opts));
    this.bias = o.bias ?? true ? Parameter(torch.empty([outChannels], opts)) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) init.uniform_(this.bias, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
    }
  }
  forward(x: Tensor): Tensor {
    if (this.paddingMode !== 'zeros' && typeof this.padding !== 'string') {
      const [ph, pw] = this.padding;
      return torch.tidy(() => F.conv2d(F.pad(x, [pw, pw, ph, ph], { mode: this.paddingMode as 'reflect' }), this.weight, this.bias,
        { stride: this.stride, padding: 0, dilation: this.dilation, groups: this.groups }));
    }
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
  extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

export interface BatchNormOptions {
  eps?: number;
  /** null: a cumulative moving average, as in PyTorch. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  device?: string;
  dtype?: torch.DType;
}
abstract class BatchNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  numBatchesTracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  protected abstract readonly expectedDims: number[];
  constructor(readonly numFeatures: number, options?: BatchNormOptions) {
    super();
    const o = checkOptions(options, this.constructor.name, ['eps', 'momentum', 'affine', 'trackRunningStats', 'device', 'dtype']);
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
    const opts = { dtype: o.dtype, device: o.device };
    this.weight = this.affine ? Parameter(torch.empty([numFeatures], opts)) : null;
    this.bias = this.affine ? Parameter(torch.empty([numFeatures], opts)) : null;
    this.runningMean = this.trackRunningStats ? Buffer(torch.zeros([numFeatures], opts)) : null;
    this.runningVar = this.trackRunningStats ? Buffer(torch.ones([numFeatures], opts)) : null;
    this.numBatchesTracked = this.trackRunningStats ? Buffer(torch.zeros([], { dtype: 'int64', device: o.device })) : null;
    this.resetParameters();
  }
  resetRunningStats(): void {
    torch.noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }
  forward(x: Tensor): Tensor {
    if (!this.expectedDims.includes(x.dim())) {
      throw new RangeError(`expected ${this.expectedDims.map((d) => `${d}D`).join(' or ')} input (got ${x.dim()}D input)`);
    }
    // PyTorch's _BatchNorm.forward: the momentum to use, and when batch statistics are used.
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      torch.noGrad(() => this.numBatchesTracked!.add_(1));
      factor = this.momentum ?? 1 / (this.numBatchesTracked.item() as number);
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const track = !this.training || this.trackRunningStats;
    return F.batchNorm(x, track ? this.runningMean : null, track ? this.runningVar : null,
      { weight: this.weight, bias: this.bias, training: useBatchStats, momentum: factor, eps: this.eps });
  }
  extraRepr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}
/** BatchNorm over (N, C) or (N, C, L). */
export class BatchNorm1d extends BatchNorm {
  protected readonly expectedDims = [2, 3];
}
/** BatchNorm over (N, C, H, W). */
export class BatchNorm2d extends BatchNorm {
  protected readonly expectedDims = [4];
}
