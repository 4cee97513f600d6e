// Conv1d, ConvTranspose2d, 1-D pooling and Upsample, with PyTorch 1.13's arguments, init and printing.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkBool, checkInt, checkOptions, describe, pair } from '../tensor/args.js';
import * as F from './functional.js';
import * as FL from './functional-layers.js';
import * as init from './init.js';
import { Module, Parameter } from './module.js';
import { keywordArgs } from './options.js';
import { pyBool, pyFloat, pyTuple } from './repr.js';
import type { PaddingMode } from './layers.js';

const single = (x: number | number[], name: string): [number] => {
  const v = Array.isArray(x) ? x : [x];
  if (v.length !== 1) throw new TypeError(`${name}: expected an int or a 1-element array, got ${describe(x)}`);
  return [checkInt(v[0], name)];
};

/** PyTorch's _ConvNd.reset_parameters: kaiming_uniform(a=√5) for the weight, U(±1/√fanIn) for the bias. */
function resetConv(weight: Tensor, bias: Tensor | null): void {
  init.kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fanIn] = init.calculateFanInAndFanOut(weight);
    if (fanIn !== 0) init.uniform_(bias, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
  }
}

export interface Conv1dOptions {
  stride?: number | [number];
  padding?: number | [number] | 'same' | 'valid';
  dilation?: number | [number];
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
  device?: string;
  dtype?: torch.DType;
}
/**
 * 1-D convolution over (N, C, L) or (C, L).
 * @example const conv = new nn.Conv1d(16, 33, 3, { stride: 2 }); conv.forward(torch.randn([20, 16, 50])).shape // [20, 33, 24]
 */
export class Conv1d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: [number];
  readonly stride: [number];
  readonly padding: [number] | 'same' | 'valid';
  readonly dilation: [number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number], options?: Conv1dOptions) {
    super();
    const o = checkOptions(options, 'Conv1d', ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode', 'device', 'dtype']);
    checkInt(inChannels, 'inChannels');
    checkInt(outChannels, 'outChannels');
    this.kernelSize = single(kernelSize, 'kernelSize');
    this.stride = single(o.stride ?? 1, 'stride');
    if (typeof o.padding === 'string' && o.padding !== 'same' && o.padding !== 'valid') {
      throw new TypeError(`padding: expected an int, 'same' or 'valid', got '${o.padding}'`);
    }
    this.padding = typeof o.padding === 'string' ? o.padding : single(o.padding ?? 0, 'padding');
    this.dilation = single(o.dilation ?? 1, 'dilation');
    this.groups = checkInt(o.groups ?? 1, 'groups');
    this.paddingMode = o.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(this.paddingMode)) {
      throw new TypeError(`paddingMode: expected 'zeros', 'reflect', 'replicate' or 'circular', got ${describe(this.paddingMode)}`);
    }
    if (inChannels % this.groups !== 0) throw new RangeError('in_channels must be divisible by groups');
    if (outChannels % this.groups !== 0) throw new RangeError('out_channels must be divisible by groups');
    if (this.padding === 'same' && this.stride[0] !== 1) throw new RangeError("padding='same' is not supported for strided convolutions");
    const opts = { dtype: o.dtype, device: o.device };
    this.weight = Parameter(torch.empty([outChannels, inChannels / this.groups, this.kernelSize[0]], opts));
    this.bias = o.bias ?? true ? Parameter(torch.empty([outChannels], opts)) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    resetConv(this.weight, this.bias);
  }
  forward(x: Tensor): Tensor {
    const conv = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode !== 'zeros' && typeof this.padding !== 'string') {
      const p = this.padding[0];
      return torch.tidy(() => FL.conv1d(F.pad(x, [p, p], { mode: this.paddingMode as 'reflect' }), this.weight, this.bias, { ...conv, padding: 0 }));
    }
    return FL.conv1d(x, this.weight, this.bias, { ...conv, padding: this.padding });
  }
  extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation[0] !== 1) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

type Pair = [number, number];
export interface ConvTranspose2dOptions {
  stride?: number | Pair;
  padding?: number | Pair;
  outputPadding?: number | Pair;
  groups?: number;
  bias?: boolean;
  dilation?: number | Pair;
  paddingMode?: 'zeros';
  device?: string;
  dtype?: torch.DType;
}
/**
 * Transposed 2-D convolution ("deconvolution"); the weight is (in, out/groups, kH, kW) as in PyTorch.
 * Deviation: forward takes no outputSize argument (give outputPadding instead).
 * @example new nn.ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1, outputPadding: 1 }) // doubles H and W
 */
