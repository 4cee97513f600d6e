// One pass over data: trainEpoch (forward, loss, backward, step, per batch) and evaluate.
// Each batch runs inside its own memory scope, so RSS stays flat over any number of epochs.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import * as F from '../nn/functional.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { describe } from '../tensor/args.js';
import { isTensor } from '../tensor/handles.js';
import { ProgressBar } from './progress.js';
import { gradNorms } from './grad-flow.js';
import type { Divergence, EvalResult, GradFlowRecord, StepRecord } from './records.js';
import { DistributedDataParallel } from '../nn/parallel/distributed.js';
import { applyMemoryFormat, checkMemoryFormat, inputFor, modelMemoryFormat, type MemoryFormatOption } from './memory-format.js';

/** (output, target) → a scalar loss, mean over the batch (F.crossEntropy by default). */
export type LossFn = (output: Tensor, target: Tensor) => Tensor;
/** A source of [input, target] batches: a DataLoader, or any (async) iterable of pairs. */
export type Batches = (Iterable<readonly [Tensor, Tensor]> | AsyncIterable<readonly [Tensor, Tensor]>) & { length?: number };

/** 'cuda' when available, else 'cpu' (the notebook's DEVICE). */
export const defaultDevice = (): string => (torch.cuda.isAvailable() ? 'cuda' : 'cpu');

