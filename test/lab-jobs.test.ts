// `torchlab lab --jobs N`: the lab's runs trained at the same time in worker processes give the
// same results as one after another in this process, the run shared by two experiments is still
// trained once, and a run that fails in a worker is named in the error, with no report written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runLab, type LabResult } from '../src/lab/lab.js';
import { jobThreads, labJobs, longestFirst, resolveJobs, threadsPerJob } from '../src/lab/schedule.js';
import { experiment } from '../src/lab/experiments.js';
import { workerExecArgv } from '../src/lab/run-pool.js';
import { spawn } from 'node:child_process';
import { torchlab } from './lab-helpers.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'torchlab-jobs-'));
const tiny = { epochs: 1, limit: 2048 };
const EXPS = ['learning-rate', 'momentum'] as const;

async function lab(jobs: number, out: string, lines: string[]): Promise<LabResult> {
  // 'contiguous': with 'auto' the layout is picked by timing, which may differ between a 2-thread
  // and a 1-thread process, and the two layouts' sums round differently (not what is tested here).
  return runLab(EXPS, { preset: 'quick', overrides: tiny, testLimit: 512, out, jobs, progress: false, memoryFormat: 'contiguous', log: (l) => lines.push(l) });
}

const summaryOf = (r: LabResult) => r.experiments.map((e) => ({
  id: e.spec.id,
  runs: e.runs.map((run) => ({ name: run.name, status: run.status, losses: run.steps.map((s) => s.loss), epochs: run.epochs.map(({ seconds: _, ...rest }) => rest), test: run.test })),
  lessons: e.lessons,
  lrFinder: e.lrFinder && { lrs: e.lrFinder.lrs, suggestedLr: e.lrFinder.suggestedLr, steps: e.lrFinder.rawLosses.length },
}));

test('jobs 2 (two 1-thread workers) gives the same runs, lessons and reports as jobs 1 (here, 2 threads); the shared run trains once', async () => {
  const l1: string[] = [];
  const l2: string[] = [];
  const one = await lab(1, path.join(root, 'j1'), l1);
  const two = await lab(2, path.join(root, 'j2'), l2);
  // The CNN's convolutions, matmuls and reductions give the same bits on 1 and 2 threads (oneDNN and
  // ATen split these ops over batch/output elements, not over the summed dimension).
  assert.deepEqual(summaryOf(two), summaryOf(one));
  // The LR range test's losses (batch 256) differ in the last bits between 1 and 2 threads, and
  // its sweep up to lr 10 amplifies them as the loss explodes: close, not equal (its lrs and its
  // suggestion, compared above, are equal).
  const [a, b] = [one, two].map((r) => r.experiments[0].lrFinder!.rawLosses);
  a.forEach((v, k) => assert.ok(v === b[k] || Math.abs(v! - b[k]!) <= 1e-3 * Math.abs(v!), `lr finder step ${k}: ${v} vs ${b[k]}`));
  assert.equal(two.experiments[1].runs[0], two.experiments[0].runs[0], 'momentum reuses learning-rate\'s sgd-lr0.001');
  for (const lines of [l1, l2]) {
    assert.equal(lines.filter((l) => l.startsWith('[sgd-lr0.001] epoch 0:')).length, 1, 'sgd-lr0.001 trained once');
    assert.equal(lines.filter((l) => l === '[sgd-lr0.001] same run as learning-rate/sgd-lr0.001: reused').length, 1);
  }
  assert.match(l2[0], /2 runs at a time \(1 thread each\)/);
  assert.equal(fs.existsSync(path.join(root, 'j2', 'momentum', 'sgd-lr0.001')), false, 'the shared run lives in its first experiment only');
  // Every lesson line and the experiments' sections: same text, same order.
  const lessonLines = (ls: string[]) => ls.filter((l) => /^ {2}[✓✗] |^\n== /.test(l));
  assert.deepEqual(lessonLines(l2), lessonLines(l1));
  assert.equal(lessonLines(l2).length, 2 + 3 + 1);
  for (const f of ['report.md', 'lab.json', 'learning-rate/report.md', 'momentum/lab.json', 'learning-rate/plots/lr-finder.png']) {
    assert.ok(fs.existsSync(path.join(root, 'j2', f)), `${f} missing`);
  }
  const runsOf = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'lab.json'), 'utf8')) as { experiments: { runs: { name: string; test: unknown }[] }[] })
    .experiments.map((e) => e.runs.map((r) => [r.name, r.test]));
  assert.deepEqual(runsOf(path.join(root, 'j2')), runsOf(path.join(root, 'j1')));
  const steps = (dir: string) => fs.readFileSync(path.join(dir, 'momentum', 'sgd-lr0.001-momentum0.9', 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"step"'));
  assert.deepEqual(steps(path.join(root, 'j2')), steps(path.join(root, 'j1')));
});

