// StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR and SequentialLR: PyTorch 1.13's
// chainable get_lr and closed forms, expression for expression (so the floating-point values match).
// Deviation: PyTorch's T_max / eta_min are `tMax` / `etaMin`; required arguments are positional,
// the rest one options object.
import { checkInt, checkNumber, checkOptions, describe } from '../tensor/args.js';
import type { Optimizer } from './optimizer.js';
import { LRScheduler, pyMod } from './scheduler.js';

const lrs = (s: { optimizer: Optimizer }): number[] => s.optimizer.paramGroups.map((g) => g.lr);

/** Number of elements of a sorted array <= x (Python's bisect_right). */
export function bisectRight(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Multiplies the lr by gamma every stepSize epochs.
 * @example new optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 })
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: Optimizer, stepSize: number, o?: { gamma?: number; lastEpoch?: number }) {
    super(optimizer);
    const opts = checkOptions(o, 'StepLR', ['gamma', 'lastEpoch']);
    this.stepSize = checkInt(stepSize, 'stepSize');
    if (stepSize <= 0) throw new RangeError(`stepSize: must be positive, got ${stepSize}`);
    this.gamma = checkNumber(opts.gamma ?? 0.1, 'gamma');
    this.start(opts.lastEpoch ?? -1);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs(this);
    return lrs(this).map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Multiplies the lr by gamma at each milestone (a milestone listed twice multiplies by gamma²).
 * @example new optim.lrScheduler.MultiStepLR(opt, [30, 80], { gamma: 0.1 })
 */
export class MultiStepLR extends LRScheduler {
  /** PyTorch's Counter: {epoch: how many times it is listed}. */
  milestones: Record<number, number> = {};
  gamma: number;
  constructor(optimizer: Optimizer, milestones: readonly number[], o?: { gamma?: number; lastEpoch?: number }) {
    super(optimizer);
    const opts = checkOptions(o, 'MultiStepLR', ['gamma', 'lastEpoch']);
    if (!Array.isArray(milestones)) throw new TypeError(`milestones: expected an array of integers, got ${describe(milestones)}`);
    for (const m of milestones) this.milestones[checkInt(m, 'milestones')] = (this.milestones[m] ?? 0) + 1;
    this.gamma = checkNumber(opts.gamma ?? 0.1, 'gamma');
    this.start(opts.lastEpoch ?? -1);
  }
  protected getLr(): number[] {
    const count = this.milestones[this.lastEpoch];
    if (count === undefined) return lrs(this);
    return lrs(this).map((lr) => lr * this.gamma ** count);
  }
  protected closedFormLr(): number[] {
    const sorted = Object.entries(this.milestones).flatMap(([m, n]) => Array(n).fill(Number(m)) as number[]).sort((a, b) => a - b);
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(sorted, this.lastEpoch));
  }
}

