// torch.nn.init: PyTorch's formulas, drawing from the same generator, so after the same
// manualSeed the initial weights equal PyTorch's. Each fills in place without recording autograd.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.sqrt(2);
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope ** 2));
    }
    case 'selu': return 3 / 4;
    default: throw new TypeError(`nonlinearity: unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

/** [fanIn, fanOut] of a weight: dims 1 and 0 times the receptive field (dims 2..). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  const s = t.shape;
  if (s.length < 2) throw new torch.TorchError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions', 'ValueError');
  const receptive = s.slice(2).reduce((a, b) => a * b, 1);
  return [s[1] * receptive, s[0] * receptive];
}

function fan(t: Tensor, mode: 'fan_in' | 'fan_out'): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new TypeError(`mode: expected 'fan_in' or 'fan_out', got ${String(mode)}`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return mode === 'fan_in' ? fanIn : fanOut;
}

const inPlace = (t: Tensor, f: () => void): Tensor => {
  torch.noGrad(f);
  return t;
};

export const uniform_ = (t: Tensor, a = 0, b = 1): Tensor => inPlace(t, () => t.uniform_(a, b));
export const normal_ = (t: Tensor, mean = 0, std = 1): Tensor => inPlace(t, () => t.normal_(mean, std));
export const constant_ = (t: Tensor, value: number): Tensor => inPlace(t, () => t.fill_(value));
export const zeros_ = (t: Tensor): Tensor => inPlace(t, () => t.zero_());
export const ones_ = (t: Tensor): Tensor => inPlace(t, () => t.fill_(1));

export interface KaimingOptions {
  /** The negative slope of the rectifier after this layer (leaky_relu only). */
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}
/** He et al. (2015), uniform: U(-b, b) with b = gain * sqrt(3 / fan). */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const std = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan(t, o.mode ?? 'fan_in'));
  const bound = Math.sqrt(3) * std;
  return uniform_(t, -bound, bound);
}
/** He et al. (2015), normal: N(0, gain / sqrt(fan)). */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const std = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan(t, o.mode ?? 'fan_in'));
  return normal_(t, 0, std);
}
/** Glorot & Bengio (2010), uniform: U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}
/** Glorot & Bengio (2010), normal: N(0, gain * sqrt(2 / (fanIn + fanOut))). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}
