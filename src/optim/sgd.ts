// optim.SGD: PyTorch 1.13's _single_tensor_sgd, op for op.
// and _multi_tensor_sgd (foreach; used unless foreach: false, same values bit for bit).
// Deviation: lr defaults to 1e-3 (PyTorch >= 2.2; 1.13 required it).
// The multi-tensor path covers momentum and dampening; maximize, weightDecay and nesterov take
// the single-tensor path (PyTorch's multi-tensor nesterov also rewrites p.grad in place).
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
  /** The multi-tensor path (null, the default: on; see optimizer.ts). */
  foreach: boolean | null;
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
    const o = checkOptions(options, 'SGD', ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize', 'foreach']);
    const d: SGDOptions = {
      lr: o.lr ?? 1e-3, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0,
      weightDecay: o.weightDecay ?? 0, nesterov: o.nesterov ?? false, maximize: o.maximize ?? false,
      foreach: o.foreach ?? null,
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

  protected updateForeach(params: Tensor[], grads: Tensor[], states: ParamState[], g: ParamGroup<SGDOptions>): boolean {
    if (g.maximize || g.weightDecay !== 0 || g.nesterov) return false;
    let dps = grads;
    if (g.momentum !== 0) {
      if (states.every((s) => s.momentumBuffer)) {
        dps = states.map((s) => s.momentumBuffer as Tensor);
        torch.foreach.foreachMul_(dps, g.momentum);
        torch.foreach.foreachAdd_(dps, grads, 1 - g.dampening);
      } else {
        // the first step (or a parameter that got its first grad): PyTorch's per-tensor fallback
        dps = states.map((s, i) => {
          let buf = s.momentumBuffer as Tensor | null | undefined;
          if (!buf) s.momentumBuffer = buf = torch.keep(grads[i].clone());
          else buf.mul_(g.momentum).add_(grads[i], { alpha: 1 - g.dampening });
          return buf;
        });
      }
    } else {
      for (const s of states) s.momentumBuffer = null;
    }
    torch.foreach.foreachAdd_(params, dps, -g.lr);
    return true;
  }
}
