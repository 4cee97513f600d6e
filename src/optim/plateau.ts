// ReduceLROnPlateau: PyTorch 1.13's, decision for decision. Deviations: getLastLr() works before the
// first step (the groups' lrs); `minLr` may be per group as in PyTorch; no `verbose` printing.
import type { Tensor } from '../tensor/index.js';
import { isTensor } from '../tensor/handles.js';
import { checkInt, checkNumber, checkOptions, describe } from '../tensor/args.js';
import type { Optimizer } from './optimizer.js';
import { checkOptimizer, copyData, restoreSchedulerState, schedulerState } from './scheduler.js';

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

/**
 * Multiplies the lr by `factor` once a metric has not improved for `patience` epochs (then waits
 * `cooldown` epochs); improvement is relative (`rel`) or absolute (`abs`) by `threshold`.
 * @example
 * const sched = new optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 5, factor: 0.5 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(validationLoss()); }
 */
export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  factor: number;
  minLrs: number[];
  patience: number;
  cooldown: number;
  cooldownCounter = 0;
  mode: 'min' | 'max' = 'min';
  threshold = 1e-4;
  thresholdMode: 'rel' | 'abs' = 'rel';
  best = Infinity;
  numBadEpochs = 0;
  modeWorse = Infinity;
  eps: number;
  lastEpoch = 0;
  protected lastLr: number[];

  constructor(optimizer: Optimizer, o?: ReduceLROnPlateauOptions) {
    const opts = checkOptions(o, 'ReduceLROnPlateau', ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    this.factor = checkNumber(opts.factor ?? 0.1, 'factor');
    if (this.factor >= 1.0) throw new RangeError('Factor should be < 1.0.');
    this.optimizer = checkOptimizer(optimizer);
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) throw new RangeError(`expected ${n} min_lrs, got ${minLr.length}`);
      this.minLrs = minLr.map((x) => checkNumber(x, 'minLr'));
    } else {
      this.minLrs = Array(n).fill(checkNumber(minLr, 'minLr'));
    }
    this.patience = checkInt(opts.patience ?? 10, 'patience');
    this.cooldown = checkInt(opts.cooldown ?? 0, 'cooldown');
    this.eps = checkNumber(opts.eps ?? 1e-8, 'eps');
    this.initIsBetter(opts.mode ?? 'min', checkNumber(opts.threshold ?? 1e-4, 'threshold'), opts.thresholdMode ?? 'rel');
    this.reset();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  /** Records the epoch's metric (a number or a one-element tensor) and reduces the lr if due. */
  step(metrics: number | Tensor): void {
    const current = isTensor(metrics) ? Number(metrics.item()) : checkNumber(metrics, 'metrics');
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // ignore any bad epochs in cooldown
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const oldLr = g.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) g.lr = newLr;
    });
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min' && this.thresholdMode === 'abs') return a < best - this.threshold;
    if (this.mode === 'max' && this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  private initIsBetter(mode: unknown, threshold: number, thresholdMode: unknown): void {
    if (mode !== 'min' && mode !== 'max') throw new RangeError(`mode ${String(mode)} is unknown!`);
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new RangeError(`threshold mode ${String(thresholdMode)} is unknown!`);
    this.modeWorse = mode === 'min' ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
  }

  /** The lr of every group after the last step(). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Every field but the optimizer. */
  stateDict(): Record<string, unknown> {
    return schedulerState(this);
  }

  loadStateDict(state: Record<string, unknown>): void {
    restoreSchedulerState(this, state);
    this.initIsBetter(this.mode, this.threshold, this.thresholdMode);
  }
}
