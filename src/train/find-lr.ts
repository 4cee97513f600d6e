// train.findLr (also optim.findLr): the LR range test (Smith; fastai's lr_find / torch-lr-finder's exponential mode).
// Not in PyTorch itself. The loss curve is smoothed with fastai's debiased moving average
// (avg = β·avg + (1-β)·loss, smoothed = avg / (1 - β^(i+1))) with β = 1 - smoothing, and the
// suggestion is fastai's "steepest": the lr where the smoothed loss falls fastest against log(lr),
// ignoring the first tenth and the last 5 points (the explosion), and anything after the minimum.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkInt, checkNumber, checkOptions, describe } from '../tensor/args.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';

export interface FindLrOptions {
  /** First lr (default 1e-7). */
  startLr?: number;
  /** Last lr (default 10), reached at iteration numIter - 1. */
  endLr?: number;
  /** Iterations (default 100); the loader is restarted when it runs out. */
  numIter?: number;
  /** Weight of the newest loss in the moving average (default 0.05; fastai's β = 1 - smoothing). */
  smoothing?: number;
  /** Stop once the smoothed loss exceeds divergeThreshold × the best smoothed loss (default 5). */
  divergeThreshold?: number;
}
export interface FindLrResult {
  /** The lr of every iteration run. */
  lrs: number[];
  /** The smoothed loss of every iteration run. */
  losses: number[];
  /** The raw loss of every iteration run. */
  rawLosses: number[];
  /** Where the smoothed loss falls fastest (null if too few points were recorded). */
  suggestedLr: number | null;
  /** True when the run stopped early because the loss exploded (or became NaN / infinite). */
  diverged: boolean;
}

/**
 * Trains with an lr growing exponentially from startLr to endLr, one batch per iteration, records
 * the smoothed loss, and then restores the model's and the optimizer's state (and clears grads).
 * Every param group gets the same lr during the test.
 * @example
 * const { suggestedLr } = optim.findLr(model, batches, new optim.SGD(model.parameters()), F.crossEntropy);
 */
export function findLr(model: Module, loader: Iterable<readonly [Tensor, Tensor]>, optimizer: Optimizer,
  lossFn: (output: Tensor, target: Tensor) => Tensor, o?: FindLrOptions): FindLrResult {
  const opts = checkOptions(o, 'findLr', ['startLr', 'endLr', 'numIter', 'smoothing', 'divergeThreshold']);
  const startLr = checkNumber(opts.startLr ?? 1e-7, 'startLr');
  const endLr = checkNumber(opts.endLr ?? 10, 'endLr');
  const numIter = checkInt(opts.numIter ?? 100, 'numIter');
  const smoothing = checkNumber(opts.smoothing ?? 0.05, 'smoothing');
  const divergeThreshold = checkNumber(opts.divergeThreshold ?? 5, 'divergeThreshold');
  if (!(startLr > 0 && endLr > startLr)) throw new RangeError(`findLr: need 0 < startLr < endLr, got ${startLr} and ${endLr}`);
  if (numIter < 2) throw new RangeError(`numIter: must be at least 2, got ${numIter}`);
  if (!(smoothing > 0 && smoothing <= 1)) throw new RangeError(`smoothing: must be in (0, 1], got ${smoothing}`);
  if (!(divergeThreshold > 1)) throw new RangeError(`divergeThreshold: must be > 1, got ${divergeThreshold}`);
  if (loader === null || typeof (loader as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`loader: expected an iterable of [input, target] batches, got ${describe(loader)}`);
  }
  if (typeof lossFn !== 'function') throw new TypeError(`lossFn: expected a function, got ${describe(lossFn)}`);

  const modelState = torch.tidy(() => Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, torch.keep(t.clone())])));
  const optState = snapshot(optimizer);
  const lrs: number[] = [];
  const losses: number[] = [];
  const rawLosses: number[] = [];
  let diverged = false;
  try {
    let it = loader[Symbol.iterator]();
    const beta = 1 - smoothing;
    let avg = 0;
    let best = Infinity;
    for (let i = 0; i < numIter; i++) {
      const lr = startLr * (endLr / startLr) ** (i / (numIter - 1));
      for (const g of optimizer.paramGroups) g.lr = lr;
      const loss = torch.tidy(() => {
        let next = it.next();
        if (next.done) {
          it = loader[Symbol.iterator]();
          next = it.next();
          if (next.done) return null; // a one-shot iterator ran out
        }
        const [x, y] = next.value;
        optimizer.zeroGrad();
        const l = lossFn(model.forward(x), y);
        l.backward();
        optimizer.step();
        return Number(l.item());
      });
      if (loss === null) {
        if (i === 0) throw new RangeError('findLr: the loader yielded no batches');
        break;
      }
      avg = beta * avg + (1 - beta) * loss;
      const smooth = avg / (1 - beta ** (i + 1));
      lrs.push(lr);
      losses.push(smooth);
      rawLosses.push(loss);
      if (!Number.isFinite(smooth) || smooth > divergeThreshold * best) {
        diverged = true;
        break;
      }
      if (smooth < best) best = smooth;
    }
  } finally {
    torch.tidy(() => {
      model.loadStateDict(modelState);
    });
    optimizer.loadStateDict(optState);
    optimizer.zeroGrad();
    torch.dispose([Object.values(modelState), Object.values(optState.state).map((s) => Object.values(s))]);
  }
  return { lrs, losses, rawLosses, suggestedLr: steepest(lrs, losses), diverged };
}

/** A copy of a state dict whose tensors are kept clones (the live state keeps changing). */
function snapshot(optimizer: Optimizer): OptimizerStateDict {
  return torch.tidy(() => {
    const sd = optimizer.stateDict(); // detached views, freed by this tidy
    return {
      paramGroups: sd.paramGroups,
      state: Object.fromEntries(Object.entries(sd.state).map(([i, s]) => [i,
        Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v !== null && typeof v === 'object' ? torch.keep(v.clone()) : v]))])),
    };
  });
}

/**
 * fastai's steepest-descent suggestion over lrs[n/10 .. n-5], and (unlike fastai) only up to the
 * smoothed loss's minimum: a sweep that blew up without crossing divergeThreshold can fall again
 * while it recovers (seen on the lab's CNN: 2.3 → 5 → 4.5 at lr > 2), and that fall is no lr to suggest.
 * Exported for tests.
 */
export function steepest(lrs: number[], losses: number[]): number | null {
  const n = losses.length;
  let min = -1;
  for (let i = 0; i < n; i++) if (Number.isFinite(losses[i]) && (min < 0 || losses[i] < losses[min])) min = i;
  let lo = Math.floor(n / 10);
  let hi = Math.min(n - 5, min + 1);
  if (hi - lo < 2) [lo, hi] = [0, min + 1];
  if (hi - lo < 2) return null;
  let bestI = -1;
  let bestG = Infinity;
  for (let i = lo; i < hi - 1; i++) {
    const g = (losses[i + 1] - losses[i]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i]));
    if (g < bestG) [bestG, bestI] = [g, i];
  }
  return bestI < 0 ? null : lrs[bestI];
}