/**
 * Multiplies the lr by gamma every epoch.
 * @example new optim.lrScheduler.ExponentialLR(opt, 0.95)
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: Optimizer, gamma: number, o?: { lastEpoch?: number }) {
    super(optimizer);
    const opts = checkOptions(o, 'ExponentialLR', ['lastEpoch']);
    this.gamma = checkNumber(gamma, 'gamma');
    this.start(opts.lastEpoch ?? -1);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return lrs(this);
    return lrs(this).map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/**
 * Cosine annealing from the initial lr to etaMin over tMax epochs (SGDR without restarts; past
 * tMax it rises again, as PyTorch's recursive form does).
 * @example new optim.lrScheduler.CosineAnnealingLR(opt, 100, { etaMin: 1e-5 })
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;
  constructor(optimizer: Optimizer, tMax: number, o?: { etaMin?: number; lastEpoch?: number }) {
    super(optimizer);
    const opts = checkOptions(o, 'CosineAnnealingLR', ['etaMin', 'lastEpoch']);
    this.tMax = checkNumber(tMax, 'tMax');
    this.etaMin = checkNumber(opts.etaMin ?? 0, 'etaMin');
    this.start(opts.lastEpoch ?? -1);
  }
  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return lrs(this);
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + (b - etaMin) * (1 + Math.cos(e * Math.PI / T)) / 2);
    }
    if (pyMod(e - 1 - T, 2 * T) === 0) {
      return groups.map((g, i) => g.lr + (this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T)) / 2);
    }
    return groups.map((g) => (1 + Math.cos(Math.PI * e / T)) / (1 + Math.cos(Math.PI * (e - 1) / T)) * (g.lr - etaMin) + etaMin);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + (b - this.etaMin) * (1 + Math.cos(Math.PI * this.lastEpoch / this.tMax)) / 2);
  }
}

/**
 * Scales the lr by a factor going linearly from startFactor to endFactor over totalIters epochs
 * (a warmup with the defaults 1/3 -> 1 over 5).
 * @example new optim.lrScheduler.LinearLR(opt, { startFactor: 0.1, totalIters: 10 })
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: Optimizer, o?: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number }) {
    super(optimizer);
    const opts = checkOptions(o, 'LinearLR', ['startFactor', 'endFactor', 'totalIters', 'lastEpoch']);
    this.startFactor = checkNumber(opts.startFactor ?? 1 / 3, 'startFactor');
    this.endFactor = checkNumber(opts.endFactor ?? 1, 'endFactor');
    this.totalIters = checkInt(opts.totalIters ?? 5, 'totalIters');
    if (this.startFactor > 1 || this.startFactor < 0) throw new RangeError('Starting multiplicative factor expected to be between 0 and 1.');
    if (this.endFactor > 1 || this.endFactor < 0) throw new RangeError('Ending multiplicative factor expected to be between 0 and 1.');
    this.start(opts.lastEpoch ?? -1);
  }
  protected getLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n, lastEpoch: e } = this;
    if (e === 0) return lrs(this).map((lr) => lr * s);
    if (e > n) return lrs(this);
    return lrs(this).map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
  protected closedFormLr(): number[] {
    const { startFactor: s, endFactor: f, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + (f - s) * Math.min(n, this.lastEpoch) / n));
  }
}

/**
 * Runs schedulers one after another, switching at the milestones (each later one restarts at
 * epoch 0). Build the schedulers first, on the same optimizer, then this.
 * @example
 * const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const decay = new CosineAnnealingLR(opt, 95);
 * const sched = new SequentialLR(opt, [warmup, decay], [5]);
 */
export class SequentialLR extends LRScheduler {
  schedulers: LRScheduler[];
  milestones: number[];
  constructor(optimizer: Optimizer, schedulers: LRScheduler[], milestones: readonly number[], o?: { lastEpoch?: number }) {
    super(optimizer);
    const opts = checkOptions(o, 'SequentialLR', ['lastEpoch']);
    if (!Array.isArray(schedulers) || !Array.isArray(milestones)) throw new TypeError('SequentialLR: expected arrays of schedulers and milestones');
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new TypeError(`schedulers[${i}]: expected an LRScheduler, got ${describe(s)}`);
      if (s.optimizer !== optimizer) {
        throw new RangeError(`Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`);
      }
    });
    if (milestones.length !== schedulers.length - 1) {
      throw new RangeError(`Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`);
    }
    this.schedulers = schedulers;
    this.milestones = milestones.map((m) => checkInt(m, 'milestones'));
    this.lastEpoch = checkInt(opts.lastEpoch ?? -1, 'lastEpoch') + 1;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number; // reset to the initial lrs
    for (const s of schedulers) s.lastEpoch -= 1; // undo the step each one's constructor took
    schedulers[0].initialStep();
    this.lastLr = schedulers[0].getLastLr();
  }
  protected getLr(): number[] {
    return this.getLastLr();
  }
  step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }
  stateDict(): Record<string, unknown> {
    const { schedulers, ...rest } = super.stateDict();
    void schedulers;
    return { ...rest, schedulers: this.schedulers.map((s) => s.stateDict()) };
  }
  loadStateDict(state: Record<string, unknown>): void {
    const { schedulers, ...rest } = state;
    super.loadStateDict(rest);
    if (Array.isArray(schedulers)) schedulers.forEach((s, i) => this.schedulers[i].loadStateDict(s as Record<string, unknown>));
  }
}
