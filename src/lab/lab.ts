// `torchlab lab <experiment>`: runs the notebook's experiments, plots them and writes the report.
// Layout under `out` (default runs/):
//   <experiment>/<run>/{config.json, metrics.jsonl, checkpoint.safetensors, model.safetensors}
//   <experiment>/plots/*.{svg,png}      <experiment>/report.{html,md}      <experiment>/lab.json
//   report.{html,md}, lab.json          (for `all`: every experiment in one report, and each
//                                        experiment's own report in its folder as above)
import * as path from 'node:path';
import * as torch from '../tensor/index.js';
import * as F from '../nn/functional.js';
import { findLr, type FindLrResult } from '../train/find-lr.js';
import { SGD } from '../optim/sgd.js';
import { fit } from '../train/fit.js';
import type { MemoryFormatOption } from '../train/memory-format.js';
import type { RunResult } from '../train/records.js';
import { toJson, writeFileAtomic } from '../train/metrics.js';
import { EXPERIMENTS, experiment, runKey, type ExperimentId, type ExperimentSpec, type Overrides, type PresetName, type RunSpec } from './experiments.js';
import { buildModel, buildOptimizer, distributedLoaderFor, firstSamples, loadData, loaderFor, type DatasetName, type LabData } from './setup.js';
import { DistributedDataParallel } from '../nn/parallel/distributed.js';
import { dataParallelInfo, perRankBatch } from '../train/data-parallel.js';
import { lessonsFor, type Lesson } from './lessons.js';
import { experimentPlots } from './lab-plots.js';
import { writeReport, type ExperimentSection, type LabReport } from './report.js';
import { withReportDisplay } from './report-display.js';

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
export async function runLab(which: ExperimentId | 'all', o: LabOptions = {}): Promise<LabResult> {
  const ids: ExperimentId[] = which === 'all' ? [...EXPERIMENTS] : [which];
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
  log?.(`torchlab lab ${which}: ${dataset}, preset ${preset}, device ${device}, seed ${seed}${dp ? `, ${dp.worldSize} processes (data-parallel)` : ''} -> ${out}`);
  const data = loadData(dataset, { root: o.dataRoot, mirror: o.mirror });
  const done = new Map<string, { run: RunResult; dir: string }>();
  const results: ExperimentResult[] = [];
  try {
    const test = firstSamples(data.test, o.testLimit ?? null);
    for (const spec of specs) {
      const expStarted = performance.now();
      const expDir = path.join(out, spec.id);
      log?.(`\n== ${spec.title} (${spec.id}) ==`);
      let lr: FindLrResult | null = null;
      if (spec.lrFinder) lr = runLrFinder(data, spec, seed, device, o);
      const runs: RunResult[] = [];
      for (const r of spec.runs) {
        const key = runKey(r, seed, dataset);
        const prev = done.get(key);
        if (prev) {
          log?.(`[${r.id}] same run as ${path.relative(out, prev.dir)}: reused`);
          runs.push(prev.run);
          continue;
        }
        const dir = path.join(expDir, r.id);
        const run = await trainRun(r, data, test, { seed, device, dir, dataset, preset, o, log });
        done.set(key, { run, dir });
        runs.push(run);
      }
      const lessons = lessonsFor(spec.id, { runs: new Map(runs.map((r) => [r.name, r])), chance: 100 / data.classes.length, lrFinder: lr });
      const plots = writer ? await experimentPlots(runs, lr, path.join(expDir, 'plots')) : [];
      const notes = lr ? [`LR range test: ${lr.lrs.length} steps from ${lr.lrs[0].toExponential(0)} to ${lr.lrs.at(-1)!.toPrecision(2)}${lr.diverged ? ', stopped when the loss exploded' : ''}.`] : [];
      const section: ExperimentSection = { id: spec.id, title: spec.title, question: spec.question, runs, lessons: lessons.map((l) => l.text), plots, notes };
      results.push({ spec, runs, lessons, lrFinder: lr, section, seconds: (performance.now() - expStarted) / 1000 });
      for (const l of lessons) log?.(`  ${l.holds ? '✓' : '✗'} ${l.text}`);
      if (which !== 'all') break;
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
  for (const r of results) written = await writeLabReport(path.join(out, r.spec.id), `torchlab lab: ${r.spec.title}`, { ...meta, seconds: which === 'all' ? r.seconds : seconds }, [r]);
  if (which === 'all') written = await writeLabReport(out, 'torchlab lab: learning rate, momentum, BatchNorm and residual connections', { ...meta, seconds }, results);
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

/** Trains one run of an experiment in its own directory. */
async function trainRun(r: RunSpec, data: LabData, test: ReturnType<typeof firstSamples>,
  c: { seed: number; device: string; dir: string; dataset: string; preset: string; o: LabOptions; log: ((s: string) => void) | null }): Promise<RunResult> {
  torch.manualSeed(c.seed); // every run of a model kind starts from the same weights
  const trainSet = firstSamples(data.train, r.limit);
  const model = buildModel(r.model, { inChannels: data.inChannels, imageSize: data.imageSize, numClasses: data.classes.length, width: r.width });
  const optimizer = buildOptimizer(r.optimizer, model.parameters(), r.lr, r.momentum);
  const dp = dataParallelInfo();
  const perRank = perRankBatch(r.batchSize, dp);
  try {
    const loader = dp ? distributedLoaderFor(trainSet, perRank, { seed: c.seed }) : loaderFor(trainSet, r.batchSize, { train: true, seed: c.seed });
    return await fit(dp ? new DistributedDataParallel(model) : model, loader, optimizer, {
      epochs: r.epochs, device: c.device, name: r.id, runDir: c.dir,
      testLoader: loaderFor(test, 1024, { train: false, seed: c.seed }),
      config: { ...r, dataset: c.dataset, preset: c.preset, seed: c.seed, trainSamples: trainSet.length, testSamples: test.length, globalBatch: r.batchSize, batchPerProcess: perRank },
      progress: c.o.progress ?? true, resume: c.o.resume ?? false, gradFlowEvery: r.gradFlowEvery, amp: c.o.amp ?? false, log: c.log,
      memoryFormat: c.o.memoryFormat,
    });
  } finally {
    optimizer.dispose();
    model.dispose();
    trainSet.data.dispose();
    trainSet.targets.dispose();
  }
}

/** The LR range test on a fresh CNN (SGD, the experiment's batch size). */
function runLrFinder(data: LabData, spec: ExperimentSpec, seed: number, device: string, o: LabOptions): FindLrResult {
  const cfg = spec.lrFinder!;
  const base = spec.runs[0];
  torch.manualSeed(seed);
  const trainSet = firstSamples(data.train, base.limit);
  const model = buildModel(base.model, { inChannels: data.inChannels, imageSize: data.imageSize, numClasses: data.classes.length, width: base.width });
  model.to(device);
  const optimizer = new SGD(model.parameters(), { lr: 1e-5 });
  try {
    const loader = loaderFor(trainSet, cfg.batchSize, { train: true, seed, device });
    const r = findLr(model, loader, optimizer, (out, y) => F.crossEntropy(out, y), { startLr: 1e-5, endLr: 10, numIter: cfg.numIter });
    o.log !== null && (o.log ?? console.log)(`[lr-finder] ${r.lrs.length} steps; suggested lr ${r.suggestedLr === null ? 'none' : r.suggestedLr.toPrecision(2)}`);
    return r;
  } finally {
    optimizer.dispose();
    model.dispose();
    trainSet.data.dispose();
    trainSet.targets.dispose();
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
