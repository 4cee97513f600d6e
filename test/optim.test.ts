// Optimizers against PyTorch 1.13 (test/fixtures/optim.safetensors, made by test/gen/gen_optim.py):
// 50-step parameter trajectories of a fixed 2-layer MLP, param groups, stateDict resume, memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { F, optim, type Tensor } from '../src/index.js';
import { native } from '../src/tensor/native.js';

torch.setNumThreads(1); // tiny tensors: more threads only add contention (this file runs in its own process)
const { tensors: fx, metadata } = torch.loadWithMetadata(new URL('./fixtures/optim.safetensors', import.meta.url).pathname);
const NAMES = ['w1', 'b1', 'w2', 'b2'] as const;
type Params = Record<string, Tensor>;
interface Spec {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop';
  options: Record<string, unknown>;
  groups?: Array<Record<string, unknown> & { params: string[] }>;
  scheduler?: { type: 'OneCycleLR'; maxLr: number; options: Record<string, number> };
}
const CASES: Spec[] = JSON.parse(metadata.optim_cases);
const byName = (n: string): Spec => CASES.find((c) => c.name === n)!;

const makeParams = (from?: Params): Params => torch.tidy(() =>
  Object.fromEntries(NAMES.map((n) => [n, torch.keep((from?.[n] ?? fx[`model.${n}`]).detach().clone().requiresGrad_())])));

const CTORS = { SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, RMSprop: optim.RMSprop };
function makeOptimizer(p: Params, spec: Spec): optim.Optimizer {
  const Ctor = CTORS[spec.optimizer] as new (params: unknown, o: unknown) => optim.Optimizer;
  const groups = spec.groups ? spec.groups.map((g) => ({ ...g, params: g.params.map((n) => p[n]) })) : NAMES.map((n) => p[n]);
  return new Ctor(groups, spec.options);
}
const makeScheduler = (opt: optim.Optimizer, spec: Spec) =>
  spec.scheduler ? new optim.lrScheduler.OneCycleLR(opt, spec.scheduler.maxLr, spec.scheduler.options) : null;

const forward = (p: Params, x: Tensor): Tensor => F.linear(torch.tanh(F.linear(x, p.w1, p.b1)), p.w2, p.b2);

/** Steps [from, to) of the fixture's training loop; returns the losses. */
function train(p: Params, opt: optim.Optimizer, from: number, to: number, sched?: { step(): void } | null): number[] {
  const losses: number[] = [];
  for (let i = from; i < to; i++) {
    torch.tidy(() => {
      opt.zeroGrad();
      const loss = F.crossEntropy(forward(p, fx['data.x'].select(0, i % 5)), fx['data.y'].select(0, i % 5));
      loss.backward();
      opt.step();
      sched?.step();
      losses.push(loss.item() as number);
    });
  }
  return losses;
}

/** max |a - b| / (|b| + 1e-12) over the elements (reported), asserted <= rtol. */
function assertRel(actual: Tensor, expected: Tensor, rtol: number, what: string): void {
  const a = actual.data() as Float32Array;
  const e = expected.data() as Float32Array;
  assert.equal(a.length, e.length, `${what}: size`);
  for (let i = 0; i < a.length; i++) {
    const tol = rtol * Math.abs(e[i]) + 1e-7;
    if (!(Math.abs(a[i] - e[i]) <= tol)) assert.fail(`${what}: element ${i} is ${a[i]}, PyTorch has ${e[i]}`);
  }
}
const dispose = (p: Params, opt?: optim.Optimizer): void => {
  torch.dispose(Object.values(p));
  opt?.dispose();
};

for (const spec of CASES) {
  test(`${spec.name}: 50 steps end within 1e-5 relative of PyTorch's parameters`, () => {
    const p = makeParams();
    const opt = makeOptimizer(p, spec);
    const losses = train(p, opt, 0, 50, makeScheduler(opt, spec));
    const expectedLoss = fx[`opt.${spec.name}.loss`].data() as Float32Array;
    losses.forEach((l, i) => assert.ok(Math.abs(l - expectedLoss[i]) <= 1e-5 * Math.abs(expectedLoss[i]), `loss ${i}: ${l} vs ${expectedLoss[i]}`));
    for (const n of NAMES) assertRel(p[n].detach(), fx[`opt.${spec.name}.${n}`], 1e-5, `${spec.name}.${n}`);
    dispose(p, opt);
  });
}