export class ConvTranspose2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly outputPadding: Pair;
  readonly dilation: Pair;
  readonly groups: number;
  readonly paddingMode: 'zeros';
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | Pair, options?: ConvTranspose2dOptions) {
    super();
    const o = checkOptions(options, 'ConvTranspose2d', ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'paddingMode', 'device', 'dtype']);
    checkInt(inChannels, 'inChannels');
    checkInt(outChannels, 'outChannels');
    this.kernelSize = pair(kernelSize, 'kernelSize') as Pair;
    this.stride = pair(o.stride ?? 1, 'stride') as Pair;
    this.padding = pair(o.padding ?? 0, 'padding') as Pair;
    this.outputPadding = pair(o.outputPadding ?? 0, 'outputPadding') as Pair;
    this.dilation = pair(o.dilation ?? 1, 'dilation') as Pair;
    this.groups = checkInt(o.groups ?? 1, 'groups');
    this.paddingMode = o.paddingMode ?? 'zeros';
    if (this.paddingMode !== 'zeros') throw new TypeError(`Only "zeros" padding mode is supported for ConvTranspose2d, got ${describe(this.paddingMode)}`);
    if (inChannels % this.groups !== 0) throw new RangeError('in_channels must be divisible by groups');
    if (outChannels % this.groups !== 0) throw new RangeError('out_channels must be divisible by groups');
    const opts = { dtype: o.dtype, device: o.device };
    this.weight = Parameter(torch.empty([inChannels, outChannels / this.groups, ...this.kernelSize], opts));
    this.bias = o.bias ?? true ? Parameter(torch.empty([outChannels], opts)) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    resetConv(this.weight, this.bias);
  }
  forward(x: Tensor): Tensor {
    return FL.convTranspose2d(x, this.weight, this.bias,
      { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, groups: this.groups, dilation: this.dilation });
  }
  extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}

/** @example new nn.MaxPool1d(3, { stride: 2 }) */
export class MaxPool1d extends Module {
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly ceilMode: boolean;
  constructor(readonly kernelSize: number, options?: { stride?: number | null; padding?: number; dilation?: number; ceilMode?: boolean }) {
    super();
    const o = checkOptions(options, 'MaxPool1d', ['stride', 'padding', 'dilation', 'ceilMode']);
    checkInt(kernelSize, 'kernelSize');
    this.stride = checkInt(o.stride ?? kernelSize, 'stride');
    this.padding = checkInt(o.padding ?? 0, 'padding');
    this.dilation = checkInt(o.dilation ?? 1, 'dilation');
    this.ceilMode = checkBool(o.ceilMode, 'ceilMode');
  }
  forward(x: Tensor): Tensor {
    return FL.maxPool1d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
  extraRepr(): string {
    return `kernel_size=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, dilation=${this.dilation}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** @example new nn.AvgPool1d(3, { stride: 2 }) */
export class AvgPool1d extends Module {
  readonly kernelSize: [number];
  readonly stride: [number];
  readonly padding: [number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  constructor(kernelSize: number | [number], options?: { stride?: number | [number] | null; padding?: number | [number]; ceilMode?: boolean; countIncludePad?: boolean }) {
    super();
    const o = checkOptions(options, 'AvgPool1d', ['stride', 'padding', 'ceilMode', 'countIncludePad']);
    this.kernelSize = single(kernelSize, 'kernelSize');
    this.stride = o.stride === undefined || o.stride === null ? this.kernelSize : single(o.stride, 'stride');
    this.padding = single(o.padding ?? 0, 'padding');
    this.ceilMode = checkBool(o.ceilMode, 'ceilMode');
    this.countIncludePad = checkBool(o.countIncludePad, 'countIncludePad', true);
  }
  forward(x: Tensor): Tensor {
    return FL.avgPool1d(x, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }
  extraRepr(): string {
    return `kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}

export interface UpsampleOptions { size?: number | number[] | null; scaleFactor?: number | number[] | null; mode?: 'nearest' | 'bilinear'; alignCorners?: boolean | null }
/**
 * Upsamples (N, C, L) or (N, C, H, W) by F.interpolate ('nearest'; 'bilinear' for 4-D, with alignCorners).
 * @example new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true })
 */
export class Upsample extends Module {
  readonly size: number | number[] | null;
  readonly scaleFactor: number | number[] | null;
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean | null;
  constructor(size?: number | number[] | null | UpsampleOptions, scaleFactor?: number | number[] | null | UpsampleOptions,
    mode?: 'nearest' | 'bilinear' | UpsampleOptions, alignCorners?: boolean | null | UpsampleOptions) {
    super();
    const a = keywordArgs('Upsample', [size, scaleFactor, mode, alignCorners], ['size', 'scaleFactor', 'mode', 'alignCorners']) as UpsampleOptions;
    this.size = a.size ?? null;
    this.scaleFactor = a.scaleFactor ?? null;
    this.mode = a.mode ?? 'nearest';
    this.alignCorners = a.alignCorners ?? null;
    if (this.mode !== 'nearest' && this.mode !== 'bilinear') throw new TypeError(`mode: expected 'nearest' or 'bilinear', got ${describe(this.mode)}`);
  }
  forward(x: Tensor): Tensor {
    return FL.interpolate(x, this.size, { scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners });
  }
  extraRepr(): string {
    // PyTorch stores scale_factor as float(s) and prints the Python value: 2.0, (2.0, 3.0)
    const py = (v: number | number[], f: (x: number) => string): string => (Array.isArray(v) ? `(${v.map(f).join(', ')}${v.length === 1 ? ',' : ''})` : f(v));
    const info = this.scaleFactor !== null ? `scale_factor=${py(this.scaleFactor, pyFloat)}` : `size=${py(this.size ?? 'None' as never, String)}`;
    return `${info}, mode=${this.mode}`;
  }
}
