// What `torchlab lab` has to compute, as a list of independent jobs: every experiment's runs (a run
// that two experiments share, by runKey, once: the momentum experiment reuses learning-rate's
// sgd-lr0.001) and the LR range test; how many run at once (--jobs); and in what order (longest
// first, so that the last job to finish is a short one and the workers are busy until the end).
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import { runKey, type ExperimentSpec, type ModelKind, type RunSpec } from './experiments.js';

export type LabJob =
  | { key: string; kind: 'run'; experiment: ExperimentSpec['id']; spec: RunSpec; dir: string; cost: number }
  | { key: string; kind: 'lr-finder'; experiment: ExperimentSpec['id']; spec: ExperimentSpec; cost: number };

export const lrFinderKey = (id: string): string => `lr-finder:${id}`;

/**
 * Relative cost of one training sample (forward + backward + step), measured on 2 CPU cores from the
 * quick preset's epoch times (BENCHMARKS.md section 10): the CNN at batch 1024 is 1; ResNets are
 * for width 16 and scale with width squared (their convs' work does).
 */
const SAMPLE_COST: Record<ModelKind, number> = { cnn: 1, 'cnn-bn': 1.05, 'resnet18-plain': 6, resnet18: 6.5 };

/** An estimate of a run's compute (arbitrary units; only the order matters). */
export function runCost(r: RunSpec, trainSamples: number, testSamples: number): number {
  const width = r.model.startsWith('resnet') ? (r.width / 16) ** 2 : 1;
  // small batches cost more per sample (more steps, each with a fixed overhead): ×1.6 at 256 vs 1024
  // on 2 threads; on the workers' 1 thread nearer ×1.1 (the order of the quick lab's jobs is the same)
  const perSample = SAMPLE_COST[r.model] * width * (1 + 256 / r.batchSize) / 1.25;
  const samples = Math.min(r.limit ?? trainSamples, trainSamples);
  // the test set is evaluated after every epoch: a forward pass, about a third of a training step
  return perSample * r.epochs * (samples + testSamples / 3);
}

/** Every experiment's unique jobs, in experiment order (a shared run lives in the first experiment's folder). */
export function labJobs(specs: ExperimentSpec[], o: { seed: number; dataset: string; out: string; trainSamples: number; testSamples: number }): LabJob[] {
  const jobs: LabJob[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    if (spec.lrFinder) {
      const base = spec.runs[0];
      const samples = spec.lrFinder.numIter * spec.lrFinder.batchSize;
      jobs.push({ key: lrFinderKey(spec.id), kind: 'lr-finder', experiment: spec.id, spec, cost: SAMPLE_COST[base.model] * samples });
    }
    for (const r of spec.runs) {
      const key = runKey(r, o.seed, o.dataset);
      if (seen.has(key)) continue;
      seen.add(key);
      jobs.push({ key, kind: 'run', experiment: spec.id, spec: r, dir: path.join(o.out, spec.id, r.id), cost: runCost(r, o.trainSamples, o.testSamples) });
    }
  }
  return jobs;
}

/** The jobs longest first (a stable sort: equal costs keep the experiments' order). */
export const longestFirst = (jobs: LabJob[]): LabJob[] => [...jobs].sort((a, b) => b.cost - a.cost);

export type JobsOption = number | 'auto';

/**
 * How many runs train at once. 'auto': 1 on CUDA (one device: runs would only queue for it), under
 * data-parallel (every rank trains every run together with the other ranks), or with a single job;
 * otherwise one per core, at most one per job. A number asks for exactly that many (at most one per
 * job); more than 1 under data-parallel is an error.
 */
export function resolveJobs(jobs: JobsOption, c: { device: string; dataParallel: boolean; pending: number; cores?: number }): number {
  if (jobs !== 'auto' && (!Number.isInteger(jobs) || jobs < 1)) throw new RangeError(`jobs must be a positive integer or 'auto', got ${String(jobs)}`);
  if (jobs !== 'auto' && jobs > 1 && c.dataParallel) throw new RangeError(`--jobs ${jobs} cannot be combined with data-parallel training (--nproc): each rank would start its own workers; use one or the other`);
  const pending = Math.max(1, c.pending);
  if (jobs !== 'auto') return Math.min(jobs, pending);
  if (c.device.startsWith('cuda') || c.dataParallel) return 1;
  return Math.max(1, Math.min(c.cores ?? availableParallelism(), pending));
}

/** Each worker's threads: the parent's split evenly, at least 1 (OMP_NUM_THREADS of the worker). */
export const threadsPerJob = (threads: number, jobs: number): number => Math.max(1, Math.floor(threads / jobs));

/**
 * Runs that train on all the pool's threads (waiting for them, so alone) instead of one worker's
 * share: the ResNets. They use a second core well (a quick ResNet-18 epoch: ~60 s on 1 thread,
 * ~30 s on 2; two side by side on 1 thread each finish only 1.15-1.25x sooner than one after the
 * other on 2), and their numbers move with the thread count: oneDNN splits its reductions by thread,
 * and the plain ResNet's unstable BatchNorm evaluation amplifies those last-bit differences (its
 * test accuracy after the quick preset's 3 epochs: 61.5% on 2 threads, 75.4% on 1, which flipped
 * the residual lesson). On all threads they give the numbers of `--jobs 1`.
 */
export const WIDE_MODELS: readonly ModelKind[] = ['resnet18', 'resnet18-plain'];

/** The threads a job trains on in a pool of `workers` workers of `perJob` threads each. */
export const jobThreads = (j: LabJob, workers: number, perJob: number): number =>
  (j.kind === 'run' && WIDE_MODELS.includes(j.spec.model) ? workers * perJob : perJob);
