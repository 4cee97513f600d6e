// `torchlab lab <experiment>`: runs the notebook's experiments, plots them and writes the report.
// Layout under `out` (default runs/):
//   <experiment>/<run>/{config.json, metrics.jsonl, checkpoint.safetensors, model.safetensors}
//   <experiment>/plots/*.{svg,png}      <experiment>/report.{html,md}      <experiment>/lab.json
//   report.{html,md}, lab.json          (for `all`: every experiment in one report, and each
//                                        experiment's own report in its folder as above)
import * as path from 'node:path';
import * as torch from '../tensor/index.js';
import type { FindLrResult } from '../train/find-lr.js';
import type { MemoryFormatOption } from '../train/memory-format.js';
import type { RunResult } from '../train/records.js';
import { toJson, writeFileAtomic } from '../train/metrics.js';
import { withRunDisplay } from '../train/notebook-display.js';
import { EXPERIMENTS, experiment, runKey, type ExperimentId, type ExperimentSpec, type Overrides, type PresetName } from './experiments.js';
import { firstSamples, loadData, type DatasetName } from './setup.js';
import { dataParallelInfo } from '../train/data-parallel.js';
import { lessonsFor, type Lesson } from './lessons.js';
import { experimentPlots } from './lab-plots.js';
import { writeReport, type ExperimentSection, type LabReport } from './report.js';
import { withReportDisplay } from './report-display.js';
import { runLrFinder, trainRun, type RunSettings } from './train-run.js';
import { jobThreads, labJobs, longestFirst, lrFinderKey, resolveJobs, threadsPerJob, type JobsOption, type LabJob } from './schedule.js';
import { runPool, type JobResult, type PoolJob } from './run-pool.js';
import type { WorkerData } from './run-worker.js';
import { LabBars } from './lab-progress.js';

export interface LabOptions {
  dataset?: DatasetName;
  preset?: PresetName;
  device?: string;
  seed?: number;
  out?: string;
  overrides?: Overrides;
  /** Continue killed runs from their checkpoints (completed runs are only re-evaluated). */
  resume?: boolean;
  progress?: boolean;
  amp?: boolean;
  /** Conv nets' memory format (fit's memoryFormat; default 'auto'). */
  memoryFormat?: MemoryFormatOption;
  /** Dataset folder (see setup.ts) and CIFAR-10 mirror. */
  dataRoot?: string;
  mirror?: string;
  /** Test samples used (default: the whole test set). */
  testLimit?: number | null;
  /** Where progress lines go (default console.log; null: nowhere). */
  log?: ((line: string) => void) | null;
  /** The command line, recorded in the report. */
  command?: string;
  /**
   * Runs trained at the same time, each in a worker process of threads / jobs threads (run-pool.ts;
   * like `make -j`, not a PyTorch option). 'auto': one per core, but 1 on CUDA, under data-parallel
   * or for a single run. Default 1 here and 'auto' from the `torchlab lab` command: runLab called
   * from a notebook runs in the kernel's process (tslab's node or Deno), whose flags and runtime a
   * forked node worker cannot be relied on to share, and whose progress display is the kernel's.
   */
  jobs?: JobsOption;
}

export interface ExperimentResult {
  spec: ExperimentSpec;
  runs: RunResult[];
  lessons: Lesson[];
  lrFinder: FindLrResult | null;
  section: ExperimentSection;
  /** Wall-clock seconds of this experiment's part of the lab (reused runs are not timed again). */
  seconds: number;
}

export interface LabResult {
  experiments: ExperimentResult[];
  /** The report of the whole command (for `all`, the combined one). */
  report: { html: string; md: string };
  seconds: number;
}

/**
 * Runs one experiment or all of them and writes their report.
 * @example const { report } = await lab.runLab('momentum', { preset: 'quick' });
 */
