// optim.SGD: PyTorch 1.13's _single_tensor_sgd, op for op.
// Deviation: lr defaults to 1e-3 (PyTorch >= 2.2; 1.13 required it).
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkOptions } from '../tensor/args.js';
import { checkRange, Optimizer, type ParamGroup, type Params, type ParamState } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * Stochastic gradient descent, optionally with momentum (heavy ball or Nesterov), dampening and
 * L2 weight decay:
 * g = ±∇ + wd·p; buf = momentum·buf + (1 - dampening)·g (buf = g at the first step);
 * p -= lr · (nesterov ? g + momentum·buf : buf).
 * @example const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options?: Partial<SGDOptions>) {
    const o = checkOptions(options, 'SGD', ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize']);
    const d: SGDOptions = {
      lr: o.lr ?? 1e-3, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0,
      weightDecay: o.weightDecay ?? 0, nesterov: o.nesterov ?? false, maximize: o.maximize ?? false,
    };
    checkRange(d.lr >= 0, 'learning rate', d.lr);
    checkRange(d.momentum >= 0, 'momentum value', d.momentum);
    checkRange(d.weightDecay >= 0, 'weight_decay value', d.weightDecay);
    if (d.nesterov && (d.momentum <= 0 || d.dampening !== 0)) {
      throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    }
    super(params, d);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<SGDOptions>): void {
    let dp = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) dp = dp.add(p, { alpha: g.weightDecay });
    if (g.momentum !== 0) {
      let buf = state.momentumBuffer as Tensor | null | undefined;
      if (!buf) {
        buf = torch.keep(dp.clone());
        state.momentumBuffer = buf;
      } else {
        buf.mul_(g.momentum).add_(dp, { alpha: 1 - g.dampening });
      }
      dp = g.nesterov ? dp.add(buf, { alpha: g.momentum }) : buf;
    } else {
      state.momentumBuffer = null; // as PyTorch stores None
    }
    p.add_(dp, { alpha: -g.lr });
  }
}