test('foreach: the multi-tensor path (the default) ends bit for bit where the single-tensor path does', () => {
  // Count the multi-tensor calls, to know which path ran (the native object is a plain table of functions).
  const calls = { n: 0 };
  const orig = native.foreachAdd_;
  const origDiv = native.foreachAddcdiv_;
  native.foreachAdd_ = (...a: unknown[]) => (calls.n++, orig(...a));
  native.foreachAddcdiv_ = (...a: unknown[]) => (calls.n++, origDiv(...a));
  try {
    for (const spec of CASES) {
      const fused = makeParams();
      const single = makeParams();
      const optF = makeOptimizer(fused, spec);
      const optS = makeOptimizer(single, { ...spec, options: { ...spec.options, foreach: false } });
      const before = calls.n;
      const lf = train(fused, optF, 0, 20, makeScheduler(optF, spec));
      const covered = calls.n > before;
      const mid = calls.n;
      const ls = train(single, optS, 0, 20, makeScheduler(optS, spec));
      assert.equal(calls.n, mid, `${spec.name}: foreach: false must not take the multi-tensor path`);
      assert.deepEqual(lf, ls, `${spec.name}: losses`);
      for (const n of NAMES) assert.ok(torch.tidy(() => fused[n].equal(single[n])), `${spec.name}.${n} differs`);
      // options the multi-tensor path covers must take it
      const o = spec.options as { nesterov?: boolean; amsgrad?: boolean; centered?: boolean; maximize?: boolean; weightDecay?: number };
      const plain = !spec.groups && !o.nesterov && !o.amsgrad && !o.centered && !o.maximize && (!o.weightDecay || spec.optimizer === 'AdamW');
      if (plain) assert.ok(covered, `${spec.name}: the multi-tensor path did not run`);
      dispose(fused, optF);
      dispose(single, optS);
    }
  } finally {
    native.foreachAdd_ = orig;
    native.foreachAddcdiv_ = origDiv;
  }
  assert.ok(calls.n > 0);
  assert.throws(() => torch.foreach.foreachAdd_([torch.zeros(2)], []), /foreach: tensor lists of different lengths \(1 and 0\)/);
  assert.throws(() => torch.foreach.foreachDiv_([torch.zeros(2)], [1, 2]), /foreach: 2 scalars for 1 tensors/);
});

test('param groups: each group keeps its own options, the rest come from the defaults', () => {
  const p = makeParams();
  const opt = makeOptimizer(p, byName('sgd_groups'));
  assert.equal(opt.paramGroups.length, 2);
  assert.deepEqual(opt.paramGroups.map((g) => [g.lr, g.momentum, g.params.length]), [[0.1, 0.9, 2], [0.01, 0.5, 2]]);
  const adam = makeOptimizer(p, byName('adam_groups'));
  assert.deepEqual(adam.paramGroups.map((g) => [g.lr, g.weightDecay, g.amsgrad, g.betas]), [[0.02, 0, false, [0.9, 0.999]], [0.005, 0.1, true, [0.9, 0.999]]]);
  adam.addParamGroup({ params: [torch.zeros(2).requiresGrad_()], lr: 1 });
  assert.equal(adam.paramGroups[2].lr, 1);
  // PyTorch's layout (a blank line between groups), with torchlab's option names and JS values
  assert.equal(String(opt), 'SGD (\nParameter Group 0\n    dampening: 0\n    foreach: null\n    lr: 0.1\n    maximize: false\n    momentum: 0.9\n' +
    '    nesterov: false\n    weightDecay: 0\n\nParameter Group 1\n    dampening: 0\n    foreach: null\n    lr: 0.01\n    maximize: false\n' +
    '    momentum: 0.5\n    nesterov: false\n    weightDecay: 0\n)');
  dispose(p, opt);
});

test('stateDict has PyTorch\'s structure: state by index, groups with options and indices', () => {
  const p = makeParams();
  const opt = makeOptimizer(p, byName('adam_groups'));
  train(p, opt, 0, 2);
  const sd = opt.stateDict();
  assert.deepEqual(Object.keys(sd.state), ['0', '1', '2', '3']);
  assert.deepEqual(Object.keys(sd.state[0]), ['step', 'expAvg', 'expAvgSq']);
  assert.deepEqual(Object.keys(sd.state[2]), ['step', 'expAvg', 'expAvgSq', 'maxExpAvgSq']);
  assert.equal(sd.state[1].step, 2);
  assert.deepEqual((sd.state[3].expAvg as Tensor).shape, [3]);
  assert.deepEqual(sd.paramGroups, [
    { lr: 0.02, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, foreach: null, params: [0, 1] },
    { lr: 0.005, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.1, amsgrad: true, maximize: false, foreach: null, params: [2, 3] },
  ]);
  const sgd = new optim.SGD([p.w1], { lr: 0.1 });
  train(p, sgd, 0, 1);
  assert.deepEqual(sgd.stateDict().state, { 0: { momentumBuffer: null } }); // PyTorch stores None too
  dispose(p, opt);
  sgd.dispose();
});