test('a run that fails in a worker: an error naming it and the cause, no report', async () => {
  const out = path.join(root, 'bad');
  // lr -1: SGD rejects it when the run builds its optimizer, in the worker; the LR range test (its own lr) still runs.
  await assert.rejects(
    runLab(EXPS, { preset: 'quick', overrides: { ...tiny, lr: -1 }, testLimit: 512, out, jobs: 2, progress: false, log: null }),
    /^Error: run sgd-lr0\.[\d.]+(-momentum0\.9)? \(experiment (learning-rate|momentum)\) failed: .*learning rate.*-1/,
  );
  assert.equal(fs.existsSync(path.join(out, 'report.md')), false);
  assert.equal(fs.existsSync(path.join(out, 'learning-rate', 'report.md')), false);
});

test('--jobs auto: one per core and pending job; 1 on CUDA, under data-parallel or for one job; threads split', () => {
  assert.equal(resolveJobs('auto', { device: 'cpu', dataParallel: false, pending: 8, cores: 2 }), 2);
  assert.equal(resolveJobs('auto', { device: 'cpu', dataParallel: false, pending: 3, cores: 16 }), 3);
  assert.equal(resolveJobs('auto', { device: 'cpu', dataParallel: false, pending: 1, cores: 2 }), 1);
  assert.equal(resolveJobs('auto', { device: 'cuda', dataParallel: false, pending: 8, cores: 2 }), 1);
  assert.equal(resolveJobs('auto', { device: 'cpu', dataParallel: true, pending: 8, cores: 2 }), 1);
  assert.equal(resolveJobs(4, { device: 'cpu', dataParallel: false, pending: 3, cores: 2 }), 3);
  assert.throws(() => resolveJobs(2, { device: 'cpu', dataParallel: true, pending: 8 }), /--jobs 2 cannot be combined with data-parallel/);
  assert.throws(() => resolveJobs(0, { device: 'cpu', dataParallel: false, pending: 8 }), /positive integer or 'auto', got 0/);
  assert.equal(threadsPerJob(2, 2), 1);
  assert.equal(threadsPerJob(16, 3), 5);
  assert.equal(threadsPerJob(1, 2), 1);
});

test('the quick lab\'s jobs: shared run once, ResNets first', () => {
  const specs = (['learning-rate', 'momentum', 'batchnorm', 'residual'] as const).map((id) => experiment(id, 'quick'));
  const jobs = labJobs(specs, { seed: 0, dataset: 'fashion-mnist', out: '/o', trainSamples: 60000, testSamples: 10000 });
  assert.equal(jobs.length, 1 + 3 + 1 + 3 + 2);
  assert.equal(jobs.filter((j) => j.kind === 'run' && j.spec.id === 'sgd-lr0.001').length, 1);
  const order = longestFirst(jobs).map((j) => (j.kind === 'run' ? j.spec.id : 'lr-finder'));
  assert.deepEqual(order.slice(0, 2), ['resnet18-residual', 'resnet18-plain']);
  assert.equal(order.at(-1), 'lr-finder');
  // ResNets train on all the pool's threads (alone), the CNNs on one worker's share.
  assert.deepEqual(longestFirst(jobs).map((j) => jobThreads(j, 2, 1)), [2, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
});

test('workers start with this process\'s node flags, minus the inspector and the test runner\'s', () => {
  assert.deepEqual(workerExecArgv(['--import', 'tsx', '--inspect=9229', '--expose-gc', '--test-reporter=spec'], '/x/run-worker.ts'), ['--import', 'tsx', '--expose-gc']);
  assert.deepEqual(workerExecArgv([], '/x/run-worker.js'), []);
  assert.deepEqual(workerExecArgv(['--expose-gc', '-e', 'runLab()', '--input-type=module', '-r', 'x.cjs'], '/x/run-worker.js'), ['--expose-gc', '-r', 'x.cjs']);
  assert.deepEqual(workerExecArgv([], '/x/run-worker.ts'), ['--import', 'tsx']);
});

test('the memory-format cache written by two processes at once keeps every decision (lock + merge + rename)', async () => {
  const cache = path.join(root, 'cache-race');
  const script = (who: string) => `import { writeCache } from ${JSON.stringify(path.resolve('src/train/memory-format.ts'))};
    for (let i = 0; i < 40; i++) writeCache('${who}' + i, i % 2 ? 'channels_last' : 'contiguous_format');`;
  const run = (who: string) => new Promise<number | null>((done) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(who)], { env: { ...process.env, XDG_CACHE_HOME: cache }, stdio: 'inherit' });
    p.on('exit', done);
  });
  assert.deepEqual(await Promise.all([run('a'), run('b')]), [0, 0]);
  process.env.XDG_CACHE_HOME = cache;
  try {
    const { readCache } = await import('../src/train/memory-format.js');
    const all = readCache();
    assert.equal(Object.keys(all).length, 80);
    assert.equal(all.a39, 'channels_last');
    assert.equal(all.b0, 'contiguous_format');
  } finally {
    delete process.env.XDG_CACHE_HOME;
  }
  assert.deepEqual(fs.readdirSync(path.join(cache, 'torchlab')), ['memory-format.json'], 'no lock or temporary file left');
});

test('--jobs on the command line: a positive integer or auto, else a one-line error', () => {
  for (const bad of ['0', 'two', '-1']) {
    const r = torchlab(['lab', 'momentum', '--jobs', bad], { expectFail: true });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`'--jobs <n>' argument '${bad}' is invalid\\. expected a positive integer or 'auto'`));
  }
});
