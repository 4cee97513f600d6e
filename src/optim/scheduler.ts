// The base of the LR schedulers (PyTorch 1.13's _LRScheduler): the chainable form, where each
// step computes the new lr from the group's current lr, so values equal PyTorch's.
//
// Deviations from PyTorch:
// - Subclasses set their fields and then call `start(lastEpoch)` (PyTorch's super().__init__ at
//   the end of __init__): JS initializes a subclass's fields only after super() returns.
// - No `verbose` printing, and no wrapping of optimizer.step() to warn about call order.
// - stateDict() holds every field but the optimizer, in camelCase (`lastEpoch`, `baseLrs`,
//   `stepCount` for PyTorch's `_step_count`, ...).
import { checkInt, describe } from '../tensor/args.js';
import { Optimizer } from './optimizer.js';

/** Plain data deep-copied: arrays and plain objects are copied, everything else kept as is. */
export function copyData<T>(v: T): T {
  if (Array.isArray(v)) return v.map(copyData) as T;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyData(x)])) as T;
  }
  return v;
}

export function checkOptimizer(optimizer: unknown): Optimizer {
  if (!(optimizer instanceof Optimizer)) throw new TypeError(`${describe(optimizer)} is not an Optimizer`);
  return optimizer;
}

/** Python's a % b (the sign of b), for PyTorch's modular conditions. */
/** A scheduler's state: every field but the optimizer, deep-copied (PyTorch's __dict__ minus optimizer). */
export function schedulerState(s: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (k !== 'optimizer') out[k] = copyData(v);
  return out;
}
/** Restores what schedulerState saved (PyTorch's __dict__.update). */
export function restoreSchedulerState(s: object, state: Record<string, unknown>): void {
  if (state === null || typeof state !== 'object') throw new TypeError(`loadStateDict: expected an object, got ${describe(state)}`);
  for (const [k, v] of Object.entries(state)) if (k !== 'optimizer') (s as Record<string, unknown>)[k] = copyData(v);
}

export const pyMod = (a: number, b: number): number => ((a % b) + b) % b;

/**
 * Base class of the epoch / iteration schedulers: `step()` advances `lastEpoch` and writes the
 * new lr into every param group; `getLastLr()` returns what it wrote.
 * @example
 * const sched = new optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 });
 * for (let epoch = 0; epoch < 90; epoch++) { train(); sched.step(); }
 */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** Every group's initialLr (the lr the schedule starts from). */
  baseLrs: number[] = [];
  /** The number of step() calls so far, minus one (-1 before the constructor's initial step). */
  lastEpoch = -1;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  constructor(optimizer: Optimizer) {
    this.optimizer = checkOptimizer(optimizer);
  }

  /** The chainable form: the next lr of every group from the current ones. */
  protected abstract getLr(): number[];
  /** The closed form at lastEpoch, used by step(epoch) (as PyTorch does where it has one). */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** PyTorch's _LRScheduler.__init__ tail: records initialLr / baseLrs and takes the initial step. */
  protected start(lastEpoch: number): void {
    checkInt(lastEpoch, 'lastEpoch');
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) if (!('initialLr' in g)) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (!('initialLr' in g)) {
          throw new RangeError(`param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`);
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.initialStep();
  }

  /** Resets the step count and takes the first step (SequentialLR calls this too). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The lr of every group as the last step() set it. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * Advances the schedule by one (call after optimizer.step()). `epoch` (deprecated in PyTorch,
   * used by SequentialLR) jumps to that epoch with the closed form where there is one.
   */
  step(epoch?: number): void {
    this.stepCount += 1;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch += 1;
      values = this.getLr();
    } else {
      this.lastEpoch = checkInt(epoch, 'epoch');
      values = this.closedFormLr() ?? this.getLr();
    }
    const groups = this.optimizer.paramGroups;
    groups.forEach((g, i) => {
      g.lr = values[i];
    });
    this.lastLr = groups.map((g) => g.lr);
  }

  /** Every field but the optimizer (deep copies). */
  stateDict(): Record<string, unknown> {
    return schedulerState(this);
  }

  /** Restores fields saved by stateDict() (PyTorch's __dict__.update). */
  loadStateDict(state: Record<string, unknown>): void {
    restoreSchedulerState(this, state);
  }
}
