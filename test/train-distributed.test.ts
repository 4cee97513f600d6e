// `torchlab train / lab --nproc 2`: data-parallel runs through the command line. The global batch of
// 2 ranks is the single process's batch (DistributedSampler shares of the same permutation), so the
// weights match one process's; only rank 0 writes; a rank killed mid-epoch makes the launcher exit
// non-zero naming it, and --resume completes the run with the weights of an uninterrupted one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../src/index.js';
import * as train from '../src/train/index.js';
import { checkExperimentDir, torchlab } from './lab-helpers.js';

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'torchlab-ddp-train-'));
process.on('exit', () => fs.rmSync(out, { recursive: true, force: true }));
const TIMEOUT_MS = 20_000;

const trainArgs = (name: string, extra: string[]) => ['train', '--model', 'cnn', '--lr', '0.05', '--momentum', '0.9', '--batch-size', '64',
  '--test-limit', '256', '--no-progress', '--out', out, '--name', name, ...extra];

function maxDiff(a: Record<string, torch.Tensor>, b: Record<string, torch.Tensor>): number {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  return Math.max(...Object.keys(a).map((k) => a[k].float().sub(b[k].float()).abs().max().item()));
}

test('train --nproc 2: one writer, the report says 2 processes and the global batch, the weights of one process with the same global batch', { timeout: 180_000 }, (t) => {
  const slice = ['--limit', '1024', '--epochs', '2'];
  const dp = torchlab(trainArgs('dp2', [...slice, '--nproc', '2']), { timeoutMs: 120_000 });
  const one = torchlab(trainArgs('one', slice), { timeoutMs: 120_000 });
  const dir = path.join(out, 'dp2');
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  assert.equal(config.processes, 2);
  assert.equal(config.globalBatch, 64);
  assert.equal(config.batchPerProcess, 32);
  const metrics = train.readMetrics(path.join(dir, 'metrics.jsonl'));
  assert.equal(metrics.filter((l) => l.type === 'step').length, 2 * 1024 / 64, 'each step written once (by rank 0)');
  assert.equal(metrics.filter((l) => l.type === 'epoch').length, 2);
  const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
  assert.match(md, /\*\*processes:\*\* 2 \(data-parallel; batch sizes are global\)/);
  assert.match(md, /batch 64 \(global: 2 processes × 32\)/);
  assert.match(dp.stdout, /^\[rank 0\] .*report: /m);
  assert.doesNotMatch(dp.stdout, /^\[rank 1\] /m, 'rank 1 prints nothing');
  assert.match(one.stdout, /report: /);
  const diff = maxDiff(torch.load(path.join(dir, 'model.safetensors')), torch.load(path.join(out, 'one', 'model.safetensors')));
  t.diagnostic(`largest weight difference, 2 ranks × 32 vs 1 × 64 after 32 steps: ${diff.toExponential(2)}`);
  assert.ok(diff < 1e-4, `weights differ by ${diff}`);
  const dpLoss = metrics.filter((l) => l.type === 'step').map((l) => (l as { loss: number }).loss);
  const oneLoss = train.readMetrics(path.join(out, 'one', 'metrics.jsonl')).filter((l) => l.type === 'step').map((l) => (l as { loss: number }).loss);
  // the logged loss is the mean of the ranks' losses: the single process's batch loss
  assert.ok(dpLoss.every((v, i) => Math.abs(v - oneLoss[i]) < 1e-4), 'per-step losses');
});

test('train --nproc 2: a rank killed mid-epoch ends the run (non-zero, naming the rank) and --resume completes it', { timeout: 240_000 }, async (t) => {
  const slice = ['--limit', '4096', '--epochs', '3'];
  torchlab(trainArgs('whole', [...slice, '--nproc', '2']), { timeoutMs: 180_000 });
  const dir = path.join(out, 'killed');
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, ...trainArgs('killed', [...slice, '--nproc', '2'])], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TORCHLAB_DIST_TIMEOUT_MS: String(TIMEOUT_MS) },
  });
  let err = '';
  proc.stderr!.on('data', (d) => { err += d; });
  proc.stdout!.resume();
  const done = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
  // wait for a step of epoch 1, then SIGKILL rank 1 (the launcher's child with RANK=1)
  const metricsFile = path.join(dir, 'metrics.jsonl');
  for (let i = 0; ; i++) {
    if (fs.existsSync(metricsFile) && /"type":"step","epoch":1/.test(fs.readFileSync(metricsFile, 'utf8'))) break;
    assert.ok(i < 3000, 'epoch 1 never started');
    await new Promise((r) => setTimeout(r, 20));
  }
  const kids = fs.readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const rank1 = kids.find((pid) => fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes('RANK=1'));
  assert.ok(rank1, `no rank 1 among ${kids}`);
  const t0 = Date.now();
  process.kill(rank1, 'SIGKILL');
  const code = await done;
  const ms = Date.now() - t0;
  t.diagnostic(`launcher exited ${ms} ms after the kill`);
  assert.notEqual(code, 0);
  assert.match(err, /torchlab run: rank 1 \(local rank 1, pid \d+\) was killed by SIGKILL/);
  assert.ok(ms < TIMEOUT_MS + 10_000, `${ms} ms`);
  assert.ok(!fs.existsSync(path.join(dir, 'model.safetensors')), 'no final weights from a killed run');
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'nothing half-written');

  const resumed = torchlab(trainArgs('killed', [...slice, '--nproc', '2', '--resume']), { timeoutMs: 180_000 });
  assert.match(resumed.stdout, /resuming from .*checkpoint\.safetensors after epoch/);
  const metrics = train.readMetrics(metricsFile);
  assert.equal(metrics.filter((l) => l.type === 'epoch').length, 3);
  assert.equal(metrics.filter((l) => l.type === 'step').length, 3 * 4096 / 64, 'every step exactly once');
  assert.equal(maxDiff(torch.load(path.join(dir, 'model.safetensors')), torch.load(path.join(out, 'whole', 'model.safetensors'))), 0,
    'the resumed run ends with the uninterrupted run\'s weights');
});

test('lab momentum --nproc 2 (small slice) writes the same kind of report as one process', { timeout: 240_000 }, () => {
  const labOut = path.join(out, 'lab');
  const { stdout } = torchlab(['lab', 'momentum', '--limit', '512', '--test-limit', '256', '--epochs', '1', '--no-progress', '--out', labOut, '--nproc', '2'], { timeoutMs: 200_000 });
  const dir = path.join(labOut, 'momentum');
  const runs = checkExperimentDir(dir, ['sgd-lr0.001', 'sgd-lr0.001-momentum0.9'], dir);
  for (const r of runs.values()) {
    assert.equal(r.config.processes, 2);
    assert.equal(r.config.trainSamples, 512);
    assert.equal(r.test!.total, 256);
  }
  const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
  assert.match(md, /\*\*processes:\*\* 2/);
  assert.match(stdout, /2 processes \(data-parallel\)/);
  assert.doesNotMatch(stdout, /^\[rank 1\] /m);
});
