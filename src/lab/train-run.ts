// One unit of the lab's work, as runLab does it in its own process (--jobs 1) and as each worker
// process of the run pool does it (run-worker.ts): train one run of an experiment, or run the
// learning-rate experiment's LR range test. Both only read the spec and the seed, so a run's
// results do not depend on which process trains it or in what order.
import * as torch from '../tensor/index.js';
import * as F from '../nn/functional.js';
import { findLr, type FindLrResult } from '../train/find-lr.js';
import { SGD } from '../optim/sgd.js';
import { fit } from '../train/fit.js';
import type { MemoryFormatOption } from '../train/memory-format.js';
import type { RunResult, StepRecord } from '../train/records.js';
import type { ExperimentSpec, RunSpec } from './experiments.js';
import { buildModel, buildOptimizer, distributedLoaderFor, firstSamples, loaderFor, type LabData } from './setup.js';
import { DistributedDataParallel } from '../nn/parallel/distributed.js';
import { dataParallelInfo, perRankBatch } from '../train/data-parallel.js';

/** What a run needs besides its spec: plain data, so that it can be sent to a worker process. */
export interface RunSettings {
  seed: number;
  device: string;
  dataset: string;
  preset: string;
  progress: boolean;
  resume: boolean;
  amp: boolean;
  memoryFormat?: MemoryFormatOption;
}

export interface RunHooks {
  log: ((line: string) => void) | null;
  /** Every optimizer step, with the number of steps an epoch has (for a progress bar drawn elsewhere). */
  onStep?: (s: StepRecord, stepsPerEpoch: number) => void;
}

/** Trains one run of an experiment in its own directory `dir`. */
export async function trainRun(r: RunSpec, data: LabData, test: ReturnType<typeof firstSamples>, dir: string,
  c: RunSettings, h: RunHooks): Promise<RunResult> {
  torch.manualSeed(c.seed); // every run of a model kind starts from the same weights
  const trainSet = firstSamples(data.train, r.limit);
  const model = buildModel(r.model, { inChannels: data.inChannels, imageSize: data.imageSize, numClasses: data.classes.length, width: r.width });
  const optimizer = buildOptimizer(r.optimizer, model.parameters(), r.lr, r.momentum);
  const dp = dataParallelInfo();
  const perRank = perRankBatch(r.batchSize, dp);
  try {
    const loader = dp ? distributedLoaderFor(trainSet, perRank, { seed: c.seed }) : loaderFor(trainSet, r.batchSize, { train: true, seed: c.seed });
    const onStep = h.onStep;
    return await fit(dp ? new DistributedDataParallel(model) : model, loader, optimizer, {
      epochs: r.epochs, device: c.device, name: r.id, runDir: dir,
      testLoader: loaderFor(test, 1024, { train: false, seed: c.seed }),
      config: { ...r, dataset: c.dataset, preset: c.preset, seed: c.seed, trainSamples: trainSet.length, testSamples: test.length, globalBatch: r.batchSize, batchPerProcess: perRank },
      progress: c.progress, resume: c.resume, gradFlowEvery: r.gradFlowEvery, amp: c.amp, log: h.log,
      memoryFormat: c.memoryFormat, callbacks: onStep ? { onStep: (s) => onStep(s, loader.length) } : undefined,
    });
  } finally {
    optimizer.dispose();
    model.dispose();
    trainSet.data.dispose();
    trainSet.targets.dispose();
  }
}

/** The LR range test on a fresh CNN (SGD, the experiment's batch size). */
export function runLrFinder(data: LabData, spec: ExperimentSpec, seed: number, device: string, log: ((line: string) => void) | null): FindLrResult {
  const cfg = spec.lrFinder;
  if (!cfg) throw new TypeError(`experiment ${spec.id} has no LR range test`);
  const base = spec.runs[0];
  torch.manualSeed(seed);
  const trainSet = firstSamples(data.train, base.limit);
  const model = buildModel(base.model, { inChannels: data.inChannels, imageSize: data.imageSize, numClasses: data.classes.length, width: base.width });
  model.to(device);
  const optimizer = new SGD(model.parameters(), { lr: 1e-5 });
  try {
    const loader = loaderFor(trainSet, cfg.batchSize, { train: true, seed, device });
    const r = findLr(model, loader, optimizer, (out, y) => F.crossEntropy(out, y), { startLr: 1e-5, endLr: 10, numIter: cfg.numIter });
    log?.(`[lr-finder] ${r.lrs.length} steps; suggested lr ${r.suggestedLr === null ? 'none' : r.suggestedLr.toPrecision(2)}`);
    return r;
  } finally {
    optimizer.dispose();
    model.dispose();
    trainSet.data.dispose();
    trainSet.targets.dispose();
  }
}
