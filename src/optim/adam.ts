// optim.Adam and optim.AdamW: PyTorch 1.13's _single_tensor_adam / _single_tensor_adamw (the
// non-capturable branch), op for op, and _multi_tensor_adam / _multi_tensor_adamw (foreach; used unless
// foreach: false, same values bit for bit; amsgrad, maximize and Adam's L2 weightDecay take the
// single-tensor path). Deviation: amsgrad's `torch.maximum(a, b, out=a)` is
// `a.copy_(torch.maximum(a, b))` (one temporary more, same values); `step` is a JS number.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkOptions } from '../tensor/args.js';
import { checkRange, Optimizer, type ParamGroup, type Params, type ParamState } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** The multi-tensor path (null, the default: on; see optimizer.ts). */
  foreach: boolean | null;
}
const KEYS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize', 'foreach'];

function adamDefaults(who: string, options: Partial<AdamOptions> | undefined, weightDecay: number): AdamOptions {
  const o = checkOptions(options, who, KEYS);
  const d: AdamOptions = {
    lr: o.lr ?? 1e-3, betas: o.betas ?? [0.9, 0.999], eps: o.eps ?? 1e-8,
    weightDecay: o.weightDecay ?? weightDecay, amsgrad: o.amsgrad ?? false, maximize: o.maximize ?? false,
    foreach: o.foreach ?? null,
  };
  if (!Array.isArray(d.betas) || d.betas.length !== 2) throw new TypeError(`${who}: betas must be [beta1, beta2]`);
  checkRange(d.lr >= 0, 'learning rate', d.lr);
  checkRange(d.eps >= 0, 'epsilon value', d.eps);
  checkRange(d.betas[0] >= 0 && d.betas[0] < 1, 'beta parameter at index 0', d.betas[0]);
  checkRange(d.betas[1] >= 0 && d.betas[1] < 1, 'beta parameter at index 1', d.betas[1]);
  checkRange(d.weightDecay >= 0, 'weight_decay value', d.weightDecay);
  return { ...d, betas: [d.betas[0], d.betas[1]] };
}

/** The shared update; `decoupled` is AdamW's p *= 1 - lr·wd instead of Adam's g += wd·p. */
function adamUpdate(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<AdamOptions>, decoupled: boolean): void {
  if (state.step === undefined) {
    state.step = 0;
    state.expAvg = torch.keep(torch.zerosLike(p));
    state.expAvgSq = torch.keep(torch.zerosLike(p));
    if (g.amsgrad) state.maxExpAvgSq = torch.keep(torch.zerosLike(p));
  }
  const [beta1, beta2] = g.betas;
  const expAvg = state.expAvg as Tensor;
  const expAvgSq = state.expAvgSq as Tensor;
  if (g.maximize) grad = grad.neg();
  const step = (state.step as number) + 1;
  state.step = step;
  if (decoupled) p.mul_(1 - g.lr * g.weightDecay);
  else if (g.weightDecay !== 0) grad = grad.add(p, { alpha: g.weightDecay });

  expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
  expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const stepSize = g.lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  let denom: Tensor;
  if (g.amsgrad) {
    const maxSq = state.maxExpAvgSq as Tensor | undefined;
    if (!maxSq) throw new RangeError('Adam: amsgrad was turned on after this parameter\'s state was created');
    maxSq.copy_(torch.maximum(maxSq, expAvgSq));
    denom = maxSq.sqrt().div(biasCorrection2Sqrt).add_(g.eps);
  } else {
    denom = expAvgSq.sqrt().div(biasCorrection2Sqrt).add_(g.eps);
  }
  p.addcdiv_(expAvg, denom, { value: -stepSize });
}

/** The multi-tensor update (PyTorch 1.13's _multi_tensor_adam/adamw, non-capturable); false: not covered. */
function adamForeach(params: Tensor[], grads: Tensor[], states: ParamState[], g: ParamGroup<AdamOptions>, decoupled: boolean): boolean {
  if (g.amsgrad || g.maximize || (!decoupled && g.weightDecay !== 0)) return false;
  const f = torch.foreach;
  states.forEach((s, i) => {
    if (s.step === undefined) {
      s.step = 0;
      s.expAvg = torch.keep(torch.zerosLike(params[i]));
      s.expAvgSq = torch.keep(torch.zerosLike(params[i]));
    }
    s.step = (s.step as number) + 1;
  });
  const [beta1, beta2] = g.betas;
  const expAvgs = states.map((s) => s.expAvg as Tensor);
  const expAvgSqs = states.map((s) => s.expAvgSq as Tensor);
  if (decoupled) f.foreachMul_(params, 1 - g.lr * g.weightDecay);
  f.foreachMul_(expAvgs, beta1);
  f.foreachAdd_(expAvgs, grads, 1 - beta1);
  f.foreachMul_(expAvgSqs, beta2);
  f.foreachAddcmul_(expAvgSqs, grads, grads, 1 - beta2);
  const steps = states.map((s) => s.step as number);
  const stepSizes = steps.map((k) => -(g.lr / (1 - beta1 ** k)));
  const sqrts = f.foreachSqrt(expAvgSqs);
  f.foreachDiv_(sqrts, steps.map((k) => Math.sqrt(1 - beta2 ** k)));
  const denoms = f.foreachAddScalar(sqrts, g.eps);
  f.foreachAddcdiv_(params, expAvgs, denoms, stepSizes);
  return true;
}

/**
 * Adam (Kingma & Ba), with optional L2 weight decay added to the gradient and AMSGrad.
 * @example const opt = new optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] });
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options?: Partial<AdamOptions>) {
    super(params, adamDefaults('Adam', options, 0));
  }
  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<AdamOptions>): void {
    adamUpdate(p, grad, state, g, false);
  }
  protected updateForeach(params: Tensor[], grads: Tensor[], states: ParamState[], g: ParamGroup<AdamOptions>): boolean {
    return adamForeach(params, grads, states, g, false);
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay p *= 1 - lr·weightDecay
 * (weightDecay defaults to 1e-2).
 * @example const opt = new optim.AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.05 });
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options?: Partial<AdamOptions>) {
    super(params, adamDefaults('AdamW', options, 1e-2));
  }
  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup<AdamOptions>): void {
    adamUpdate(p, grad, state, g, true);
  }
  protected updateForeach(params: Tensor[], grads: Tensor[], states: ParamState[], g: ParamGroup<AdamOptions>): boolean {
    return adamForeach(params, grads, states, g, true);
  }
}
