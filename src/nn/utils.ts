// nn.utils: gradient clipping, PyTorch 1.13's clip_grad_norm_ / clip_grad_value_ op for op
// (clip_coef = max_norm / (total_norm + 1e-6), i.e. reciprocal(total_norm + 1e-6) * max_norm as
// Python's float / Tensor computes it, clamped to 1). Deviation: normType Infinity is JS's
// `Infinity` (or the string 'inf'); parameters may be any iterable of tensors.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { isTensor } from '../tensor/handles.js';
import { checkBool, checkNumber, checkOptions, describe } from '../tensor/args.js';

function paramList(parameters: Tensor | Iterable<Tensor>): Tensor[] {
  if (isTensor(parameters)) return [parameters];
  if (parameters === null || typeof (parameters as Iterable<Tensor>)?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`parameters: expected a Tensor or an iterable of Tensors, got ${describe(parameters)}`);
  }
  const list = [...parameters];
  list.forEach((p, i) => {
    if (!isTensor(p)) throw new TypeError(`parameters[${i}]: expected a Tensor, got ${describe(p)}`);
  });
  return list;
}

/**
 * Scales the gradients in place so that their total norm (as if concatenated into one vector) is
 * at most maxNorm; returns the total norm before clipping (a 0-dim tensor).
 * @example
 * loss.backward();
 * nn.utils.clipGradNorm_(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number,
  o?: { normType?: number | 'inf'; errorIfNonfinite?: boolean }): Tensor {
  const opts = checkOptions(o, 'clipGradNorm_', ['normType', 'errorIfNonfinite']);
  const params = paramList(parameters);
  checkNumber(maxNorm, 'maxNorm');
  const normType = opts.normType === 'inf' ? Infinity : checkNumber(opts.normType ?? 2, 'normType');
  const errorIfNonfinite = checkBool(opts.errorIfNonfinite, 'errorIfNonfinite');
  return torch.tidy(() => {
    const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
    if (grads.length === 0) return torch.tensor(0);
    const device = grads[0].device;
    let totalNorm: Tensor;
    if (normType === Infinity) {
      const norms = grads.map((g) => g.detach().abs().max().to(device));
      totalNorm = norms.length === 1 ? norms[0] : torch.stack(norms).max();
    } else {
      totalNorm = torch.stack(grads.map((g) => g.detach().norm(normType).to(device))).norm(normType);
    }
    if (errorIfNonfinite && !totalNorm.isfinite().item()) {
      throw new torch.TorchError(`The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
        'To disable this error and scale the gradients by the non-finite norm anyway, set `errorIfNonfinite=false`');
    }
    const clipCoef = totalNorm.add(1e-6).reciprocal().mul(maxNorm);
    const clipCoefClamped = clipCoef.clamp(null, 1.0);
    torch.noGrad(() => {
      for (const g of grads) g.detach().mul_(clipCoefClamped.to(g.device));
    });
    return totalNorm;
  });
}

/**
 * Clamps every gradient to [-clipValue, clipValue] in place.
 * @example nn.utils.clipGradValue_(model.parameters(), 0.5);
 */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const params = paramList(parameters);
  const v = checkNumber(clipValue, 'clipValue');
  torch.tidy(() => torch.noGrad(() => {
    for (const p of params) p.grad?.detach().clamp_(-v, v);
  }));
}
