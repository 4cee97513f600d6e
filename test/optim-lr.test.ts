// LR schedulers against PyTorch 1.13 (test/fixtures/optim.safetensors, made by test/gen/gen_optim.py):
// the lr (and momentum / beta1) of every param group after construction and after each of 100
// steps must equal PyTorch's within 1e-12 relative; stateDict round trips resume the sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { optim, type Tensor } from '../src/index.js';

const { lrScheduler } = optim;
torch.setNumThreads(1); // tiny tensors: more threads only add contention (this file runs in its own process)
const { tensors: fx, metadata } = torch.loadWithMetadata(new URL('./fixtures/optim.safetensors', import.meta.url).pathname);

interface SchedSpec {
  type: string;
  options?: Record<string, unknown>;
  stepSize?: number;
  milestones?: number[];
  gamma?: number;
  tMax?: number;
  maxLr?: number | number[];
  schedulers?: SchedSpec[];
}
interface Case {
  name: string;
  optimizer: 'SGD' | 'Adam';
  options: Record<string, unknown>;
  groups: Array<Record<string, unknown> & { params: string[] }>;
  scheduler: SchedSpec;
}
const CASES: Case[] = JSON.parse(metadata.sched_cases);
type Scheduler = optim.lrScheduler.LRScheduler | optim.lrScheduler.ReduceLROnPlateau;

function makeOptimizer(c: Case): optim.Optimizer {
  const groups = c.groups.map((g) => ({ ...g, params: g.params.map(() => torch.zeros([1], { requiresGrad: true })) }));
  return c.optimizer === 'SGD' ? new optim.SGD(groups, c.options) : new optim.Adam(groups, c.options);
}

function makeScheduler(opt: optim.Optimizer, s: SchedSpec): Scheduler {
  const o = s.options as never;
  switch (s.type) {
    case 'StepLR': return new lrScheduler.StepLR(opt, s.stepSize!, o);
    case 'MultiStepLR': return new lrScheduler.MultiStepLR(opt, s.milestones!, o);
    case 'ExponentialLR': return new lrScheduler.ExponentialLR(opt, s.gamma!, o);
    case 'CosineAnnealingLR': return new lrScheduler.CosineAnnealingLR(opt, s.tMax!, o);
    case 'LinearLR': return new lrScheduler.LinearLR(opt, o);
    case 'OneCycleLR': return new lrScheduler.OneCycleLR(opt, s.maxLr!, o);
    case 'SequentialLR': {
      const subs = s.schedulers!.map((x) => makeScheduler(opt, x) as optim.lrScheduler.LRScheduler);
      return new lrScheduler.SequentialLR(opt, subs, s.milestones!);
    }
    case 'ReduceLROnPlateau': return new lrScheduler.ReduceLROnPlateau(opt, o);
    default: throw new Error(s.type);
  }
}

const momentumOf = (g: optim.ParamGroup): number => ('betas' in g ? (g.betas as number[])[0] : (g.momentum as number));
const rows = (t: Tensor): number[][] => t.toArray() as number[][];

function assertSeq(actual: number[][], expected: number[][], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((row, i) => row.forEach((v, j) => {
    const e = expected[i][j];
    assert.ok(Math.abs(v - e) <= 1e-12 * Math.abs(e), `${what}: step ${i}, group ${j}: ${v}, PyTorch has ${e}`);
  }));
}

/** Records [lr per group] and [momentum per group] from `from` to `to` steps. */
function run(c: Case, opt: optim.Optimizer, sched: Scheduler, from: number, to: number) {
  const lrs: number[][] = [];
  const moms: number[][] = [];
  const metrics = c.scheduler.type === 'ReduceLROnPlateau' ? (fx[`sched.${c.name}.metrics`].data() as Float64Array) : null;
  if (from === 0) {
    lrs.push(opt.paramGroups.map((g) => g.lr));
    moms.push(opt.paramGroups.map(momentumOf));
  }
  for (let i = from; i < to; i++) {
    opt.step();
    if (metrics) (sched as optim.lrScheduler.ReduceLROnPlateau).step(metrics[i]);
    else (sched as optim.lrScheduler.LRScheduler).step();
    lrs.push(opt.paramGroups.map((g) => g.lr));
    moms.push(opt.paramGroups.map(momentumOf));
    assert.deepEqual(sched.getLastLr(), lrs[lrs.length - 1]);
  }
  return { lrs, moms };
}

for (const c of CASES) {
  test(`${c.name}: 100 steps of lr and momentum equal PyTorch's (1e-12 relative)`, () => {
    const opt = makeOptimizer(c);
    const sched = makeScheduler(opt, c.scheduler);
    const { lrs, moms } = run(c, opt, sched, 0, 100);
    assertSeq(lrs, rows(fx[`sched.${c.name}.lr`]), `${c.name} lr`);
    assertSeq(moms, rows(fx[`sched.${c.name}.momentum`]), `${c.name} momentum`);
  });
}

