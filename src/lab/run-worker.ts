// A worker process of the lab's run pool (run-pool.ts forks it; not meant to be started by hand).
// It loads the addon and the dataset once, then takes jobs from the parent over the IPC channel
// until the parent disconnects: each job is one run (trainRun) or the LR range test, and what it
// produces goes back as messages: log lines, steps (for the parent's progress bars) and the result
// as plain data (structured clone: NaN and Infinity losses survive, unlike JSON).
// Its thread count is the OMP_NUM_THREADS the parent set (the addon honours it as PyTorch does).
import * as torch from '../tensor/index.js';
import type { FindLrResult } from '../train/find-lr.js';
import type { RunResult, StepRecord } from '../train/records.js';
import type { ExperimentSpec, RunSpec } from './experiments.js';
import { firstSamples, loadData, type DatasetName, type LabData } from './setup.js';
import { runLrFinder, trainRun, type RunSettings } from './train-run.js';

/** Where the worker's data comes from (the same for every job of a lab). */
export interface WorkerData {
  dataset: DatasetName;
  dataRoot?: string;
  mirror?: string;
  testLimit: number | null;
}

/** One job; `threads`: how many threads it trains on (torch.setNumThreads before it starts). */
export type WorkerJob =
  | { id: number; kind: 'run'; spec: RunSpec; dir: string; settings: RunSettings; data: WorkerData; threads: number }
  | { id: number; kind: 'lr-finder'; spec: ExperimentSpec; settings: RunSettings; data: WorkerData; threads: number };

export type WorkerMessage =
  | { type: 'log'; id: number; line: string }
  | { type: 'step'; id: number; step: StepRecord; stepsPerEpoch: number }
  | { type: 'done'; id: number; run?: RunResult; lrFinder?: FindLrResult }
  | { type: 'error'; id: number; message: string; stack?: string };

/** The parent's side of the channel (kept apart for the types; `process.send` is untyped). */
const send = (m: WorkerMessage): void => {
  process.send?.(m);
};

let loaded: { key: string; data: LabData; test: ReturnType<typeof firstSamples> } | null = null;

function dataFor(d: WorkerData): { data: LabData; test: ReturnType<typeof firstSamples> } {
  const key = JSON.stringify(d);
  if (loaded?.key === key) return loaded;
  if (loaded) {
    loaded.test.data.dispose();
    loaded.test.targets.dispose();
    loaded.data.dispose();
  }
  const data = loadData(d.dataset, { root: d.dataRoot, mirror: d.mirror });
  loaded = { key, data, test: firstSamples(data.test, d.testLimit) };
  return loaded;
}

async function runJob(job: WorkerJob): Promise<void> {
  const log = (line: string) => send({ type: 'log', id: job.id, line });
  try {
    if (torch.getNumThreads() !== job.threads) torch.setNumThreads(job.threads);
    const { data, test } = dataFor(job.data);
    if (job.kind === 'lr-finder') {
      send({ type: 'done', id: job.id, lrFinder: runLrFinder(data, job.spec, job.settings.seed, job.settings.device, log) });
      return;
    }
    // Progress is drawn by the parent from the steps sent here (a worker has no terminal of its own).
    const run = await trainRun(job.spec, data, test, job.dir, { ...job.settings, progress: false }, {
      log, onStep: (step, stepsPerEpoch) => send({ type: 'step', id: job.id, step, stepsPerEpoch }),
    });
    send({ type: 'done', id: job.id, run: { ...run } });
  } catch (e) {
    send({ type: 'error', id: job.id, message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
  }
}

if (!process.send) {
  console.error('run-worker: this module is a worker of `torchlab lab --jobs N` and must be started by it (child_process.fork)');
  process.exit(2);
}
// Jobs come one at a time (the parent sends the next when this one is done); a queue keeps them in order anyway.
let chain = Promise.resolve();
process.on('message', (m: WorkerJob) => {
  chain = chain.then(() => runJob(m));
});
// The parent went away (finished, killed, Ctrl-C): nothing is left to do, even mid-run (its
// checkpoint of the last finished epoch stays; `--resume` continues from it).
process.on('disconnect', () => process.exit(0));
