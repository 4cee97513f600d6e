// fit(): the training loop users run — epochs of trainEpoch + evaluate, with progress bars, a
// run directory (config.json, metrics.jsonl, checkpoint, final weights), divergence detection,
// resume after a crash, LR schedulers and gradient-flow records.
//
// Not in PyTorch itself (it has no fit); shaped like the notebook's BasicModel.fit and Keras/
// Lightning's fit: fit(model, trainLoader, optimizer, {epochs, ...}).
import { withRunDisplay } from './notebook-display.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '../tensor/index.js';
import { checkOptions, describe } from '../tensor/args.js';
import { Module } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import { ReduceLROnPlateau } from '../optim/plateau.js';
import { checkBatches, defaultDevice, evaluate, trainEpoch, type Batches, type LossFn } from './epoch.js';
import { MetricsLog, toJson, truncateMetrics, writeFileAtomic } from './metrics.js';
import { loadCheckpoint, saveCheckpoint, type StatefulScheduler } from './checkpoint.js';
import type { EpochRecord, EvalResult, GradFlowRecord, RunResult, StepRecord } from './records.js';
import { DistributedDataParallel } from '../nn/parallel/distributed.js';
import { dataParallelInfo, globalLoss } from './data-parallel.js';
import { checkMemoryFormat, type MemoryFormatOption } from './memory-format.js';

/**
 * An LR scheduler: step() (or step(metric) for ReduceLROnPlateau) plus state for checkpoints.
 * (Typed with a required metric so that ReduceLROnPlateau's step(metrics) fits as well as StepLR's
 * step(epoch?); fit passes the metric only to a ReduceLROnPlateau.)
 */
export type SchedulerLike = StatefulScheduler & { step(metric: number): void };

export interface FitCallbacks {
  onStep?(r: StepRecord): void;
  onEpochEnd?(r: EpochRecord): void;
  onEnd?(r: RunResult): void;
}

export interface FitOptions {
  epochs: number;
  /** Default: 'cuda' when available, else 'cpu'. The model is moved there. */
  device?: string;
  scheduler?: SchedulerLike | null;
  /** When the scheduler steps: after every epoch (default) or after every batch (OneCycleLR). */
  schedulerInterval?: 'epoch' | 'step';
  /** Evaluated after every epoch; its last result is the run's test result. */
  testLoader?: Batches | null;
  lossFn?: LossFn;
  callbacks?: FitCallbacks;
  /** The run's name (default: the run directory's name, else 'run'). */
  name?: string;
  /** Where config.json, metrics.jsonl, checkpoint.safetensors and model.safetensors go (null: nothing is written). */
  runDir?: string | null;
  /** Extra configuration recorded in config.json (model, dataset, batch size, ...). */
  config?: Record<string, unknown>;
  /** Progress bars (default true). */
  progress?: boolean;
  /** Where the one-line epoch summaries go (default console.log; null: nowhere). */
  log?: ((line: string) => void) | null;
  /** Save a checkpoint after every epoch (default true when runDir is set). */
  checkpoint?: boolean;
  /** Continue from runDir's checkpoint if there is one (default false: start over). */
  resume?: boolean;
  /** Record per-layer gradient norms every this many steps (default 0: never). */
  gradFlowEvery?: number;
  /** bf16 autocast for forward and loss (meant for CUDA; on CPU it runs, slowly). */
  amp?: boolean;
  /**
   * Conv nets' memory format: 'auto' (default: channels_last when a short calibration on the first
   * batch measures it faster on this machine; decisions are cached), 'channels-last' or
   * 'contiguous' (the default layout, no calibration). Not in PyTorch's API (it has no fit).
   */
  memoryFormat?: MemoryFormatOption;
}

const OPTION_KEYS = ['epochs', 'device', 'scheduler', 'schedulerInterval', 'testLoader', 'lossFn', 'callbacks', 'name', 'runDir',
  'config', 'progress', 'log', 'checkpoint', 'resume', 'gradFlowEvery', 'amp', 'memoryFormat'] as const;

const stepNoMetric = (s: SchedulerLike): void => (s as unknown as { step(): void }).step();

const fmt = (v: number | null, d: number): string => (v === null ? '—' : v.toFixed(d));