for (const name of ['step', 'cosine_restarts', 'onecycle_adam', 'sequential_3', 'plateau_min_rel', 'linear_warmup']) {
  test(`${name}: stateDict after 40 steps + loadStateDict into a new optimizer and scheduler resumes exactly`, () => {
    const c = CASES.find((x) => x.name === name)!;
    const optA = makeOptimizer(c);
    const schedA = makeScheduler(optA, c.scheduler);
    run(c, optA, schedA, 0, 40);
    const saved = { opt: optA.stateDict(), sched: JSON.parse(JSON.stringify(schedA.stateDict(), (_k, v) => (v === Infinity ? 'Inf' : v))) };
    const optB = makeOptimizer(c);
    const schedB = makeScheduler(optB, c.scheduler);
    optB.loadStateDict(saved.opt);
    // a JSON round trip (as a checkpoint file would do), Infinity spelled out
    schedB.loadStateDict(JSON.parse(JSON.stringify(saved.sched), (_k, v) => (v === 'Inf' ? Infinity : v)));
    const { lrs, moms } = run(c, optB, schedB, 40, 100);
    assertSeq(lrs, rows(fx[`sched.${c.name}.lr`]).slice(41), `${name} lr`);
    assertSeq(moms, rows(fx[`sched.${c.name}.momentum`]).slice(41), `${name} momentum`);
  });
}

test('closed forms (step(epoch)) agree with the chainable forms', () => {
  const w = torch.zeros([1], { requiresGrad: true });
  for (const make of [
    (o: optim.Optimizer) => new lrScheduler.StepLR(o, 7, { gamma: 0.5 }),
    (o: optim.Optimizer) => new lrScheduler.MultiStepLR(o, [3, 9, 9], { gamma: 0.5 }),
    (o: optim.Optimizer) => new lrScheduler.ExponentialLR(o, 0.9),
    (o: optim.Optimizer) => new lrScheduler.CosineAnnealingLR(o, 20, { etaMin: 0.01 }),
    (o: optim.Optimizer) => new lrScheduler.LinearLR(o, { startFactor: 0.2, totalIters: 8 }),
  ]) {
    const chain = make(new optim.SGD([w], { lr: 1 }));
    const closedOpt = new optim.SGD([w], { lr: 1 });
    const closed = make(closedOpt);
    for (let e = 1; e <= 20; e++) {
      chain.step();
      closed.step(e);
      const [a] = chain.getLastLr();
      const [b] = closed.getLastLr();
      assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b), `${chain.constructor.name} epoch ${e}: ${a} vs ${b}`);
    }
  }
});

test('scheduler argument errors', () => {
  const opt = new optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 0.1 });
  assert.throws(() => new lrScheduler.LinearLR(opt, { startFactor: 2 }), /Starting multiplicative factor/);
  assert.throws(() => new lrScheduler.StepLR(opt, 3, { gama: 0.1 } as never), /unknown option 'gama'/);
  assert.throws(() => new lrScheduler.OneCycleLR(opt, 0.1), /totalSteps OR \(epochs AND stepsPerEpoch\)/);
  assert.throws(() => new lrScheduler.ReduceLROnPlateau(opt, { factor: 1 }), /Factor should be < 1.0/);
  assert.throws(() => new lrScheduler.ReduceLROnPlateau(opt, { mode: 'up' as never }), /mode up is unknown!/);
  const oc = new lrScheduler.OneCycleLR(opt, 0.1, { totalSteps: 2 });
  oc.step();
  oc.step();
  assert.throws(() => oc.step(), /Tried to step 4 times. The specified number of total steps is 2/);
  class Plain extends optim.Optimizer { // an optimizer with neither momentum nor betas
    constructor(params: Tensor[]) { super(params, { lr: 0.1 }); }
    protected update(): void {}
  }
  const plain = new Plain([torch.zeros([1], { requiresGrad: true })]);
  assert.throws(() => new lrScheduler.OneCycleLR(plain, 0.1, { totalSteps: 5 }), /must support momentum/);
  assert.doesNotThrow(() => new lrScheduler.OneCycleLR(plain, 0.1, { totalSteps: 5, cycleMomentum: false }));
  const fresh = new optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 0.1 });
  assert.throws(() => new lrScheduler.StepLR(fresh, 3, { lastEpoch: 5 }), /initialLr' is not specified/);
  const plateau = new lrScheduler.ReduceLROnPlateau(fresh);
  plateau.step(torch.tensor(1.5));
  assert.equal(plateau.best, 1.5);
});
