// torch.nn.functional forms of the layers issue 11 adds. Where libtorch has an ATen entry point
// that the addon does not bind yet, the computation is composed here from bound tensor ops,
// following ATen's own formula (and its order of operations, so float32 rounding stays close), so
// values and first-order gradients are PyTorch's; each such place is marked
// `TODO(generated ops): aten::<name>` so it can switch to the generated binding.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkBool, checkInt, checkNumber, checkOptions, describe, pair } from '../tensor/args.js';
import { conv2d, maxPool2d, avgPool2d, layerNorm, pad } from './functional.js';
import { warnOnce } from './warnings.js';

type Int1 = number | [number];
const one = (x: Int1 | number[], name: string): number => {
  const v = Array.isArray(x) ? x : [x];
  if (v.length !== 1) throw new TypeError(`${name}: expected an int or a 1-element array, got ${describe(x)}`);
  return checkInt(v[0], name);
};

export interface Conv1dOptions { stride?: Int1; padding?: Int1 | 'same' | 'valid'; dilation?: Int1; groups?: number }
/**
 * 1-D convolution over (N, C, L) or (C, L): a 2-D convolution with a 1-high kernel on the input
 * unsqueezed at dim -2 (the same numbers; TODO(generated ops): aten::conv1d).
 * @example F.conv1d(x, weight, bias, { padding: 1 })
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options?: Conv1dOptions): Tensor {
  const o = checkOptions(options, 'conv1d', ['stride', 'padding', 'dilation', 'groups']);
  if (weight.dim() !== 3) throw new RangeError(`conv1d: expected a 3-D weight (out, in/groups, k), got ${weight.dim()}-D`);
  if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`conv1d: expected 2D (unbatched) or 3D (batched) input, got ${input.dim()}D`);
  const p = o.padding ?? 0;
  const padding = typeof p === 'string' ? p : [0, one(p, 'padding')];
  return torch.tidy(() => conv2d(input.unsqueeze(-2), weight.unsqueeze(2), bias,
    { stride: [1, one(o.stride ?? 1, 'stride')], padding, dilation: [1, one(o.dilation ?? 1, 'dilation')], groups: o.groups ?? 1 }).squeeze(-2));
}

export interface ConvTranspose2dOptions {
  stride?: number | number[]; padding?: number | number[]; outputPadding?: number | number[]; groups?: number; dilation?: number | number[];
}
/**
 * Transposed 2-D convolution (the gradient of conv2d w.r.t. its input), composed as ATen's
 * reference does: zeros inserted between input pixels (stride), padded by dilation·(k−1)−padding
 * (+ outputPadding at the end), then a stride-1 conv2d with the kernel flipped and its in/out
 * channels swapped per group. TODO(generated ops): aten::conv_transpose2d.
 * @example F.convTranspose2d(x, weight, null, { stride: 2 })
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options?: ConvTranspose2dOptions): Tensor {
  const o = checkOptions(options, 'convTranspose2d', ['stride', 'padding', 'outputPadding', 'groups', 'dilation']);
  const [sh, sw] = pair(o.stride ?? 1, 'stride');
  const [ph, pw] = pair(o.padding ?? 0, 'padding');
  const [oph, opw] = pair(o.outputPadding ?? 0, 'outputPadding');
  const [dh, dw] = pair(o.dilation ?? 1, 'dilation');
  const g = checkInt(o.groups ?? 1, 'groups');
  if (weight.dim() !== 4) throw new RangeError(`convTranspose2d: expected a 4-D weight (in, out/groups, kH, kW), got ${weight.dim()}-D`);
  if (input.dim() !== 3 && input.dim() !== 4) throw new RangeError(`convTranspose2d: expected 3D (unbatched) or 4D (batched) input, got ${input.dim()}D`);
  if (oph >= sh && oph >= dh || opw >= sw && opw >= dw) throw new RangeError('convTranspose2d: outputPadding must be smaller than either stride or dilation');
  return torch.tidy(() => {
    const batched = input.dim() === 4 ? input : input.unsqueeze(0);
    const [n, c, h, w] = batched.shape;
    const [cin, coutG, kh, kw] = weight.shape;
    if (c !== cin) throw new torch.TorchError(`convTranspose2d: input has ${c} channels, the weight expects ${cin}`, 'RuntimeError');
    // zeros between pixels: (N, C, H, 1, W, 1) padded to (N, C, H, sh, W, sw), cut to (H-1)·sh+1
    let x = batched;
    if (sh > 1 || sw > 1) {
      x = pad(x.view([n, c, h, 1, w, 1]), [0, sw - 1, 0, 0, 0, sh - 1]).view([n, c, h * sh, w * sw])
        .narrow(2, 0, (h - 1) * sh + 1).narrow(3, 0, (w - 1) * sw + 1);
    }
    const eh = dh * (kh - 1) - ph, ew = dw * (kw - 1) - pw; // negative: a crop, as F.pad does
    x = pad(x, [ew, ew + opw, eh, eh + oph]);
    const wt = weight.view([g, cin / g, coutG, kh, kw]).transpose(1, 2).reshape([g * coutG, cin / g, kh, kw]).flip([2, 3]);
    const y = conv2d(x, wt, bias, { dilation: [dh, dw], groups: g });
    return input.dim() === 4 ? y : y.squeeze(0);
  });
}

export interface Pool1dOptions { stride?: Int1 | null; padding?: Int1; ceilMode?: boolean }
/** Max pooling over (N, C, L): ATen's max_pool1d is max_pool2d on a 1-high input when autograd records (TODO(generated ops): aten::max_pool1d). */
export function maxPool1d(input: Tensor, kernelSize: Int1, options?: Pool1dOptions & { dilation?: Int1 }): Tensor {
  const o = checkOptions(options, 'maxPool1d', ['stride', 'padding', 'dilation', 'ceilMode']);
  const k = one(kernelSize, 'kernelSize');
  const s = o.stride === undefined || o.stride === null ? k : one(o.stride, 'stride');
  return torch.tidy(() => maxPool2d(input.unsqueeze(-2), [1, k], { stride: [1, s], padding: [0, one(o.padding ?? 0, 'padding')],
    dilation: [1, one(o.dilation ?? 1, 'dilation')], ceilMode: checkBool(o.ceilMode, 'ceilMode') }).squeeze(-2));
}
/** Average pooling over (N, C, L), as ATen computes it: avg_pool2d with a (1, k) kernel (TODO(generated ops): aten::avg_pool1d). */
export function avgPool1d(input: Tensor, kernelSize: Int1, options?: Pool1dOptions & { countIncludePad?: boolean }): Tensor {
  const o = checkOptions(options, 'avgPool1d', ['stride', 'padding', 'ceilMode', 'countIncludePad']);
  const k = one(kernelSize, 'kernelSize');
  const s = o.stride === undefined || o.stride === null ? k : one(o.stride, 'stride');
  return torch.tidy(() => avgPool2d(input.unsqueeze(-2), [1, k], { stride: [1, s], padding: [0, one(o.padding ?? 0, 'padding')],
    ceilMode: checkBool(o.ceilMode, 'ceilMode'), countIncludePad: checkBool(o.countIncludePad, 'countIncludePad', true) }).squeeze(-2));
}

