// The training loop (src/train): fit's records and run directory, evaluate, schedulers, gradient
// flow, divergence, memory over many epochs, checkpoints, BasicModel and CPU autocast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import * as torch from '../src/index.js';
import { F, nn, optim, data, models, type Tensor } from '../src/index.js';
import * as train from '../src/train/index.js';

torch.setNumThreads(1);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'torchlab-train-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

/** A learnable toy problem: class = (x0 + x1 > 0), 4 features. Tensors are kept (caller disposes). */
function toyData(n: number, seed: number): data.TensorDataset {
  return torch.tidy(() => {
    torch.manualSeed(seed);
    const x = torch.randn([n, 4]);
    const y = x.index(':', 0).add(x.index(':', 1)).gt(0).long();
    return new data.TensorDataset(torch.keep(x), torch.keep(y));
  });
}
const disposeDs = (ds: data.TensorDataset): void => torch.dispose([ds.data, ds.targets]);

function mlp(seed: number, dropout = false): nn.Sequential {
  torch.manualSeed(seed);
  return dropout
    ? new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(16, 2))
    : new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 2));
}

const QUIET = { progress: false, log: null, device: 'cpu' } as const;
const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
const close = (a: number, b: number, tol = 1e-6, what = 'value'): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

function assertSameWeights(a: Record<string, Tensor>, b: Record<string, Tensor>, what: string): void {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${what}: keys`);
  for (const k of Object.keys(a)) assert.ok(torch.equal(a[k], b[k]), `${what}: ${k} differs`);
}

test('fit: records, run directory, readRun, final weights and checkpoint', async () => {
  const trainDs = toyData(96, 1);
  const testDs = toyData(40, 2);
  const loader = new data.DataLoader(trainDs, { batchSize: 16, shuffle: true, seed: 3 });
  const testLoader = new data.DataLoader(testDs, { batchSize: 16 });
  const model = mlp(0);
  const opt = new optim.SGD(model.parameters(), { lr: 0.2, momentum: 0.9 });
  const dir = path.join(tmp, 'fit-basic');
  const lines: string[] = [];
  const stepsSeen: number[] = [];
  const epochsSeen: number[] = [];
  let ended: train.RunResult | null = null;
  const run = await train.fit(model, loader, opt, {
    epochs: 8, testLoader, runDir: dir, progress: false, device: 'cpu', log: (s) => lines.push(s),
    config: { model: 'mlp-4-16-2', batchSize: 16, dataset: 'toy' },
    callbacks: { onStep: (s) => stepsSeen.push(s.step), onEpochEnd: (e) => epochsSeen.push(e.epoch), onEnd: (r) => { ended = r; } },
  });
  assert.equal(run.status, 'completed');
  assert.equal(run.divergence, null);
  assert.equal(run.name, 'fit-basic');
  assert.equal(ended, run);
  // steps: 6 batches × 8 epochs, numbered over the run
  assert.equal(run.steps.length, 6 * 8);
  run.steps.forEach((s, i) => {
    assert.equal(s.step, i);
    assert.equal(s.epoch, Math.floor(i / 6));
    assert.equal(s.lr, 0.2);
    assert.ok(Number.isFinite(s.loss) && s.loss > 0);
  });
  assert.deepEqual(stepsSeen, run.steps.map((s) => s.step));
  assert.deepEqual(epochsSeen, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(run.epochs.length, 8);
  for (const e of run.epochs) {
    close(e.trainLoss, mean(run.steps.filter((s) => s.epoch === e.epoch).map((s) => s.loss)), 1e-12, `epoch ${e.epoch} train loss`);
    assert.ok(e.trainAccuracy >= 0 && e.trainAccuracy <= 100);
    // 96 samples: accuracy is a multiple of 1/96
    close((e.trainAccuracy * 96) / 100, Math.round((e.trainAccuracy * 96) / 100), 1e-9, 'train accuracy × N');
    assert.equal(typeof e.testLoss, 'number');
    assert.equal(typeof e.testAccuracy, 'number');
    assert.equal(e.lr, 0.2);
    assert.ok(e.seconds >= 0);
  }
  // it learns: the last epoch's loss is well below the first's, and the test accuracy is high
  assert.ok(run.epochs[7].trainLoss < 0.6 * run.epochs[0].trainLoss, `loss ${run.epochs[0].trainLoss} → ${run.epochs[7].trainLoss}`);
  assert.ok(run.test!.accuracy >= 85, `test accuracy ${run.test!.accuracy}`);
  // the run's test result is the last epoch's evaluation, and a fresh evaluate() agrees
  const ev = await train.evaluate(model, testLoader, { device: 'cpu' });
  assert.deepEqual(run.test, ev);
  assert.equal(run.epochs[7].testLoss, ev.loss);
  assert.equal(run.epochs[7].testAccuracy, ev.accuracy);
  assert.equal(ev.total, 40);
  assert.equal(lines.length, 8);
  assert.match(lines[0], /^\[fit-basic\] epoch 0: train loss \d+\.\d{4}, accuracy \d+\.\d% \| test loss \d+\.\d{4}, accuracy \d+\.\d% \| lr 0\.2 \| \d+\.\d s$/);

  // config.json
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  assert.equal(config.name, 'fit-basic');
  assert.equal(config.epochs, 8);
  assert.equal(config.optimizer, 'SGD');
  assert.equal(config.optimizerOptions.lr, 0.2);
  assert.equal(config.optimizerOptions.momentum, 0.9);
  assert.equal(config.model, 'mlp-4-16-2');
  assert.equal(config.batchSize, 16);
  assert.equal(config.dataset, 'toy');
  assert.equal(config.device, 'cpu');
  assert.equal(config.scheduler, null);
  assert.deepEqual(config, JSON.parse(JSON.stringify(run.config)));

  // metrics.jsonl: every line parses; readRun rebuilds the same numbers
  const text = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
  const rawLines = text.trimEnd().split('\n');
  for (const l of rawLines) assert.doesNotThrow(() => JSON.parse(l), l);
  const metrics = train.readMetrics(path.join(dir, 'metrics.jsonl'));
  assert.equal(metrics.length, rawLines.length);
  const count = (t: string): number => metrics.filter((m) => m.type === t).length;
  assert.equal(count('step'), 48);
  assert.equal(count('epoch'), 8);
  assert.equal(count('test'), 1);
  assert.equal(count('end'), 1);
  assert.equal(metrics.at(-1)!.type, 'end');
  const back = train.readRun(dir);
  assert.equal(back.name, run.name);
  assert.equal(back.status, 'completed');
  assert.deepEqual(back.steps, run.steps);
  assert.deepEqual(back.epochs, run.epochs);
  assert.deepEqual(back.test, run.test);
  assert.equal(back.seconds, run.seconds);
  assert.deepEqual(back.config, JSON.parse(JSON.stringify(run.config)));

  // model.safetensors holds the final weights
  const final = torch.tidy(() => {
    const saved = torch.load(path.join(dir, 'model.safetensors'));
    assertSameWeights(saved, model.stateDict(), 'model.safetensors');
    return Object.keys(saved).length;
  });
  assert.equal(final, 4);
  // checkpoint.safetensors continues after epoch 8 with the same weights and momentum
  const model2 = mlp(99);
  const opt2 = new optim.SGD(model2.parameters(), { lr: 0.5, momentum: 0.1 });
  const info = train.loadCheckpoint(path.join(dir, 'checkpoint.safetensors'), { model: model2, optimizer: opt2 });
  assert.equal(info.epoch, 8);
  assert.equal(info.extra.step, 48);
  assert.equal(opt2.paramGroups[0].lr, 0.2);
  assert.equal(opt2.paramGroups[0].momentum, 0.9);
  torch.tidy(() => {
    assertSameWeights(model2.stateDict(), model.stateDict(), 'checkpoint weights');
    const a = opt.stateDict();
    const b = opt2.stateDict();
    for (const i of Object.keys(a.state)) assert.ok(torch.equal(a.state[+i].momentumBuffer as Tensor, b.state[+i].momentumBuffer as Tensor));
  });
  for (const x of [model, model2]) x.dispose();
  opt.dispose();
  opt2.dispose();
  disposeDs(trainDs);
  disposeDs(testDs);
});

test('fit without runDir writes nothing; epochs: 0 trains nothing but still evaluates', async () => {
  const ds = toyData(32, 5);
  const loader = new data.DataLoader(ds, { batchSize: 8 });
  const model = mlp(1);
  const before = torch.tidy(() => Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, torch.keep(v.clone())])));
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const cwd = fs.readdirSync(process.cwd()).length;
  const run = await train.fit(model, loader, opt, { ...QUIET, epochs: 0, testLoader: loader });
  assert.equal(run.steps.length, 0);
  assert.equal(run.epochs.length, 0);
  assert.equal(run.name, 'run');
  assert.deepEqual(run.test, await train.evaluate(model, loader, { device: 'cpu' }));
  assert.equal(fs.readdirSync(process.cwd()).length, cwd);
  torch.tidy(() => assertSameWeights(model.stateDict(), before, 'untouched weights'));
  torch.dispose(Object.values(before));
  model.dispose();
  disposeDs(ds);
});

test('evaluate: sum of per-sample losses / N and argmax accuracy, in eval mode, mode restored', async () => {
  const ds = toyData(25, 7);
  const loader = new data.DataLoader(ds, { batchSize: 10 }); // batches of 10, 10, 5
  const model = mlp(2, true); // with dropout: only eval mode gives the deterministic result
  const expected = torch.noGrad(() => torch.tidy(() => {
    model.eval();
    const out = model.forward(ds.data);
    const lossSum = F.crossEntropy(out, ds.targets, { reduction: 'sum' }).item() as number;
    const correct = Number(out.argmax(1).eq(ds.targets).sum().item());
    return { loss: lossSum / 25, correct };
  }));
  model.train();
  const r = await train.evaluate(model, loader, { device: 'cpu' });
  assert.equal(model.training, true, 'train mode restored');
  close(r.loss, expected.loss, 1e-6, 'loss');
  assert.equal(r.correct, expected.correct);
  assert.equal(r.total, 25);
  assert.equal(r.accuracy, (100 * expected.correct) / 25);
  model.eval();
  const r2 = await train.evaluate(model, loader, { device: 'cpu' });
  assert.equal(model.training, false, 'eval mode kept');
  assert.deepEqual(r2, r);
  // a custom loss function
  const r3 = await train.evaluate(model, loader, { device: 'cpu', lossFn: (o, t) => F.crossEntropy(o, t).mul(3) });
  close(r3.loss, 3 * r.loss, 1e-6, 'lossFn');
  // a plain array of batches works too; an empty one is an error
  const batches = torch.tidy(() => [[torch.keep(ds.data.narrow(0, 0, 25)), torch.keep(ds.targets.narrow(0, 0, 25))] as const]);
  const r4 = await train.evaluate(model, batches, { device: 'cpu' });
  close(r4.loss, expected.loss, 1e-6, 'array loss');
  torch.dispose([...batches[0]]);
  await assert.rejects(train.evaluate(model, [], { device: 'cpu' }), /no samples/);
  await assert.rejects(train.evaluate(model, [[1, 2]] as never, { device: 'cpu' }), TypeError);
  await assert.rejects(train.evaluate(model, 5 as never), /evaluate: loader: expected a DataLoader/);
  model.dispose();
  disposeDs(ds);
});

test('fit: lossFn is used for training and evaluation', async () => {
  const ds = toyData(32, 8);
  const loader = new data.DataLoader(ds, { batchSize: 16 });
  const model = mlp(3);
  const first = torch.noGrad(() => torch.tidy(() =>
    F.crossEntropy(model.forward(ds.data.narrow(0, 0, 16)), ds.targets.narrow(0, 0, 16)).item() as number));
  let calls = 0;
  const lossFn = (o: Tensor, t: Tensor): Tensor => { calls++; return F.crossEntropy(o, t).mul(3); };
  const opt = new optim.SGD(model.parameters(), { lr: 0.05 });
  const run = await train.fit(model, loader, opt, { ...QUIET, epochs: 2, testLoader: loader, lossFn });
  close(run.steps[0].loss, 3 * first, 1e-6, 'first step loss');
  assert.equal(calls, 2 * 2 + 2 * 2); // 2 train + 2 eval batches per epoch
  const plain = await train.evaluate(model, loader, { device: 'cpu' });
  close(run.test!.loss, 3 * plain.loss, 1e-6, 'test loss with lossFn');
  model.dispose();
  opt.dispose();
  disposeDs(ds);
});

test('fit: StepLR per epoch, per step, and ReduceLROnPlateau gets the metric', async () => {
  const ds = toyData(48, 9);
  const loader = new data.DataLoader(ds, { batchSize: 16 });
  {
    const model = mlp(4);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const sched = new optim.lrScheduler.StepLR(opt, 1, { gamma: 0.5 });
    const dir = path.join(tmp, 'steplr');
    const run = await train.fit(model, loader, opt, { ...QUIET, epochs: 3, scheduler: sched, runDir: dir });
    assert.deepEqual(run.epochs.map((e) => e.lr), [0.1, 0.05, 0.025]);
    assert.deepEqual(run.steps.map((s) => s.lr), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025]);
    assert.equal(opt.paramGroups[0].lr, 0.0125);
    assert.equal(run.config.scheduler, 'StepLR');
    // the checkpoint holds the scheduler's state
    const opt2 = new optim.SGD(mlp(5).parameters(), { lr: 0.1 });
    const sched2 = new optim.lrScheduler.StepLR(opt2, 1, { gamma: 0.5 });
    const m2 = mlp(5);
    const o2 = new optim.SGD(m2.parameters(), { lr: 0.1 });
    const s2 = new optim.lrScheduler.StepLR(o2, 1, { gamma: 0.5 });
    train.loadCheckpoint(path.join(dir, 'checkpoint.safetensors'), { model: m2, optimizer: o2, scheduler: s2 });
    assert.equal(s2.lastEpoch, 3);
    assert.equal(o2.paramGroups[0].lr, 0.0125);
    void sched2;
    model.dispose();
    m2.dispose();
  }
  {
    const model = mlp(4);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const sched = new optim.lrScheduler.StepLR(opt, 1, { gamma: 0.9 });
    const run = await train.fit(model, loader, opt, { ...QUIET, epochs: 2, scheduler: sched, schedulerInterval: 'step' });
    run.steps.forEach((s, i) => close(s.lr, 0.1 * 0.9 ** i, 1e-12, `step ${i} lr`));
    close(run.epochs[1].lr, 0.1 * 0.9 ** 5, 1e-12, 'epoch lr = last step lr');
    close(Number(opt.paramGroups[0].lr), 0.1 * 0.9 ** 6, 1e-12, 'final lr');
    model.dispose();
  }
  {
    const metricsSeen: unknown[] = [];
    class Spy extends optim.lrScheduler.ReduceLROnPlateau { // also checks that a ReduceLROnPlateau type-checks as fit's scheduler
      override step(metric: number | Tensor): void {
        metricsSeen.push(metric);
        super.step(metric);
      }
    }
    const model = mlp(4);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    // mode 'max' on a falling loss: never an improvement, so patience 0 halves the lr every epoch after the first
    const run = await train.fit(model, loader, opt, { ...QUIET, epochs: 3, testLoader: loader, scheduler: new Spy(opt, { mode: 'max', patience: 0, factor: 0.5 }) });
    assert.deepEqual(metricsSeen, run.epochs.map((e) => e.testLoss));
    // the epoch record holds the lr its steps used; the scheduler steps after the record
    assert.deepEqual(run.epochs.map((e) => e.lr), [0.1, 0.1, 0.05]);
    assert.equal(opt.paramGroups[0].lr, 0.025);
    // without a test loader, the train loss
    metricsSeen.length = 0;
    const run2 = await train.fit(model, loader, opt, { ...QUIET, epochs: 2, scheduler: new Spy(opt, {}) });
    assert.deepEqual(metricsSeen, run2.epochs.map((e) => e.trainLoss));
    // per-step interval does not step a plateau scheduler per batch
    metricsSeen.length = 0;
    await train.fit(model, loader, opt, { ...QUIET, epochs: 1, scheduler: new Spy(opt, {}), schedulerInterval: 'step' });
    assert.equal(metricsSeen.length, 0);
    model.dispose();
  }
  disposeDs(ds);
});

test('fit: gradFlowEvery records the weights\' grad norms (conv/linear, ≥2-D) at steps 0, k, 2k… in model order', async () => {
  const ds = toyData(96, 10);
  const loader = new data.DataLoader(ds, { batchSize: 16, shuffle: true, seed: 0 });
  const model = mlp(6);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const byHand = new Map<number, Record<string, number>>();
  const run = await train.fit(model, loader, opt, {
    ...QUIET, epochs: 2, gradFlowEvery: 4, runDir: path.join(tmp, 'gradflow'),
    callbacks: {
      onStep: (s) => {
        // the step's gradients are still there after optimizer.step()
        if (s.step % 4 === 0) {
          byHand.set(s.step, Object.fromEntries(model.namedParameters().map(([n, p]) => [n, torch.tidy(() => p.grad!.norm().item() as number)])));
        }
      },
    },
  });
  assert.deepEqual(run.gradFlow.map((g) => g.step), [0, 4, 8]);
  assert.deepEqual(run.gradFlow.map((g) => g.epoch), [0, 0, 1]);
  for (const g of run.gradFlow) {
    assert.deepEqual(Object.keys(g.norms), ['0.weight', '2.weight']);
    for (const [n, v] of Object.entries(g.norms)) {
      assert.ok(v > 0, `${n} norm ${v}`);
      close(v, byHand.get(g.step)![n], 1e-6, `step ${g.step} ${n}`);
    }
  }
  assert.deepEqual(train.readRun(path.join(tmp, 'gradflow')).gradFlow, run.gradFlow);
  // gradNorms directly: weightsOnly keeps the ≥2-D parameters
  assert.deepEqual(Object.keys(train.gradNorms(model, { weightsOnly: true })), ['0.weight', '2.weight']);
  model.dispose();
  opt.dispose();
  disposeDs(ds);
});

test('fit: bad options are clear errors', async () => {
  const ds = toyData(16, 11);
  const loader = new data.DataLoader(ds, { batchSize: 8 });
  const model = mlp(7);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const fitWith = (o: Record<string, unknown>, m: unknown = model, l: unknown = loader, op: unknown = opt) =>
    train.fit(m as nn.Module, l as data.DataLoader, op as optim.Optimizer, { ...QUIET, epochs: 1, ...o } as train.FitOptions);
  await assert.rejects(fitWith({ epocs: 3 }), { name: 'TypeError', message: /fit: unknown option 'epocs'/ });
  await assert.rejects(fitWith({ epochs: -1 }), { name: 'RangeError', message: /fit: epochs must be a non-negative integer, got (number )?-1/ });
  await assert.rejects(fitWith({ epochs: 1.5 }), /epochs must be a non-negative integer/);
  await assert.rejects(fitWith({ epochs: undefined }), /epochs must be a non-negative integer/);
  await assert.rejects(train.fit(model, loader, opt, undefined as never), /epochs must be a non-negative integer/);
  await assert.rejects(fitWith({}, { forward: () => 0 }), { name: 'TypeError', message: /fit: model must be an nn\.Module/ });
  await assert.rejects(fitWith({}, model, loader, { step() {}, zeroGrad() {} }), { name: 'TypeError', message: /fit: optimizer must be an Optimizer/ });
  await assert.rejects(fitWith({}, model, 42), { name: 'TypeError', message: /fit: trainLoader: expected a DataLoader or an iterable of \[input, target\] batches, got (number )?42/ });
  await assert.rejects(fitWith({}, model, null), /fit: trainLoader: expected a DataLoader/);
  await assert.rejects(fitWith({ testLoader: 'data' }), /fit: testLoader: expected a DataLoader/);
  await assert.rejects(fitWith({ gradFlowEvery: -2 }), /gradFlowEvery must be a non-negative integer/);
  await assert.rejects(fitWith({ schedulerInterval: 'batch' }), /schedulerInterval must be 'epoch' or 'step'/);
  await assert.rejects(fitWith({}, model, [[1, 2, 3]]), { name: 'TypeError', message: /trainEpoch: expected an \[input, target\] pair of Tensors, got/ });
  model.dispose();
  disposeDs(ds);
});

test('fit: a huge learning rate diverges cleanly: status, message, finite weights, metrics', async () => {
  const ds = toyData(64, 12);
  const loader = new data.DataLoader(ds, { batchSize: 16 });
  const model = mlp(8);
  const opt = new optim.SGD(model.parameters(), { lr: 1e6 });
  const dir = path.join(tmp, 'diverged');
  const lines: string[] = [];
  let weightsBefore: Record<string, Tensor> = {};
  const run = await train.fit(model, loader, opt, {
    epochs: 5, device: 'cpu', progress: false, log: (s) => lines.push(s), runDir: dir, testLoader: loader,
    callbacks: {
      // the weights after the last finite step
      onStep: () => {
        torch.dispose(Object.values(weightsBefore));
        weightsBefore = torch.tidy(() => Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, torch.keep(v.clone())])));
      },
    },
  });
  assert.equal(run.status, 'diverged');
  const d = run.divergence!;
  assert.ok(d);
  assert.match(d.message, /loss became (NaN|Infinity) at epoch \d+ step \d+; the learning rate .* is probably too high/);
  assert.ok(!Number.isFinite(d.value));
  assert.ok(d.message.includes(`at epoch ${d.epoch} step ${d.step};`));
  assert.ok(d.message.includes('1000000'));
  assert.equal(run.steps.length, d.epoch * 4 + d.step, 'steps before the bad one are recorded');
  assert.ok(run.steps.every((s) => Number.isFinite(s.loss)));
  assert.equal(run.epochs.length, d.epoch, 'the diverged epoch has no record');
  assert.ok(lines.some((l) => l.includes(d.message)));
  // the step with the bad loss did not update: the weights are those after the last finite step
  torch.tidy(() => {
    for (const [k, v] of Object.entries(model.stateDict())) assert.ok(v.isfinite().all().item(), `${k} is finite`);
    assertSameWeights(model.stateDict(), weightsBefore, 'weights after the last finite step');
  });
  torch.dispose(Object.values(weightsBefore));
  // still evaluated (chance level)
  assert.ok(run.test !== null);
  // metrics.jsonl: a 'diverged' line with the value as a string, read back as a number
  const raw = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  const dl = raw.find((l) => l.type === 'diverged');
  assert.ok(dl);
  assert.equal(dl.value, String(d.value));
  const back = train.readRun(dir);
  assert.equal(back.status, 'diverged');
  assert.equal(back.divergence!.value, d.value);
  assert.equal(back.divergence!.message, d.message);
  assert.deepEqual(back.steps, run.steps);
  assert.equal(raw.at(-1).type, 'end');
  assert.equal(raw.at(-1).status, 'diverged');
  model.dispose();
  disposeDs(ds);
});

test('memory: 30 epochs keep numTensors flat; everything is freed at the end', async () => {
  const baseline = torch.memory().numTensors;
  const trainDs = toyData(64, 13);
  const testDs = toyData(20, 14);
  const loader = new data.DataLoader(trainDs, { batchSize: 16, shuffle: true, seed: 1 });
  const testLoader = new data.DataLoader(testDs, { batchSize: 8 });
  const model = mlp(9, true);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const sched = new optim.lrScheduler.StepLR(opt, 5, { gamma: 0.9 });
  const counts: number[] = [];
  const run = await train.fit(model, loader, opt, {
    ...QUIET, epochs: 30, testLoader, scheduler: sched, gradFlowEvery: 3, runDir: path.join(tmp, 'memory'),
    callbacks: { onEpochEnd: () => counts.push(torch.memory().numTensors) },
  });
  assert.equal(run.epochs.length, 30);
  assert.deepEqual(counts.slice(1), new Array(29).fill(counts[0]), `numTensors per epoch: ${counts.join(' ')}`);
  // also trainEpoch/evaluate alone
  const c0 = torch.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    await train.trainEpoch(model, loader, opt, { device: 'cpu', progress: false, gradFlowEvery: 1 });
    await train.evaluate(model, testLoader, { device: 'cpu' });
    assert.equal(torch.memory().numTensors, c0);
  }
  opt.zeroGrad();
  model.dispose();
  opt.dispose();
  disposeDs(trainDs);
  disposeDs(testDs);
  assert.equal(torch.memory().numTensors, baseline);
});

// ---- checkpoints -----------------------------------------------------------------------------------

function smallBN(seed: number): models.CNNWithBN {
  torch.manualSeed(seed);
  return new models.CNNWithBN({ inChannels: 1, imageSize: 8, numClasses: 3 });
}

async function trainSome(model: nn.Module, opt: optim.Optimizer, sched: optim.lrScheduler.StepLR | null, seed: number): Promise<void> {
  const ds = torch.tidy(() => {
    torch.manualSeed(seed);
    return new data.TensorDataset(torch.keep(torch.randn([24, 1, 8, 8])), torch.keep(torch.randint(0, 3, [24])));
  });
  const loader = new data.DataLoader(ds, { batchSize: 8, shuffle: true, seed });
  await train.trainEpoch(model, loader, opt, { device: 'cpu', progress: false });
  sched?.step();
  torch.dispose([ds.data, ds.targets]);
}

for (const kind of ['SGD', 'Adam'] as const) {
  test(`checkpoint round trip (${kind}): weights, BN buffers, optimizer state, scheduler, RNG`, async () => {
    const make = (seed: number) => {
      const model = smallBN(seed);
      const opt = kind === 'SGD'
        ? new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true })
        : new optim.Adam(model.parameters(), { lr: 0.01, amsgrad: true });
      const sched = new optim.lrScheduler.StepLR(opt, 2, { gamma: 0.3 });
      return { model, opt, sched, parts: { model, optimizer: opt, scheduler: sched } };
    };
    const a = make(0);
    for (let i = 0; i < 3; i++) await trainSome(a.model, a.opt, a.sched, i);
    const file = path.join(tmp, `ckpt-${kind}.safetensors`);
    torch.manualSeed(1234);
    torch.rand([3]).dispose(); // advance the stream somewhere arbitrary
    train.saveCheckpoint(file, a.parts, 3, { note: 'hello', step: 9 });
    const afterSave = torch.rand([6]);

    const b = make(42);
    torch.manualSeed(7); // a different RNG state before loading
    const info = train.loadCheckpoint(file, b.parts);
    const afterLoad = torch.rand([6]);
    assert.ok(torch.equal(afterLoad, afterSave), 'the RNG stream continues from the save');
    torch.dispose([afterSave, afterLoad]);
    assert.deepEqual(info, { epoch: 3, extra: { note: 'hello', step: 9 } });
    torch.tidy(() => {
      const sa = a.model.stateDict();
      assert.ok('conv.1.running_mean' in sa && 'conv.1.num_batches_tracked' in sa);
      assert.equal(Number(sa['conv.1.num_batches_tracked'].item()), 9);
      assertSameWeights(b.model.stateDict(), sa, 'model');
      const oa = a.opt.stateDict();
      const ob = b.opt.stateDict();
      assert.deepEqual(ob.paramGroups, oa.paramGroups);
      assert.deepEqual(Object.keys(ob.state), Object.keys(oa.state));
      const stateKeys = kind === 'SGD' ? ['momentumBuffer'] : ['step', 'expAvg', 'expAvgSq', 'maxExpAvgSq'];
      for (const i of Object.keys(oa.state)) {
        assert.deepEqual(Object.keys(ob.state[+i]).sort(), stateKeys.slice().sort());
        for (const [k, v] of Object.entries(oa.state[+i])) {
          if (typeof v === 'number') assert.equal(ob.state[+i][k], v);
          else assert.ok(torch.equal(ob.state[+i][k] as Tensor, v as Tensor), `optimizer state ${i}.${k}`);
        }
      }
    });
    const { optimizer: _o1, ...sa } = a.sched.stateDict();
    const { optimizer: _o2, ...sb } = b.sched.stateDict();
    assert.deepEqual(sb, sa);
    assert.equal(b.opt.paramGroups[0].lr, a.opt.paramGroups[0].lr);
    assert.notEqual(a.opt.paramGroups[0].lr, kind === 'SGD' ? 0.05 : 0.01, 'the scheduler has changed the lr');
    // both continue identically
    await trainSome(a.model, a.opt, a.sched, 10);
    await trainSome(b.model, b.opt, b.sched, 10);
    torch.tidy(() => assertSameWeights(b.model.stateDict(), a.model.stateDict(), 'after one more epoch'));
    assert.equal(b.opt.paramGroups[0].lr, a.opt.paramGroups[0].lr);
    for (const x of [a, b]) {
      x.model.dispose();
      x.opt.dispose();
    }
  });
}

test('checkpoint errors: another model, another optimizer, not a checkpoint, missing file', async () => {
  const model = smallBN(0);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  await trainSome(model, opt, null, 0);
  const file = path.join(tmp, 'ckpt-err.safetensors');
  train.saveCheckpoint(file, { model, optimizer: opt }, 1);
  const esc = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const other = new models.CNN({ inChannels: 1, imageSize: 8, numClasses: 3 });
  assert.throws(() => train.loadCheckpoint(file, { model: other }), new RegExp(`^Error: ${esc}: the checkpoint does not fit this model: `));
  const mlpModel = mlp(0);
  assert.throws(() => train.loadCheckpoint(file, { model: mlpModel }), new RegExp(`${esc}: the checkpoint does not fit this model`));
  // the optimizer: a model-compatible checkpoint, but an optimizer over fewer parameters
  const model2 = smallBN(1);
  const opt2 = new optim.SGD(model2.parameters().slice(0, 2), { lr: 0.1, momentum: 0.9 });
  assert.throws(() => train.loadCheckpoint(file, { model: model2, optimizer: opt2 }), new RegExp(`${esc}: the checkpoint does not fit this optimizer`));
  // the scheduler: a checkpoint saved without one
  const model3 = smallBN(2);
  const opt3 = new optim.SGD(model3.parameters(), { lr: 0.1, momentum: 0.9 });
  assert.throws(() => train.loadCheckpoint(file, { model: model3, optimizer: opt3, scheduler: new optim.lrScheduler.StepLR(opt3, 1) }), new RegExp(`${esc}: the checkpoint has no scheduler state`));
  // not a checkpoint
  const plain = path.join(tmp, 'plain.safetensors');
  torch.tidy(() => torch.save(model.stateDict(), plain));
  assert.throws(() => train.loadCheckpoint(plain, { model }), /plain\.safetensors is not a torchlab checkpoint/);
  assert.throws(() => train.loadCheckpoint(path.join(tmp, 'nope.safetensors'), { model }), /checkpoint not found: .*nope\.safetensors/);
  assert.throws(() => train.saveCheckpoint(file, { model }, -1), RangeError);
  // a misspelt part is an error, not a checkpoint without the optimizer
  assert.throws(() => train.saveCheckpoint(file, { model, opt } as never, 1), /saveCheckpoint: parts: unknown option 'opt'/);
  assert.throws(() => train.loadCheckpoint(file, { model, opt } as never), /loadCheckpoint: parts: unknown option 'opt'/);
  assert.throws(() => train.loadCheckpoint(file, { model: {} } as never), /loadCheckpoint: parts.model must be an nn.Module/);
  for (const m of [model, other, mlpModel, model2, model3]) m.dispose();
  for (const o of [opt, opt2, opt3]) o.dispose();
});

// ---- BasicModel ------------------------------------------------------------------------------------

class NotebookCNN extends train.BasicModel {
  conv: nn.Sequential;
  out: nn.Linear;
  constructor() {
    super();
    this.conv = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2));
    this.out = new nn.Linear(4 * 4 * 4, 10);
  }
  forward(x: Tensor): Tensor {
    const h = this.conv.forward(x);
    return this.out.forward(h.view(h.size(0), -1));
  }
}

async function captureLog<T>(fn: () => Promise<T>): Promise<[T, string[]]> {
  const logged: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { logged.push(a.join(' ')); };
  try {
    return [await fn(), logged];
  } finally {
    console.log = orig;
  }
}

test('BasicModel: fit returns per-step losses and plots a PNG; predict prints the notebook line', async () => {
  const ds = torch.tidy(() => {
    torch.manualSeed(3);
    const x = torch.rand([50, 1, 8, 8]);
    const y = x.mean([1, 2, 3]).mul(20).floor().clamp(0, 9).long(); // learnable from the brightness
    return new data.TensorDataset(torch.keep(x), torch.keep(y));
  });
  const loader = new data.DataLoader(ds, { batchSize: 16, shuffle: true, seed: 0 });
  torch.manualSeed(0);
  const cnn = new NotebookCNN();
  const optimizer = new optim.SGD(cnn.parameters(), { lr: 0.1 });
  const plotPath = path.join(tmp, 'basic', 'loss.png');
  const stderrWrite = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write; // the epoch bars
  let losses: number[];
  let logged: string[];
  try {
    [losses, logged] = await captureLog(() => cnn.fit(loader, optimizer, 3, 'cpu', { plotLoss: true, plotPath }));
  } finally {
    process.stderr.write = stderrWrite;
  }
  assert.equal(losses.length, 4 * 3);
  assert.ok(losses.every((l) => Number.isFinite(l) && l > 0));
  assert.deepEqual(logged, [`Loss progression plot: ${plotPath}`]);
  const png = PNG.sync.read(fs.readFileSync(plotPath));
  assert.ok(png.width > 100 && png.height > 100, `${png.width}×${png.height}`);
  assert.ok(cnn.training);

  // predict: the notebook's formula, by hand
  const testLoader = new data.DataLoader(ds, { batchSize: 16 }); // 16, 16, 16, 2
  const expected = torch.noGrad(() => torch.tidy(() => {
    cnn.eval();
    let sum = 0;
    let correct = 0;
    for (let s = 0; s < 50; s += 16) {
      const n = Math.min(16, 50 - s);
      const out = cnn.forward(ds.data.narrow(0, s, n));
      const y = ds.targets.narrow(0, s, n);
      sum += F.crossEntropy(out, y).item() as number;
      correct += Number(out.argmax(1).eq(y).sum().item());
    }
    cnn.train();
    return { loss: sum / 50, correct };
  }));
  const [r, lines] = await captureLog(() => cnn.predict(testLoader, 'cpu'));
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^Test set: Avg\. loss: \d+\.\d{4}, Accuracy: \d+\/50 \(\d+%\)$/);
  assert.equal(lines[0], `Test set: Avg. loss: ${expected.loss.toFixed(4)}, Accuracy: ${expected.correct}/50 (${Math.round((100 * expected.correct) / 50)}%)`);
  assert.equal(r.correct, expected.correct);
  assert.equal(r.total, 50);
  assert.equal(cnn.training, false, 'predict leaves the model in eval mode, as the notebook');
  // the line's format for the notebook's numbers
  cnn.dispose();
  optimizer.dispose();
  torch.dispose([ds.data, ds.targets]);
});

// ---- autocast --------------------------------------------------------------------------------------

test('autocast on CPU: bf16 inside, float32 outside, nesting restores, errors', async () => {
  torch.manualSeed(0);
  const lin = new nn.Linear(4, 3);
  const conv = new nn.Conv2d(1, 2, 3);
  torch.tidy(() => {
    const x = torch.randn([2, 4]);
    const img = torch.randn([1, 1, 5, 5]);
    assert.equal(lin.forward(x).dtype, 'float32');
    torch.autocast('cpu', () => {
      assert.equal(lin.forward(x).dtype, 'bfloat16');
      assert.equal(conv.forward(img).dtype, 'bfloat16');
      torch.autocast('cpu', () => assert.equal(lin.forward(x).dtype, 'float32'), { enabled: false });
      assert.equal(lin.forward(x).dtype, 'bfloat16', 'restored after a nested disabled region');
      torch.autocast('cpu', () => assert.equal(lin.forward(x).dtype, 'bfloat16'));
      assert.equal(lin.forward(x).dtype, 'bfloat16', 'restored after a nested enabled region');
    });
    assert.equal(lin.forward(x).dtype, 'float32');
    assert.equal(conv.forward(img).dtype, 'float32');
    // an exception inside restores the state too
    assert.throws(() => torch.autocast('cpu', () => { throw new Error('boom'); }), /boom/);
    assert.equal(lin.forward(x).dtype, 'float32');
    // the return value passes through
    const y = torch.autocast('cpu', () => lin.forward(x));
    assert.equal(y.dtype, 'bfloat16');
    assert.deepEqual(y.shape, [2, 3]);
  });
  assert.throws(() => torch.autocast('cpu', 5 as never), { name: 'TypeError', message: /autocast: expected a function, got (number )?5/ });
  assert.throws(() => torch.autocast('cpu', () => 1, { dtype: 'float64' as never }), { name: 'TypeError', message: /autocast: dtype must be 'bfloat16' or 'float16'/ });
  assert.throws(() => torch.autocast('tpu' as never, () => 1), { name: 'TypeError', message: /deviceType must be 'cpu' or 'cuda'/ });
  assert.throws(() => torch.autocast('cpu', () => 1, { fast: true } as never), /unknown option 'fast'/);
  assert.throws(() => torch.autocast('cpu', () => 1, { enabled: 1 } as never), /enabled must be a boolean/);
  assert.throws(() => torch.autocast('cpu', (async () => 1) as never), /autocast/);
  if (!torch.cuda.isAvailable()) assert.throws(() => torch.autocast('cuda', () => 1), /autocast: CUDA is not available/);
  lin.dispose();
  conv.dispose();
});

test('fit with amp: true on CPU trains (finite, falling loss; float32 weights)', async () => {
  const ds = toyData(64, 15);
  const loader = new data.DataLoader(ds, { batchSize: 16 });
  const model = mlp(10);
  const opt = new optim.SGD(model.parameters(), { lr: 0.3 });
  const run = await train.fit(model, loader, opt, { ...QUIET, epochs: 6, amp: true, testLoader: loader });
  assert.equal(run.status, 'completed');
  assert.ok(run.steps.every((s) => Number.isFinite(s.loss)));
  assert.ok(run.epochs[5].trainLoss < run.epochs[0].trainLoss, `${run.epochs[0].trainLoss} → ${run.epochs[5].trainLoss}`);
  assert.equal(run.config.amp, true);
  assert.ok(model.parameters().every((p) => p.dtype === 'float32'));
  // the eval under amp is close to the float32 eval
  const ev = await train.evaluate(model, loader, { device: 'cpu' });
  close(run.test!.loss, ev.loss, 0.05, 'amp test loss vs float32');
  model.dispose();
  opt.dispose();
  disposeDs(ds);
});