for (const name of ['sgd_nesterov', 'adam_amsgrad', 'adamw', 'rmsprop_all', 'sgd_groups', 'adam_onecycle']) {
  test(`${name}: 25 steps, stateDict, a new model + optimizer, loadStateDict, 25 more = 50 straight`, () => {
    const spec = byName(name);
    const straight = makeParams();
    const optS = makeOptimizer(straight, spec);
    train(straight, optS, 0, 50, makeScheduler(optS, spec));

    const a = makeParams();
    const optA = makeOptimizer(a, spec);
    const schedA = makeScheduler(optA, spec);
    train(a, optA, 0, 25, schedA);
    const saved = torch.tidy(() => ({ opt: optA.stateDict(), sched: schedA?.stateDict(), model: a }));
    const b = makeParams(saved.model);
    const optB = makeOptimizer(b, spec);
    const schedB = makeScheduler(optB, spec);
    optB.loadStateDict(saved.opt);
    if (schedB) schedB.loadStateDict(saved.sched!);
    dispose(a, optA); // the loaded state is a copy: freeing the source must not matter
    train(b, optB, 25, 50, schedB);
    for (const n of NAMES) assert.ok(b[n].equal(straight[n]), `${name}.${n} differs from the straight run`);
    for (const n of NAMES) assertRel(b[n].detach(), fx[`opt.${name}.${n}`], 1e-5, `${name}.${n}`);
    dispose(straight, optS);
    dispose(b, optB);
  });
}

test('loadStateDict casts state to the parameter dtype and accepts PyTorch\'s tensor step', () => {
  const w = torch.ones([2], { requiresGrad: true });
  const opt = new optim.Adam([w], { lr: 0.1 });
  opt.loadStateDict({
    state: { 7: { step: torch.tensor(3), expAvg: torch.tensor([1, 2], { dtype: 'float64' }), expAvgSq: torch.ones([2]) } },
    paramGroups: [{ lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [7] }],
  });
  const st = opt.state.get(w)!;
  assert.equal(st.step, 3);
  assert.equal((st.expAvg as Tensor).dtype, 'float32');
  assert.equal(opt.paramGroups[0].lr, 0.5);
  assert.equal(opt.paramGroups[0].params[0], w);
  assert.throws(() => opt.loadStateDict({ state: {}, paramGroups: [] }), /different number of parameter groups/);
  assert.throws(() => opt.loadStateDict({ state: {}, paramGroups: [{ lr: 1, params: [0, 1] }] }), /doesn't match the size/);
  opt.dispose();
});

test('zeroGrad: null by default, zeros with setToNone: false', () => {
  const w = torch.ones([3], { requiresGrad: true });
  const opt = new optim.SGD([w], { lr: 0.1 });
  torch.tidy(() => w.mul(2).sum().backward());
  opt.zeroGrad({ setToNone: false });
  assert.deepEqual(torch.tidy(() => w.grad!.toArray()), [0, 0, 0]);
  opt.zeroGrad();
  assert.equal(w.grad, null);
  opt.step(); // no gradient: nothing happens, no state
  assert.equal(opt.state.size, 0);
  assert.equal(opt.step(() => 42), 42);
});

test('bad arguments are TypeError / RangeError in PyTorch\'s words', () => {
  const w = torch.zeros([2], { requiresGrad: true });
  assert.throws(() => new optim.SGD([w], { lr: -1 }), { name: 'RangeError', message: 'Invalid learning rate: -1' });
  assert.throws(() => new optim.SGD([w], { nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/);
  assert.throws(() => new optim.SGD([w], { learningRate: 1 } as never), /unknown option 'learningRate'/);
  assert.throws(() => new optim.Adam([w], { betas: [1, 0.9] }), /Invalid beta parameter at index 0: 1/);
  assert.throws(() => new optim.RMSprop([w], { alpha: -1 }), /Invalid alpha value/);
  assert.throws(() => new optim.SGD([]), /empty parameter list/);
  assert.throws(() => new optim.SGD([w.mul(2)]), /can't optimize a non-leaf Tensor/);
  assert.throws(() => new optim.SGD([{ params: [w] }, { params: [w] }]), /more than one parameter group/);
  assert.throws(() => new optim.SGD([{ params: [w], lr: '0.1' }] as never), /paramGroups\[0\]\.lr: expected a number/);
  assert.throws(() => new optim.SGD(5 as never), TypeError);
  assert.throws(() => new optim.lrScheduler.StepLR({} as never, 1), /is not an Optimizer/);
});

test('memory: 200 steps of each optimizer keep torch.memory().numTensors flat; dispose frees the state', () => {
  for (const name of ['sgd_nesterov', 'adam_amsgrad', 'rmsprop_all']) { // every kind of state
    const spec = byName(name);
    const before = torch.memory().numTensors;
    const p = makeParams();
    const opt = makeOptimizer(p, spec);
    train(p, opt, 0, 1);
    const afterFirst = torch.memory();
    train(p, opt, 1, 200);
    const end = torch.memory();
    assert.equal(end.numTensors, afterFirst.numTensors, `${name}: tensors`);
    assert.equal(end.numBytes, afterFirst.numBytes, `${name}: bytes`);
    dispose(p, opt);
    assert.equal(torch.memory().numTensors, before, `${name}: dispose`);
  }
});
