// OneCycleLR: PyTorch 1.13's, expression for expression. Deviations: the group keys it adds are
// camelCase (initialLr, maxLr, minLr, maxMomentum, baseMomentum); the anneal function is kept as
// its name (`annealStrategy`) so stateDict() is plain data; pctStart's float check is a range check.
import { checkBool, checkNumber, checkOptions, describe } from '../tensor/args.js';
import type { Optimizer } from './optimizer.js';
import { LRScheduler } from './scheduler.js';

export interface OneCycleLROptions {
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}
const KEYS = ['totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum',
  'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase', 'lastEpoch'];

interface Phase { endStep: number; startLr: string; endLr: string; startMomentum: string; endMomentum: string }

function positiveInt(x: unknown, name: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x <= 0) throw new RangeError(`Expected positive integer ${name}, but got ${describe(x)}`);
  return x;
}

/**
 * The 1cycle policy (Smith): lr rises from maxLr/divFactor to maxLr over pctStart of the steps,
 * then anneals to initialLr/finalDivFactor (threePhase: back to the initial lr, then down);
 * momentum (SGD's momentum or Adam's beta1) cycles inversely between maxMomentum and baseMomentum.
 * Step it after every batch.
 * @example const sched = new optim.lrScheduler.OneCycleLR(opt, 0.1, { epochs: 10, stepsPerEpoch: loader.length });
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  phases: Phase[];
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1 = false;

  constructor(optimizer: Optimizer, maxLr: number | number[], o?: OneCycleLROptions) {
    super(optimizer);
    const opts = checkOptions(o, 'OneCycleLR', KEYS);
    if (opts.totalSteps === undefined && opts.epochs === undefined && opts.stepsPerEpoch === undefined) {
      throw new RangeError('You must define either totalSteps OR (epochs AND stepsPerEpoch)');
    }
    this.totalSteps = opts.totalSteps !== undefined ? positiveInt(opts.totalSteps, 'totalSteps')
      : positiveInt(opts.epochs, 'epochs') * positiveInt(opts.stepsPerEpoch, 'stepsPerEpoch');
    const pctStart = checkNumber(opts.pctStart ?? 0.3, 'pctStart');
    const total = this.totalSteps;
    this.phases = checkBool(opts.threePhase, 'threePhase') ? [
      { endStep: pctStart * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
      { endStep: 2 * pctStart * total - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
      { endStep: total - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
    ] : [
      { endStep: pctStart * total - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
      { endStep: total - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
    ];
    if (pctStart < 0 || pctStart > 1) throw new RangeError(`Expected float between 0 and 1 pctStart, but got ${pctStart}`);
    const strategy = opts.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') {
      throw new RangeError(`annealStrategy must by one of 'cos' or 'linear', instead got ${describe(strategy)}`);
    }
    this.annealStrategy = strategy;

    const groups = optimizer.paramGroups;
    const lastEpoch = opts.lastEpoch ?? -1;
    const divFactor = checkNumber(opts.divFactor ?? 25, 'divFactor');
    const finalDivFactor = checkNumber(opts.finalDivFactor ?? 1e4, 'finalDivFactor');
    const maxLrs = perGroup('maxLr', groups.length, maxLr);
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / divFactor;
        g.maxLr = maxLrs[i];
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    }
    this.cycleMomentum = checkBool(opts.cycleMomentum, 'cycleMomentum', true);
    if (this.cycleMomentum) {
      const defaults = optimizer.defaults as unknown as Record<string, unknown>;
      if (!('momentum' in defaults) && !('betas' in defaults)) {
        throw new RangeError('optimizer must support momentum with `cycleMomentum` option enabled');
      }
      this.useBeta1 = 'betas' in defaults;
      const maxM = perGroup('maxMomentum', groups.length, opts.maxMomentum ?? 0.95);
      const baseM = perGroup('baseMomentum', groups.length, opts.baseMomentum ?? 0.85);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (this.useBeta1) g.betas = [maxM[i], ...(g.betas as number[]).slice(1)];
          else g.momentum = maxM[i];
          g.maxMomentum = maxM[i];
          g.baseMomentum = baseM[i];
        });
      }
    }
    this.start(lastEpoch);
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    const cosOut = Math.cos(Math.PI * pct) + 1;
    return end + (start - end) / 2.0 * cosOut;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new RangeError(`Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    }
    return this.optimizer.paramGroups.map((group) => {
      const g = group as Record<string, unknown>;
      let startStep = 0;
      let lr = NaN;
      let momentum = NaN;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i];
        const endStep = phase.endStep;
        if (stepNum <= endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          lr = this.anneal(g[phase.startLr] as number, g[phase.endLr] as number, pct);
          if (this.cycleMomentum) momentum = this.anneal(g[phase.startMomentum] as number, g[phase.endMomentum] as number, pct);
          break;
        }
        startStep = phase.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [momentum, ...(g.betas as number[]).slice(1)];
        else g.momentum = momentum;
      }
      return lr;
    });
  }
}

function perGroup(name: string, n: number, v: unknown): number[] {
  if (Array.isArray(v)) {
    if (v.length !== n) throw new RangeError(`expected ${n} values for ${name}, got ${v.length}`);
    return v.map((x) => checkNumber(x, name));
  }
  return Array(n).fill(checkNumber(v, name));
}
