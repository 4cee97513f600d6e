// The lab's run pool (`torchlab lab --jobs N`): trains independent runs at the same time in N
// worker processes (run-worker.ts) of OMP_NUM_THREADS = threads / N each, like `make -j`.
// PyTorch has no such thing: a PyTorch script trains its runs one after another, each on all the
// cores. Why processes of fewer threads: on a small CPU a conv net's step does not use 2 threads
// fully (oneDNN's per-layer parallel regions are short, the optimizer and the data path are
// serial), so two 1-thread runs side by side finished 1.16x (ResNet-18 w16) to 1.5x (the lab's
// CNN) sooner than the same two runs one after another on 2 threads (BENCHMARKS.md section 10).
// Each run's results depend only on its spec and seed, not on the process it runs in.
//
// The workers stay up for the whole lab (node + the addon start in ~2 s; paid once per worker, not
// per run) and take the jobs in the order given (runLab gives them longest first). The first job
// that fails, or a worker that dies, stops every worker and rejects with an error naming the run.
// SIGINT / SIGTERM / SIGHUP (Ctrl-C) kill the workers, then end this process as the signal would have.
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FindLrResult } from '../train/find-lr.js';
import type { RunResult, StepRecord } from '../train/records.js';
import type { WorkerJob, WorkerMessage } from './run-worker.js';

export interface PoolJob {
  /** What the worker runs (its `threads` is set by the pool). */
  job: Omit<WorkerJob, 'threads'>;
  /** Threads the job trains on (default: the workers' own). */
  threads?: number;
  /** How the job is named in messages, e.g. "run sgd-lr0.01 (learning-rate)". */
  label: string;
}

export interface PoolHandlers {
  log?: ((line: string) => void) | null;
  onStart?(job: PoolJob): void;
  onStep?(job: PoolJob, step: StepRecord, stepsPerEpoch: number): void;
  onEnd?(job: PoolJob): void;
}

export interface JobResult {
  run?: RunResult;
  lrFinder?: FindLrResult;
  /** Wall-clock seconds the job took in its worker. */
  seconds: number;
}

/** The worker module next to this one: run-worker.ts in a checkout (run with tsx), run-worker.js in dist/. */
function workerModule(): string {
  const self = fileURLToPath(import.meta.url);
  return path.join(path.dirname(self), `run-worker${path.extname(self)}`);
}

/**
 * The node flags the workers start with: this process's own (so `node --import tsx src/cli/main.ts`
 * gives workers that load TypeScript, and the built package's plain `node` gives plain ones),
 * without those that would clash (one inspector port), not apply (test runner, watch mode) or run
 * something else than the worker (`node -e code`, whose code is in execArgv).
 */
export function workerExecArgv(execArgv = process.execArgv, module = workerModule()): string[] {
  const keep: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i];
    if (['-e', '--eval', '-p', '--print'].includes(a)) { i++; continue; }
    if (/^--(inspect|debug|test|watch|eval=|print=|input-type|interactive$|check$)/.test(a) || ['-i', '-c'].includes(a)) continue;
    keep.push(a);
  }
  // A TypeScript parent started in a way that leaves no loader flag behind: tsx from the current project.
  if (module.endsWith('.ts') && !keep.some((a) => a.includes('tsx'))) keep.push('--import', 'tsx');
  return keep;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs `jobs` in order on `workers` processes started with `threads` threads each; a job that asks
 * for more threads (PoolJob.threads) waits until enough of the `budget` (the threads of all workers
 * together) is free, and its worker switches to that many for it. Resolves with every job's result
 * by job id, or rejects at the first failure (after stopping all workers).
 */
export async function runPool(jobs: PoolJob[], workers: number, threads: number, h: PoolHandlers = {}): Promise<Map<number, JobResult>> {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`runPool: workers must be a positive integer, got ${workers}`);
  const budget = workers * threads;
  for (const j of jobs) {
    if (j.threads !== undefined && (!Number.isInteger(j.threads) || j.threads < 1 || j.threads > budget)) {
      throw new RangeError(`runPool: ${j.label} asks for ${j.threads} threads; the pool has ${budget}`);
    }
  }
  const results = new Map<number, JobResult>();
  const queue = [...jobs];
  const procs: ChildProcess[] = [];
  let failed: Error | null = null;
  let settle: (e: Error | null) => void = () => {};
  const finished = new Promise<Error | null>((done) => { settle = done; });
  let running = 0;
  let free = budget;
  // Workers waiting for the next job to fit in the free threads (strict order: no job overtakes).
  const waiting: (() => boolean)[] = [];
  const wake = () => {
    while (waiting.length) {
      const take = waiting.shift()!;
      if (!take()) {
        waiting.unshift(take);
        break;
      }
    }
  };

  const stopAll = (sig: NodeJS.Signals = 'SIGTERM') => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill(sig);
  };
  const fail = (e: Error) => {
    if (failed) return;
    failed = e;
    stopAll();
    settle(e);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    stopAll('SIGKILL');
    for (const s of SIGNALS) process.off(s, onSignal);
    process.kill(process.pid, sig); // the default action now: this process ends as the signal says
  };
  for (const s of SIGNALS) process.on(s, onSignal);

  const startWorker = (): void => {
    const child = fork(workerModule(), [], {
      execArgv: workerExecArgv(),
      env: { ...process.env, OMP_NUM_THREADS: String(threads) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    procs.push(child);
    let current: { job: PoolJob; started: number; threads: number } | null = null;
    /** Takes the next job if it fits (true), or says to wait (false). */
    const take = (): boolean => {
      const job = queue[0];
      if (!job || failed) {
        current = null;
        child.disconnect();
        if (--running === 0 && !failed) settle(null);
        wake(); // the others may be waiting only for the queue to end
        return true;
      }
      const need = job.threads ?? threads;
      if (need > free) return false;
      queue.shift();
      free -= need;
      current = { job, started: performance.now(), threads: need };
      h.onStart?.(job);
      child.send({ ...job.job, threads: need });
      return true;
    };
    const next = () => {
      if (!take()) waiting.push(take);
    };
    child.on('message', (m: WorkerMessage) => {
      if (!current || m.id !== current.job.job.id) return;
      const job = current.job;
      if (m.type === 'log') h.log?.(m.line);
      else if (m.type === 'step') h.onStep?.(job, m.step, m.stepsPerEpoch);
      else if (m.type === 'error') {
        h.onEnd?.(job);
        fail(new Error(`${job.label} failed: ${m.message}`, { cause: m.stack }));
      } else {
        h.onEnd?.(job);
        results.set(job.job.id, { run: m.run, lrFinder: m.lrFinder, seconds: (performance.now() - current.started) / 1000 });
        free += current.threads;
        current = null;
        wake();
        next();
      }
    });
    child.on('error', (e) => fail(new Error(`a lab worker process could not start or be reached: ${e.message}`)));
    child.on('exit', (code, signal) => {
      if (current && !failed) {
        const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
        h.onEnd?.(current.job);
        fail(new Error(`${current.job.label} failed: its worker process (pid ${child.pid}) ${how}`));
      }
    });
    running++;
    next();
  };

  try {
    for (let i = 0; i < Math.min(workers, jobs.length); i++) startWorker();
    if (jobs.length === 0) settle(null);
    const e = await finished;
    if (e) {
      // Wait for the workers to be gone, so that no half-finished run writes after we return.
      await Promise.all(procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? null
        : new Promise((done) => { p.once('exit', done); setTimeout(() => { p.kill('SIGKILL'); }, 5000).unref(); }))));
      throw e;
    }
    return results;
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}