export async function runLab(which: ExperimentId | 'all' | readonly ExperimentId[], o: LabOptions = {}): Promise<LabResult> {
  // (several experiments by name, e.g. ['learning-rate', 'momentum']: as `all`, on those only)
  const ids: ExperimentId[] = which === 'all' ? [...EXPERIMENTS] : typeof which === 'string' ? [which] : [...which];
  if (ids.length === 0 || new Set(ids).size !== ids.length) throw new TypeError(`runLab: expected an experiment, 'all' or distinct experiments, got ${JSON.stringify(which)}`);
  const several = ids.length > 1;
  const name = typeof which === 'string' ? which : ids.join(',');
  for (const id of ids) if (!EXPERIMENTS.includes(id)) throw new TypeError(`unknown experiment '${String(id)}'; expected one of ${EXPERIMENTS.join(', ')}, all`);
  const device = o.device ?? (torch.cuda.isAvailable() ? 'cuda' : 'cpu');
  const preset = o.preset ?? (device.startsWith('cuda') ? 'full' : 'quick');
  const dataset = o.dataset ?? 'fashion-mnist';
  const seed = o.seed ?? 0;
  const out = path.resolve(o.out ?? 'runs');
  // Data-parallel (`lab --nproc N`): every rank trains every run; only rank 0 logs and writes.
  const dp = dataParallelInfo();
  const writer = !dp || dp.rank === 0;
  const log = !writer ? null : o.log === undefined ? (s: string) => console.log(s) : o.log;
  const started = performance.now();
  const specs = ids.map((id) => experiment(id, preset, o.overrides));
  const data = loadData(dataset, { root: o.dataRoot, mirror: o.mirror });
  const results: ExperimentResult[] = [];
  try {
    const test = firstSamples(data.test, o.testLimit ?? null);
    const settings: RunSettings = { seed, device, dataset, preset, progress: o.progress ?? true, resume: o.resume ?? false, amp: o.amp ?? false, memoryFormat: o.memoryFormat };
    const jobs = labJobs(specs, { seed, dataset, out, trainSamples: data.train.data.size(0), testSamples: test.length });
    const nJobs = resolveJobs(o.jobs ?? 1, { device, dataParallel: dp !== null, pending: jobs.length });
    const threads = threadsPerJob(torch.getNumThreads(), nJobs);
    log?.(`torchlab lab ${name}: ${dataset}, preset ${preset}, device ${device}, seed ${seed}${dp ? `, ${dp.worldSize} processes (data-parallel)` : ''}` +
      `${nJobs > 1 ? `, ${nJobs} runs at a time (${threads} thread${threads > 1 ? 's' : ''} each${jobs.some((j) => jobThreads(j, nJobs, threads) > threads) ? `; ResNets on ${nJobs * threads}, alone` : ''})` : ''} -> ${out}`);
    // --jobs > 1: every job up front, longest first, in the worker pool; the experiments are then
    // put together from the results below. --jobs 1: each job here when its experiment needs it.
    const pooled = nJobs > 1;
    const computed = pooled ? await poolJobs(jobs, nJobs, threads, settings, { dataset, dataRoot: o.dataRoot, mirror: o.mirror, testLimit: o.testLimit ?? null }, log) : new Map<string, JobResult>();
    // A job run here (--jobs 1) counts 0 seconds of its own: its time is already on its experiment's clock.
    const get = async (job: LabJob): Promise<JobResult> => computed.get(job.key) ?? (job.kind === 'lr-finder'
      ? { lrFinder: runLrFinder(data, job.spec, seed, device, log), seconds: 0 }
      : { run: await trainRun(job.spec, data, test, job.dir, settings, { log }), seconds: 0 });
    const byKey = new Map(jobs.map((j) => [j.key, j]));
    const done = new Map<string, { run: RunResult; dir: string }>();
    for (const spec of specs) {
      const expStarted = performance.now();
      // Wall-clock seconds of this experiment: with --jobs 1 as measured here; with more, plus its own
      // jobs' seconds in their workers (they overlapped other experiments' jobs).
      let jobSeconds = 0;
      const expDir = path.join(out, spec.id);
      log?.(`\n== ${spec.title} (${spec.id}) ==`);
      let lr: FindLrResult | null = null;
      if (spec.lrFinder) {
        const r = await get(byKey.get(lrFinderKey(spec.id))!);
        lr = r.lrFinder!;
        jobSeconds += r.seconds;
      }
      const runs: RunResult[] = [];
      for (const r of spec.runs) {
        const key = runKey(r, seed, dataset);
        const prev = done.get(key);
        if (prev) {
          log?.(`[${r.id}] same run as ${path.relative(out, prev.dir)}: reused`);
          runs.push(prev.run);
          continue;
        }
        const job = byKey.get(key)! as LabJob & { kind: 'run' };
        const got = await get(job);
        jobSeconds += got.seconds;
        const run = withRunDisplay(got.run!);
        done.set(key, { run, dir: job.dir });
        runs.push(run);
      }
      const lessons = lessonsFor(spec.id, { runs: new Map(runs.map((r) => [r.name, r])), chance: 100 / data.classes.length, lrFinder: lr });
      const plots = writer ? await experimentPlots(runs, lr, path.join(expDir, 'plots')) : [];
      const notes = lr ? [`LR range test: ${lr.lrs.length} steps from ${lr.lrs[0].toExponential(0)} to ${lr.lrs.at(-1)!.toPrecision(2)}${lr.diverged ? ', stopped when the loss exploded' : ''}.`] : [];
      const section: ExperimentSection = { id: spec.id, title: spec.title, question: spec.question, runs, lessons: lessons.map((l) => l.text), plots, notes };
      results.push({ spec, runs, lessons, lrFinder: lr, section, seconds: jobSeconds + (performance.now() - expStarted) / 1000 });
      for (const l of lessons) log?.(`  ${l.holds ? '✓' : '✗'} ${l.text}`);
    }
    test.data.dispose();
    test.targets.dispose();
  } finally {
    data.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  if (!writer) return { experiments: results, report: { html: '', md: '' }, seconds };
  const meta = { dataset, preset, device, processes: dp?.worldSize ?? 1, createdAt: new Date().toISOString(), torchlabVersion: torch.torchlabVersion, libtorchVersion: torch.libtorchVersion, command: o.command };
  // Each experiment's report in its own folder; for `all`, the combined one at the top as well.
  let written = { html: '', md: '' };
  for (const r of results) written = await writeLabReport(path.join(out, r.spec.id), `torchlab lab: ${r.spec.title}`, { ...meta, seconds: several ? r.seconds : seconds }, [r]);
  if (several) {
    const title = which === 'all' ? 'learning rate, momentum, BatchNorm and residual connections' : results.map((r) => r.spec.title).join('; ');
    written = await writeLabReport(out, `torchlab lab: ${title}`, { ...meta, seconds }, results);
  }
  log?.(`\nreport: ${written.html}\n        ${written.md}  (${seconds.toFixed(0)} s)`);
  return withReportDisplay({ experiments: results, report: written, seconds }); // (a notebook shows the report)
}

/** report.html, report.md and lab.json (the numbers and lessons, for scripts) in `dir`. */
async function writeLabReport(dir: string, title: string, meta: LabReport['meta'], results: ExperimentResult[]): Promise<{ html: string; md: string }> {
  const report: LabReport = { title, meta, sections: results.map((r) => r.section) };
  const written = await writeReport(dir, report);
  writeFileAtomic(path.join(dir, 'lab.json'), `${toJson(summary(report, results), 2)}\n`);
  return written;
}

/** Runs every job in a pool of `workers` processes, longest first; results by job key. */
async function poolJobs(jobs: LabJob[], workers: number, threads: number, settings: RunSettings,
  data: WorkerData, log: ((line: string) => void) | null): Promise<Map<string, JobResult>> {
  const order = longestFirst(jobs);
  const pool: PoolJob[] = order.map((j, id) => ({
    threads: jobThreads(j, workers, threads),
    label: j.kind === 'run' ? `run ${j.spec.id} (experiment ${j.experiment})` : `the LR range test (experiment ${j.experiment})`,
    job: j.kind === 'run'
      ? { id, kind: 'run', spec: j.spec, dir: j.dir, settings, data }
      : { id, kind: 'lr-finder', spec: j.spec, settings, data },
  }));
  const bars = settings.progress ? new LabBars(log) : null;
  const runId = (p: PoolJob): string => (p.job.kind === 'run' ? p.job.spec.id : 'lr-finder');
  try {
    const byId = await runPool(pool, workers, threads, {
      log: bars ? (l) => bars.log(l) : log,
      onStart: bars ? (p) => bars.start(runId(p)) : undefined,
      onStep: bars ? (p, s, n) => bars.step(runId(p), s, n) : undefined,
      onEnd: bars ? (p) => bars.end(runId(p)) : undefined,
    });
    return new Map(order.map((j, id) => [j.key, byId.get(id)!]));
  } finally {
    bars?.close();
  }
}

/** lab.json: the numbers and lesson verdicts, for scripts and tests. */
function summary(report: LabReport, results: ExperimentResult[]): unknown {
  return {
    meta: report.meta,
    experiments: results.map((e) => ({
      id: e.spec.id,
      runs: e.runs.map((r) => ({ name: r.name, status: r.status, epochs: r.epochs.length, test: r.test, seconds: r.seconds, divergence: r.divergence })),
      lessons: e.lessons,
      // The whole sweep, so the curve can be re-plotted or compared without running it again.
      lrFinder: e.lrFinder ? { suggestedLr: e.lrFinder.suggestedLr, diverged: e.lrFinder.diverged, lrs: e.lrFinder.lrs, losses: e.lrFinder.losses, rawLosses: e.lrFinder.rawLosses } : null,
    })),
  };
}