/**
 * Zeroes whole channels (dim 1 of (N, C, ...)) with probability p, scaling the rest by 1/(1−p):
 * ATen's feature_dropout, one Bernoulli(1−p) draw per (n, c) from the same generator, so masks equal
 * PyTorch's after the same manualSeed. As PyTorch 1.13, a 3-D input is taken as (N, C, L).
 * TODO(generated ops): aten::feature_dropout.
 */
export function dropout2d(input: Tensor, p = 0.5, training = true): Tensor {
  if (checkNumber(p, 'p') < 0 || p > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (input.dim() < 2) throw new RangeError(`dropout2d: expected an input with a channel dimension (N, C, ...), got ${input.dim()}-D`);
  if (input.dim() === 3) {
    warnOnce('dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is ' +
      'interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the ' +
      'input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please ' +
      'switch to using dropout1d instead.');
  } else if (input.dim() !== 4) {
    warnOnce(`dropout2d: Received a ${input.dim()}-D input to dropout2d, which is deprecated and will result in an error in a future ` +
      'release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide ' +
      'channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).');
  }
  if (!checkBool(training, 'training') || p === 0 || input.numel() === 0) return input;
  return torch.tidy(() => {
    if (p === 1) return input.mul(torch.zeros([], { dtype: input.dtype, device: input.device }));
    const shape = input.shape.map((s, i) => (i < 2 ? s : 1));
    const noise = torch.empty(shape, { dtype: input.dtype, device: input.device }).bernoulli_(1 - p);
    noise.div_(1 - p);
    return input.mul(noise);
  });
}

export interface EmbeddingOptions { paddingIdx?: number | null; maxNorm?: number | null; normType?: number }
/**
 * Rows of `weight` at the int64 indices `input`. As PyTorch: the paddingIdx row gets no gradient,
 * and with maxNorm the looked-up rows whose normType-norm exceeds it are rescaled in place to
 * maxNorm/(norm+1e-7) first (ATen's embedding_renorm_). TODO(generated ops): aten::embedding,
 * aten::embedding_renorm_.
 * @example F.embedding(torch.tensor([1n, 3n]), weight)
 */
export function embedding(input: Tensor, weight: Tensor, options?: EmbeddingOptions): Tensor {
  const o = checkOptions(options, 'embedding', ['paddingIdx', 'maxNorm', 'normType']);
  if (input.dtype !== 'int64' && input.dtype !== 'int32') {
    throw new TypeError(`embedding: expected indices of dtype int64 or int32, got ${input.dtype}`);
  }
  if (weight.dim() !== 2) throw new RangeError(`embedding: 'weight' must be 2-D, got ${weight.dim()}-D`);
  const num = weight.shape[0];
  let pad = o.paddingIdx ?? null;
  if (pad !== null) {
    checkInt(pad, 'paddingIdx');
    if (pad >= num || pad < -num) throw new RangeError(`Padding_idx must be within num_embeddings, got ${pad} for ${num} embeddings`);
    if (pad < 0) pad += num;
  }
  return torch.tidy(() => {
    const flat = input.reshape([-1]);
    if (o.maxNorm !== undefined && o.maxNorm !== null) {
      const maxNorm = checkNumber(o.maxNorm, 'maxNorm');
      torch.noGrad(() => {
        const rows = weight.indexSelect(0, flat);
        const norms = rows.norm(checkNumber(o.normType ?? 2, 'normType'), 1, true);
        const scale = torch.where(norms.gt(maxNorm), norms.add(1e-7).reciprocal().mul(maxNorm), 1);
        weight.indexPut_([flat], rows.mul(scale)); // repeated indices write the same row
      });
    }
    let out = weight.indexSelect(0, flat).view([...input.shape, weight.shape[1]]);
    if (pad !== null) out = torch.where(input.eq(pad).unsqueeze(-1), out.detach(), out); // ATen: no gradient to the padding row
    return out;
  });
}

/**
 * Group normalisation over (N, C, ...): the statistics of each of numGroups channel groups are a
 * layer norm of the (N, G, C/G·rest) view (the same biased mean and variance, the same eps
 * placement as ATen's kernel), then the per-channel affine. TODO(generated ops): aten::group_norm.
 */
export function groupNorm(input: Tensor, numGroups: number, options?: { weight?: Tensor | null; bias?: Tensor | null; eps?: number }): Tensor {
  const o = checkOptions(options, 'groupNorm', ['weight', 'bias', 'eps']);
  checkInt(numGroups, 'numGroups');
  if (input.dim() < 2) throw new RangeError(`groupNorm: expected at least 2 dimensions (N, C, ...), got ${input.dim()}`);
  const [n, c] = input.shape;
  if (c % numGroups !== 0) throw new torch.TorchError(`Expected number of channels in input to be divisible by num_groups, but got input of shape [${input.shape.join(', ')}] and num_groups=${numGroups}`, 'RuntimeError');
  return torch.tidy(() => {
    const grouped = input.reshape([n, numGroups, -1]);
    let y = layerNorm(grouped, [grouped.shape[2]], { eps: checkNumber(o.eps ?? 1e-5, 'eps') }).view(input.shape);
    const bshape = input.shape.map((s, i) => (i === 1 ? s : 1));
    if (o.weight) y = y.mul(o.weight.view(bshape));
    if (o.bias) y = y.add(o.bias.view(bshape));
    return y;
  });
}

export const hardswish = (input: Tensor): Tensor =>
  // x·min(max(x+3, 0), 6)/6 in ATen's order; clamp's gradient passes at ±3 as hardswish_backward does (TODO(generated ops): aten::hardswish)
  torch.tidy(() => input.mul(input.add(3).clamp(0, 6)).div(6));
/** ELU: x for x > 0, alpha·(eˣ − 1) otherwise (TODO(generated ops): aten::elu; ATen uses expm1, so values near 0 differ by float rounding). */
export const elu = (input: Tensor, alpha = 1.0): Tensor =>
  torch.tidy(() => torch.where(input.gt(0), input, input.exp().sub(1).mul(checkNumber(alpha, 'alpha'))));
/** PReLU: x for x > 0, weight·x otherwise, weight per channel (dim 1) or one for all (TODO(generated ops): aten::prelu). */
export function prelu(input: Tensor, weight: Tensor): Tensor {
  return torch.tidy(() => {
    const n = weight.numel();
    if (n !== 1 && (input.dim() < 2 ? input.shape[0] !== n : input.shape[1] !== n)) {
      throw new torch.TorchError(`Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${input.dim() < 2 ? input.shape[0] : input.shape[1]}.`, 'RuntimeError');
    }
    const w = n === 1 ? weight.reshape([]) : weight.view(input.shape.map((s, i) => (i === (input.dim() < 2 ? 0 : 1) ? s : 1)));
    return torch.where(input.gt(0), input, input.mul(w));
  });
}

export interface InterpolateOptions {
  scaleFactor?: number | number[] | null;
  mode?: 'nearest' | 'bilinear';
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}
/**
 * Resizes (N, C, L) or (N, C, H, W) ('nearest') or (N, C, H, W) ('bilinear'): the source indices and
 * weights are ATen's (computed in float32 as its CPU kernel does) and the output is gathered with
 * indexSelect, so the gradient is the kernel's scatter-add. TODO(generated ops): aten::upsample_nearest2d,
 * aten::upsample_bilinear2d.
 */
export function interpolate(input: Tensor, size?: number | number[] | null, options?: InterpolateOptions): Tensor {
  const o = checkOptions(options, 'interpolate', ['scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor']);
  const mode = o.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear') throw new TypeError(`interpolate: mode: expected 'nearest' or 'bilinear', got ${describe(mode)}`);
  const spatial = input.dim() - 2;
  if (mode === 'bilinear' && spatial !== 2) throw new RangeError(`Got ${input.dim()}D input, but bilinear mode needs 4D input`);
  if (spatial < 1 || spatial > 2) throw new RangeError(`interpolate: expected 3D or 4D input (N, C, ...), got ${input.dim()}D`);
  if (mode === 'nearest' && o.alignCorners !== undefined && o.alignCorners !== null) {
    throw new TypeError('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
  }
  const alignCorners = checkBool(o.alignCorners ?? false, 'alignCorners');
  const given = (size ?? null) !== null, scaled = (o.scaleFactor ?? null) !== null;
  if (given === scaled) throw new TypeError(given ? 'only one of size or scale_factor should be defined' : 'either size or scale_factor should be defined');
  const inSizes = input.shape.slice(2);
  const list = (v: number | number[], name: string): number[] => {
    const a = Array.isArray(v) ? v : inSizes.map(() => v);
    if (a.length !== spatial) throw new RangeError(`interpolate: ${name} has ${a.length} elements, the input ${spatial} spatial dimensions`);
    return a.map((x) => checkNumber(x, name));
  };
  const factors = scaled ? list(o.scaleFactor!, 'scaleFactor') : null;
  const outSizes = given ? list(size!, 'size').map((s) => checkInt(s, 'size')) : inSizes.map((s, i) => Math.floor(s * factors![i]));
  // the kernel's scale: 1/scaleFactor when one is given (and not recomputed), else in/out
  const scaleOf = (i: number): number => Math.fround(factors && !o.recomputeScaleFactor && factors[i] > 0 ? 1 / factors[i] : inSizes[i] / outSizes[i]);
  return torch.tidy(() => {
    let y = input;
    // last dim first: ATen's bilinear sums h-weights of w-interpolated values
    for (let i = spatial - 1; i >= 0; i--) {
      const dim = 2 + i, inS = inSizes[i], outS = outSizes[i];
      if (mode === 'nearest') {
        const idx = Array.from({ length: outS }, (_, j) =>
          (outS === inS ? j : outS === 2 * inS ? j >> 1 : Math.min(Math.floor(Math.fround(j * scaleOf(i))), inS - 1)));
        y = y.indexSelect(dim, torch.tensor(idx, { dtype: 'int64', device: input.device }));
        continue;
      }
      // the kernel's opmath: double for float64 input, float otherwise
      const fr = input.dtype === 'float64' ? (x: number): number => x : Math.fround;
      const kernelScale = factors && !o.recomputeScaleFactor && factors[i] > 0 ? 1 / factors[i] : inS / outS;
      const scale = alignCorners ? (outS > 1 ? fr((inS - 1) / (outS - 1)) : 0) : fr(kernelScale);
      const i0: number[] = [], i1: number[] = [], l0: number[] = [], l1: number[] = [];
      for (let j = 0; j < outS; j++) {
        const src = alignCorners ? fr(scale * j) : Math.max(fr(fr(scale * (j + 0.5)) - 0.5), 0);
        const k = Math.min(Math.floor(src), inS - 1);
        const lambda = Math.min(Math.max(fr(src - k), 0), 1);
        i0.push(k); i1.push(k + (k < inS - 1 ? 1 : 0)); l1.push(lambda); l0.push(fr(1 - lambda));
      }
      const shape = y.shape.map((_s, d) => (d === dim ? outS : 1));
      const on = { dtype: input.dtype, device: input.device }, at = { dtype: 'int64' as const, device: input.device };
      const w0 = torch.tensor(l0, on).view(shape), w1 = torch.tensor(l1, on).view(shape);
      y = y.indexSelect(dim, torch.tensor(i0, at)).mul(w0).add(y.indexSelect(dim, torch.tensor(i1, at)).mul(w1));
    }
    return y === input ? input.clone() : y;
  });
}

