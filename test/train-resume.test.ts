// Crash and resume: a fit() run killed with SIGKILL mid-epoch and resumed reaches the same final
// weights (bit for bit, CPU) and the same epoch records as an uninterrupted run, and its
// metrics.jsonl has every step exactly once. The run is test/helpers/train-resume-child.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../src/index.js';
import * as train from '../src/train/index.js';

torch.setNumThreads(1);

const CHILD = new URL('./helpers/train-resume-child.ts', import.meta.url).pathname;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'torchlab-resume-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

interface Child { proc: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> }

function start(args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) => {
    proc.on('close', (code, signal) => resolve({ code, signal, out }));
  });
  return { proc, done };
}

async function finish(c: Child): Promise<string> {
  const r = await c.done;
  assert.equal(r.code, 0, `child failed (${r.signal ?? r.code}):\n${r.out}`);
  return r.out;
}

const readLines = (file: string): train.MetricsLine[] => (fs.existsSync(file) ? train.readMetrics(file) : []);

/** Polls metrics.jsonl until a step line of `epoch` appears, then SIGKILLs the child. */
async function killAtEpoch(c: Child, file: string, epoch: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let exited = false;
  void c.done.then(() => { exited = true; });
  while (!readLines(file).some((l) => l.type === 'step' && l.epoch === epoch)) {
    if (exited) assert.fail(`the child ended before epoch ${epoch}:\n${(await c.done).out}`);
    if (Date.now() > deadline) assert.fail('timed out waiting for the child');
    await new Promise((r) => setTimeout(r, 10));
  }
  c.proc.kill('SIGKILL');
  const r = await c.done;
  assert.equal(r.signal, 'SIGKILL');
}

const withoutSeconds = (es: train.EpochRecord[]) => es.map(({ seconds: _s, ...rest }) => rest);

for (const variant of ['seeded', 'global'] as const) {
  test(`SIGKILL mid-epoch + resume = uninterrupted run (${variant === 'seeded' ? 'CNNWithBN, seeded loader' : 'CNN, global-RNG loader and flips'})`, async () => {
    const refDir = path.join(tmp, `${variant}-ref`);
    const dir = path.join(tmp, `${variant}-killed`);
    const metricsFile = path.join(dir, 'metrics.jsonl');
    // the uninterrupted run, alongside the one that gets killed
    const ref = start([refDir, variant]);
    const killed = start([dir, variant, '--slow-from-epoch', '2']);
    await killAtEpoch(killed, metricsFile, 2);

    // it died mid-epoch 2: steps of epoch 2 written, no epoch-2 record, a checkpoint after epoch 1, no final weights
    const atKill = readLines(metricsFile);
    const stepsAtKill = atKill.filter((l) => l.type === 'step' && l.epoch === 2).length;
    assert.ok(stepsAtKill >= 1 && stepsAtKill < 20, `${stepsAtKill} steps of epoch 2 at the kill`);
    assert.deepEqual(atKill.filter((l) => l.type === 'epoch').map((l) => l.epoch), [0, 1]);
    assert.ok(!atKill.some((l) => l.type === 'end'));
    assert.ok(fs.existsSync(path.join(dir, 'checkpoint.safetensors')));
    assert.ok(!fs.existsSync(path.join(dir, 'model.safetensors')));
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left behind');

    const out = await finish(start([dir, variant, '--resume']));
    assert.match(out, /resuming from .*checkpoint\.safetensors after epoch 1/);
    await finish(ref);

    // bit-identical final weights (BN buffers included)
    torch.tidy(() => {
      const a = torch.load(path.join(dir, 'model.safetensors'));
      const b = torch.load(path.join(refDir, 'model.safetensors'));
      assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
      if (variant === 'seeded') assert.ok('conv.1.running_var' in a);
      for (const k of Object.keys(b)) assert.ok(torch.equal(a[k], b[k]), `${k} differs from the uninterrupted run`);
    });
    // the same records; every step exactly once
    const resumed = train.readRun(dir);
    const uninterrupted = train.readRun(refDir);
    assert.equal(resumed.status, 'completed');
    assert.deepEqual(resumed.steps.map((s) => s.step), Array.from({ length: 80 }, (_, i) => i));
    assert.deepEqual(resumed.steps, uninterrupted.steps);
    assert.equal(resumed.epochs.length, 4);
    assert.deepEqual(withoutSeconds(resumed.epochs), withoutSeconds(uninterrupted.epochs));
    assert.deepEqual(resumed.test, uninterrupted.test);
    const lines = train.readMetrics(path.join(dir, 'metrics.jsonl'));
    assert.equal(lines.filter((l) => l.type === 'end').length, 1);
    assert.equal(lines.filter((l) => l.type === 'test').length, 1);
    // the lr schedule continued: StepLR(1, 0.7) from 0.05
    resumed.epochs.forEach((e, i) => assert.ok(Math.abs(e.lr - 0.05 * 0.7 ** i) < 1e-12, `epoch ${i} lr ${e.lr}`));
  });
}

test('resume: false starts over; resume without a checkpoint starts from epoch 0', async () => {
  const dir = path.join(tmp, 'fresh');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), '{"type":"step","epoch":0,"step":0,"loss":1,"lr":1}\n');
  const ds = torch.tidy(() => {
    torch.manualSeed(0);
    return new torch.data.TensorDataset(torch.keep(torch.randn([16, 3])), torch.keep(torch.randint(0, 2, [16])));
  });
  const loader = new torch.data.DataLoader(ds, { batchSize: 8 });
  const model = new torch.nn.Linear(3, 2);
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
  const logs: string[] = [];
  const run = await train.fit(model, loader, opt, { epochs: 2, device: 'cpu', progress: false, log: (s) => logs.push(s), runDir: dir, resume: true });
  assert.ok(!logs.some((l) => l.includes('resuming')));
  assert.deepEqual(run.steps.map((s) => s.step), [0, 1, 2, 3]);
  assert.deepEqual(train.readRun(dir).steps, run.steps);
  // resuming a finished run trains nothing more and keeps the records
  const again = await train.fit(model, loader, opt, { epochs: 2, device: 'cpu', progress: false, log: (s) => logs.push(s), runDir: dir, resume: true });
  assert.ok(logs.some((l) => /resuming from .* after epoch 1/.test(l)));
  assert.deepEqual(again.steps, run.steps);
  assert.deepEqual(withoutSeconds(again.epochs), withoutSeconds(run.epochs));
  assert.deepEqual(train.readRun(dir).steps, run.steps);
  // without resume, the same directory starts over
  const over = await train.fit(model, loader, opt, { epochs: 1, device: 'cpu', progress: false, log: null, runDir: dir });
  assert.deepEqual(train.readRun(dir).steps.map((s) => s.step), [0, 1]);
  assert.equal(over.epochs.length, 1);
  model.dispose();
  opt.dispose();
  torch.dispose([ds.data, ds.targets]);
});
