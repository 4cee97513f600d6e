// optim.RMSprop: PyTorch 1.13's _single_tensor_rmsprop, op for op, and _multi_tensor_rmsprop (foreach;
// used unless foreach: false, same values bit for bit; centered, maximize and weightDecay take the
// single-tensor path).
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkOptions } from '../tensor/args.js';
import { checkRange, Optimizer, type ParamGroup, type Params, type ParamState } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
  /** The multi-tensor path (null, the default: on; see optimizer.ts). */
  foreach: boolean | null;
}

/**
 * RMSprop (Hinton): v = α·v + (1-α)·g²; p -= lr · g / (√(v - ḡ²  if centered, else v) + eps),
 * through a momentum buffer when momentum > 0.
 * @example const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options?: Partial<RMSpropOptions>) {
    const o = checkOptions(options, 'RMSprop', ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize', 'foreach']);
    const d: RMSpropOptions = {
      lr: o.lr ?? 1e-2, alpha: o.alpha ?? 0.99, eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0,
      momentum: o.momentum ?? 0, centered: o.centered ?? false, maximize: o.maximize ?? false,
      foreach: o.foreach ?? null,
    };
    checkRange(d.lr >= 0, 'learning rate', d.lr);
    checkRange(d.eps >= 0, 'epsilon value', d.eps);
    checkRange(d.momentum >= 0, 'momentum value', d.momentum);
    checkRange(d.weightDecay >= 0, 'weight_decay value', d.weightDecay);
    checkRange(d.alpha >= 0, 'alpha value', d.alpha);
    super(params, d);
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<RMSpropOptions>): void {
    if (state.step === undefined) {
      state.step = 0;
      state.squareAvg = torch.keep(torch.zerosLike(p));
      if (g.momentum > 0) state.momentumBuffer = torch.keep(torch.zerosLike(p));
      if (g.centered) state.gradAvg = torch.keep(torch.zerosLike(p));
    }
    state.step = (state.step as number) + 1;
    if (g.maximize) grad = grad.neg();
    if (g.weightDecay !== 0) grad = grad.add(p, { alpha: g.weightDecay });
    const squareAvg = (state.squareAvg as Tensor).mul_(g.alpha).addcmul_(grad, grad, { value: 1 - g.alpha });
    let avg: Tensor;
    if (g.centered) {
      const gradAvg = state.gradAvg as Tensor | undefined;
      if (!gradAvg) throw new RangeError('RMSprop: centered was turned on after this parameter\'s state was created');
      gradAvg.mul_(g.alpha).add_(grad, { alpha: 1 - g.alpha });
      avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
    } else {
      avg = squareAvg.sqrt();
    }
    avg.add_(g.eps);
    if (g.momentum > 0) {
      const buf = state.momentumBuffer as Tensor | undefined;
      if (!buf) throw new RangeError('RMSprop: momentum was turned on after this parameter\'s state was created');
      buf.mul_(g.momentum).addcdiv_(grad, avg);
      p.add_(buf, { alpha: -g.lr });
    } else {
      p.addcdiv_(grad, avg, { value: -g.lr });
    }
  }

  protected updateForeach(params: Tensor[], grads: Tensor[], states: ParamState[], g: ParamGroup<RMSpropOptions>): boolean {
    if (g.centered || g.maximize || g.weightDecay !== 0) return false;
    if (g.momentum > 0 && states.some((s) => s.step !== undefined && !s.momentumBuffer)) return false; // the single path's error
    const f = torch.foreach;
    states.forEach((s, i) => {
      if (s.step === undefined) {
        s.step = 0;
        s.squareAvg = torch.keep(torch.zerosLike(params[i]));
        if (g.momentum > 0) s.momentumBuffer = torch.keep(torch.zerosLike(params[i]));
      }
      s.step = (s.step as number) + 1;
    });
    const squareAvgs = states.map((s) => s.squareAvg as Tensor);
    f.foreachMul_(squareAvgs, g.alpha);
    f.foreachAddcmul_(squareAvgs, grads, grads, 1 - g.alpha);
    const avgs = f.foreachAddScalar(f.foreachSqrt(squareAvgs), g.eps);
    if (g.momentum > 0) {
      const bufs = states.map((s) => s.momentumBuffer as Tensor);
      f.foreachMul_(bufs, g.momentum);
      f.foreachAddcdiv_(bufs, grads, avgs, bufs.map(() => 1));
      f.foreachAdd_(params, bufs, -g.lr);
    } else {
      f.foreachAddcdiv_(params, grads, avgs, params.map(() => -g.lr));
    }
    return true;
  }
}