export function checkBatches(loader: unknown, name: string): Batches {
  const l = loader as Batches | null;
  if (l === null || typeof l !== 'object' ||
    (typeof (l as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function' && typeof (l as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
    throw new TypeError(`${name}: expected a DataLoader or an iterable of [input, target] batches, got ${describe(loader)}`);
  }
  return l;
}

/** Iterates batches, async when the source can prefetch (DataLoader's for-await). */
async function* batchesOf(loader: Batches): AsyncGenerator<readonly [Tensor, Tensor]> {
  if (typeof (loader as AsyncIterable<readonly [Tensor, Tensor]>)[Symbol.asyncIterator] === 'function') {
    yield* loader as AsyncIterable<readonly [Tensor, Tensor]>;
  } else {
    yield* loader as Iterable<readonly [Tensor, Tensor]>;
  }
}

function checkPair(b: unknown, where: string): readonly [Tensor, Tensor] {
  if (!Array.isArray(b) || b.length < 2 || !isTensor(b[0]) || !isTensor(b[1])) {
    throw new TypeError(`${where}: expected an [input, target] pair of Tensors, got ${describe(b)}`);
  }
  return b as unknown as readonly [Tensor, Tensor];
}

/** Runs forward + loss, under autocast when amp is on (backward stays outside, as in PyTorch). */
function forwardLoss(model: Module, x: Tensor, y: Tensor, lossFn: LossFn, amp: boolean, device: string): [Tensor, Tensor] {
  const run = (): [Tensor, Tensor] => {
    const out = model.forward(x);
    return [out, lossFn(out, y)];
  };
  if (!amp) return run();
  return torch.autocast(device.startsWith('cuda') ? 'cuda' : 'cpu', run, { dtype: 'bfloat16' });
}

export interface TrainEpochOptions {
  /** The epoch's index (for records, messages and the bar's "Epoch N"). */
  epoch?: number;
  device?: string;
  lossFn?: LossFn;
  /** Draw a progress bar (default true). */
  progress?: boolean;
  /** bf16 autocast for forward and loss. */
  amp?: boolean;
  /** Record gradient norms every this many steps (0 = never). */
  gradFlowEvery?: number;
  /** The run's step counter at the start of this epoch (default 0). */
  stepOffset?: number;
  /** Called after every step (a per-step scheduler goes here). */
  onStep?: (r: StepRecord) => void;
  /** Called when gradient norms are recorded. */
  onGradFlow?: (r: GradFlowRecord) => void;
  /** Turns this process's batch loss into the one every rank agrees on (data-parallel: the ranks' mean). */
  reduceLoss?: (loss: number) => number;
  /**
   * The layout conv nets train in (see memory-format.ts): 'auto' (default) measures both on the
   * first batch and keeps the faster; 'channels-last' / 'contiguous' force one. The model is
   * converted once; each batch once, as it arrives.
   */
  memoryFormat?: MemoryFormatOption;
}

export interface EpochResult {
  /** Every step's loss, in order (the notebook's epoch_losses). */
  losses: number[];
  steps: StepRecord[];
  gradFlow: GradFlowRecord[];
  /** Mean loss over the epoch's steps. */
  loss: number;
  /** Percent of training samples classified correctly. */
  accuracy: number;
  correct: number;
  total: number;
  /** Set when a loss became NaN/Infinity; the epoch stopped at that step, before its update. */
  divergence: Divergence | null;
}

const lrOf = (optimizer: Optimizer): number => Number(optimizer.paramGroups[0]?.lr ?? NaN);

/**
 * Trains `model` for one pass over `loader`.
 * @example const r = await train.trainEpoch(model, loader, optimizer, { epoch: 0 });
 */
export async function trainEpoch(model: Module, loader: Batches, optimizer: Optimizer, o: TrainEpochOptions = {}): Promise<EpochResult> {
  checkBatches(loader, 'trainEpoch: loader');
  const epoch = o.epoch ?? 0;
  const device = o.device ?? defaultDevice();
  const lossFn = o.lossFn ?? F.crossEntropy;
  const every = o.gradFlowEvery ?? 0;
  const total = typeof loader.length === 'number' ? loader.length : 0;
  const bar = o.progress !== false && total > 0 ? new ProgressBar(total, `Epoch ${epoch}`) : null;
  const r: EpochResult = { losses: [], steps: [], gradFlow: [], loss: NaN, accuracy: NaN, correct: 0, total: 0, divergence: null };
  let step = o.stepOffset ?? 0;
  let running = 0;
  // Data-parallel: ranks would time the layouts separately and could disagree (and the
  // calibration's backward would run DDP's all-reduce), so 'auto' keeps today's layout there.
  const asked = checkMemoryFormat(o.memoryFormat, 'trainEpoch');
  const formatOption = asked === 'auto' && model instanceof DistributedDataParallel ? 'contiguous' : asked;
  let format: torch.MemoryFormat | null | undefined; // decided at the first batch
  model.train();
  try {
    for await (const batch of batchesOf(loader)) {
      const k = r.losses.length;
      const { loss, correct, n, norms } = torch.tidy(() => {
        const [x0, y0] = checkPair(batch, 'trainEpoch');
        const x1 = x0.to(device);
        const y = y0.to(device);
        if (format === undefined) format = applyMemoryFormat(model, formatOption, x1, y, lossFn);
        const x = inputFor(x1, format);
        optimizer.zeroGrad();
        const [out, lossT] = forwardLoss(model, x, y, lossFn, o.amp ?? false, device);
        const value = o.reduceLoss ? o.reduceLoss(lossT.item()) : (lossT.item() as number);
        // Stop before backward/step: the weights stay those of the last finite loss.
        if (!Number.isFinite(value)) return { loss: value, correct: 0, n: 0, norms: null };
        lossT.backward();
        // Conv and linear weights only: biases and BatchNorm scales say little about depth and zigzag the plot.
        const norms = every > 0 && step % every === 0 ? gradNorms(model, { weightsOnly: true }) : null;
        optimizer.step();
        const correct = Number(out.detach().argmax(1).eq(y).sum().item());
        return { loss: value, correct, n: y.size(0), norms };
      });
      if (!Number.isFinite(loss)) {
        const lr = lrOf(optimizer);
        r.divergence = {
          epoch, step: k, value: loss,
          message: `loss became ${loss} at epoch ${epoch} step ${k}; the learning rate ${lr} is probably too high`,
        };
        break;
      }
      const rec: StepRecord = { epoch, step, loss, lr: lrOf(optimizer) };
      r.losses.push(loss);
      r.steps.push(rec);
      if (norms) {
        const g: GradFlowRecord = { epoch, step, norms };
        r.gradFlow.push(g);
        o.onGradFlow?.(g);
      }
      r.correct += correct;
      r.total += n;
      running += loss;
      step++;
      o.onStep?.(rec);
      bar?.update(1, { loss: running / r.losses.length, stage: 'train' });
    }
  } finally {
    bar?.close();
  }
  r.loss = r.losses.length ? running / r.losses.length : NaN;
  r.accuracy = r.total ? (100 * r.correct) / r.total : NaN;
  return r;
}

export interface EvaluateOptions {
  device?: string;
  lossFn?: LossFn;
  amp?: boolean;
}

/**
 * Loss and accuracy of `model` over `loader`, without gradients, in eval mode (the model's
 * train/eval mode is restored afterwards). `loss` is the mean per sample.
 * @example const { accuracy } = await train.evaluate(model, testLoader);
 */
export async function evaluate(model: Module, loader: Batches, o: EvaluateOptions = {}): Promise<EvalResult> {
  return (await evaluateWithBatchMeans(model, loader, o)).result;
}

/** evaluate(), plus the sum of the per-batch mean losses (what the notebook's predict adds up). */
export async function evaluateWithBatchMeans(model: Module, loader: Batches, o: EvaluateOptions = {}): Promise<{ result: EvalResult; batchMeanSum: number }> {
  checkBatches(loader, 'evaluate: loader');
  const device = o.device ?? defaultDevice();
  const lossFn = o.lossFn ?? F.crossEntropy;
  const wasTraining = model.training;
  const format = modelMemoryFormat(model); // inputs follow the model's layout (fit chose it)
  model.eval();
  let lossSum = 0;
  let batchMeanSum = 0;
  let correct = 0;
  let total = 0;
  try {
    for await (const batch of batchesOf(loader)) {
      // Inference mode: no autograd bookkeeping at all (noGrad still keeps version counters).
      const r = torch.inferenceMode(() => torch.tidy(() => {
        const [x0, y0] = checkPair(batch, 'evaluate');
        const x = inputFor(x0.to(device), format);
        const y = y0.to(device);
        const [out, loss] = forwardLoss(model, x, y, lossFn, o.amp ?? false, device);
        const n = y.size(0);
        return { mean: loss.item() as number, correct: Number(out.argmax(1).eq(y).sum().item()), n };
      }));
      lossSum += r.mean * r.n;
      batchMeanSum += r.mean;
      correct += r.correct;
      total += r.n;
    }
  } finally {
    model.train(wasTraining);
  }
  if (total === 0) throw new RangeError('evaluate: the loader yielded no samples');
  return { result: { loss: lossSum / total, accuracy: (100 * correct) / total, correct, total }, batchMeanSum };
}