/**
 * Trains `model` for `epochs` epochs and returns everything the run produced.
 * @example
 * const run = await train.fit(model, trainLoader, new optim.SGD(model.parameters(), { lr: 0.01 }),
 *   { epochs: 10, testLoader, runDir: 'runs/cnn-lr0.01' });
 * console.log(run.test?.accuracy);
 */
export async function fit(model: Module, trainLoader: Batches, optimizer: Optimizer, options: FitOptions): Promise<RunResult> {
  const o = checkOptions(options, 'fit', OPTION_KEYS as unknown as string[]) as FitOptions;
  if (!(model instanceof Module)) throw new TypeError(`fit: model must be an nn.Module, got ${describe(model)}`);
  if (!(optimizer instanceof Optimizer)) throw new TypeError(`fit: optimizer must be an Optimizer, got ${describe(optimizer)}`);
  checkBatches(trainLoader, 'fit: trainLoader');
  if (o.testLoader) checkBatches(o.testLoader, 'fit: testLoader');
  if (!Number.isInteger(o.epochs) || o.epochs < 0) throw new RangeError(`fit: epochs must be a non-negative integer, got ${describe(o.epochs)}`);
  const every = o.gradFlowEvery ?? 0;
  if (!Number.isInteger(every) || every < 0) throw new RangeError(`fit: gradFlowEvery must be a non-negative integer, got ${describe(every)}`);
  const interval = o.schedulerInterval ?? 'epoch';
  if (interval !== 'epoch' && interval !== 'step') throw new TypeError(`fit: schedulerInterval must be 'epoch' or 'step', got ${describe(interval)}`);
  const device = o.device ?? defaultDevice();
  const memoryFormat = checkMemoryFormat(o.memoryFormat, 'fit');
  // Data-parallel (a DDP model in a process group of several): every rank trains and reads the
  // checkpoint to resume; only rank 0 writes, logs and draws progress. The saved state is the
  // wrapped module's (keys without 'module.'), as PyTorch users save ddp.module.
  const dp = dataParallelInfo();
  const writer = dp === null || dp.rank === 0;
  const inner: Module = model instanceof DistributedDataParallel ? model.module : model;
  const runDir = o.runDir ?? null;
  const outDir = writer ? runDir : null;
  const log = !writer ? null : o.log === undefined ? (s: string) => console.log(s) : o.log;
  const progress = writer ? o.progress : false;
  const name = o.name ?? (runDir ? path.basename(runDir) : 'run');
  const config: Record<string, unknown> = {
    name, ...o.config, epochs: o.epochs, device, amp: o.amp ?? false, memoryFormat, optimizer: optimizer.constructor.name,
    optimizerOptions: Object.fromEntries(Object.entries(optimizer.paramGroups[0] ?? {}).filter(([k]) => k !== 'params')),
    scheduler: o.scheduler ? o.scheduler.constructor.name : null, gradFlowEvery: every,
    torchlab: { libtorch: torch.libtorchVersion, threads: torch.getNumThreads() }, processes: dp?.worldSize ?? 1,
  };
  const run: RunResult = { name, config, status: 'completed', divergence: null, steps: [], epochs: [], gradFlow: [], test: null, seconds: 0 };
  const started = performance.now();
  let secondsBefore = 0;
  let startEpoch = 0;
  let step = 0;
  const ckptFile = runDir ? path.join(runDir, 'checkpoint.safetensors') : null;
  const checkpointing = outDir !== null && (o.checkpoint ?? true);

  model.to(device);
  if (o.resume && ckptFile && fs.existsSync(ckptFile)) {
    const info = loadCheckpoint(ckptFile, { model: inner, optimizer, scheduler: o.scheduler ?? null });
    startEpoch = info.epoch;
    step = Number(info.extra.step ?? 0);
    secondsBefore = Number(info.extra.seconds ?? 0);
    for (const l of writer ? truncateMetrics(path.join(runDir!, 'metrics.jsonl'), startEpoch) : []) {
      const { type, ...rec } = l;
      if (type === 'step') run.steps.push(rec as StepRecord);
      else if (type === 'epoch') run.epochs.push(rec as EpochRecord);
      else if (type === 'gradflow') run.gradFlow.push(rec as GradFlowRecord);
    }
    log?.(`[${name}] resuming from ${ckptFile} after epoch ${startEpoch - 1}`);
  }
  let metrics: MetricsLog | null = null;
  if (outDir) {
    writeFileAtomic(path.join(outDir, 'config.json'), `${toJson(config, 2)}\n`);
    metrics = new MetricsLog(outDir, { append: startEpoch > 0 });
  }
  const elapsed = (): number => secondsBefore + (performance.now() - started) / 1000;
  const plateau = o.scheduler instanceof ReduceLROnPlateau;
  let lastTest: EvalResult | null = null;
  try {
    for (let epoch = startEpoch; epoch < o.epochs; epoch++) {
      const t0 = performance.now();
      // A seeded DataLoader's order depends on the epoch index: a resumed run sees the same batches.
      (trainLoader as { setEpoch?: (e: number) => void }).setEpoch?.(epoch);
      const r = await trainEpoch(model, trainLoader, optimizer, {
        epoch, device, lossFn: o.lossFn, progress, amp: o.amp, gradFlowEvery: every, stepOffset: step,
        reduceLoss: dp ? globalLoss : undefined, memoryFormat,
        onStep: (s) => {
          metrics?.write({ type: 'step', ...s });
          if (o.scheduler && interval === 'step' && !plateau) stepNoMetric(o.scheduler);
          o.callbacks?.onStep?.(s);
        },
        onGradFlow: (g) => metrics?.write({ type: 'gradflow', ...g }),
      });
      step += r.steps.length;
      run.steps.push(...r.steps);
      run.gradFlow.push(...r.gradFlow);
      if (r.divergence) {
        run.status = 'diverged';
        run.divergence = r.divergence;
        metrics?.write({ type: 'diverged', ...r.divergence });
        log?.(`[${name}] ${r.divergence.message}`);
        break;
      }
      lastTest = o.testLoader ? await evaluate(model, o.testLoader, { device, lossFn: o.lossFn, amp: o.amp }) : null;
      if (o.scheduler && interval === 'epoch') {
        if (plateau) o.scheduler.step(lastTest?.loss ?? r.loss);
        else stepNoMetric(o.scheduler);
      }
      const rec: EpochRecord = {
        epoch, trainLoss: r.loss, trainAccuracy: r.accuracy, testLoss: lastTest?.loss ?? null, testAccuracy: lastTest?.accuracy ?? null,
        lr: r.steps.at(-1)?.lr ?? Number(optimizer.paramGroups[0].lr), seconds: (performance.now() - t0) / 1000,
      };
      run.epochs.push(rec);
      metrics?.write({ type: 'epoch', ...rec });
      log?.(`[${name}] epoch ${epoch}: train loss ${fmt(rec.trainLoss, 4)}, accuracy ${fmt(rec.trainAccuracy, 1)}%` +
        (lastTest ? ` | test loss ${fmt(lastTest.loss, 4)}, accuracy ${fmt(lastTest.accuracy, 1)}%` : '') +
        ` | lr ${rec.lr} | ${rec.seconds.toFixed(1)} s`);
      if (checkpointing) saveCheckpoint(ckptFile!, { model: inner, optimizer, scheduler: o.scheduler ?? null }, epoch + 1, { step, seconds: elapsed() });
      o.callbacks?.onEpochEnd?.(rec);
    }
    // A diverged model is still evaluated: its (chance-level) accuracy is part of the lesson.
    if (o.testLoader && (lastTest === null || run.status === 'diverged')) {
      lastTest = await evaluate(model, o.testLoader, { device, lossFn: o.lossFn, amp: o.amp });
    }
    run.test = lastTest;
    if (lastTest) metrics?.write({ type: 'test', ...lastTest });
    run.seconds = elapsed();
    metrics?.write({ type: 'end', status: run.status, seconds: run.seconds });
    if (outDir) torch.tidy(() => torch.save(inner.stateDict(), path.join(outDir, 'model.safetensors')));
  } finally {
    metrics?.close();
  }
  o.callbacks?.onEnd?.(run);
  return withRunDisplay(run); // (a notebook shows it as an HTML table)
}
