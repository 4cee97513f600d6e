// Gradient-flow diagnostics: the L2 norm of every parameter's gradient after a backward pass,
// in model order (input → output). Recorded every N steps by fit(); plotted per layer, it shows
// whether early layers still receive gradient (the notebook's vanishing-gradient argument).
import * as torch from '../tensor/index.js';
import type { Module } from '../nn/module.js';

/**
 * The gradient norm of each parameter that has a gradient, keyed by its stateDict name.
 * One stacked reduction and one copy to JS, however many layers the model has.
 * @example const norms = train.gradNorms(model); // { 'conv.0.weight': 0.013, ... }
 */
export function gradNorms(model: Module, o: { weightsOnly?: boolean } = {}): Record<string, number> {
  return torch.tidy(() => {
    const names: string[] = [];
    const norms: torch.Tensor[] = [];
    for (const [name, p] of model.namedParameters()) {
      const g = p.grad;
      if (g === null) continue;
      // weightsOnly keeps the conv/linear weights (≥ 2-D): biases and BatchNorm scales say little about depth.
      if (o.weightsOnly && p.dim() < 2) continue;
      names.push(name);
      norms.push(g.detach().float().norm());
    }
    if (norms.length === 0) return {};
    const values = torch.stack(norms).cpu().data() as Float32Array;
    return Object.fromEntries(names.map((n, i) => [n, values[i]]));
  });
}
