// The time-to-accuracy recipe (issue 14), after airbench94 (github.com/KellerJordan/cifar10-airbench)
// and adapted to a 2-core CPU: a narrower net (CPU time is proportional to FLOPs, unlike an A100's),
// fewer epochs, no translation augmentation, flip-only TTA. Data stays in memory as tensors and is
// batched with indexSelect; flips are done once per dataset, not per image. The PyTorch twin
// (bench/speedrun_torch.py) runs the same recipe op for op.
import * as torch from '../../tensor/index.js';
import type { Tensor, MemoryFormat } from '../../tensor/index.js';
import { aten } from '../../tensor/index.js';
import * as F from '../../nn/functional.js';
import { SGD } from '../../optim/sgd.js';
import { SpeedrunNet, initWhitening } from './net.js';

export interface SpeedrunHyper {
  epochs: number;
  batchSize: number;
  widths: [number, number, number];
  /** learning rate per 1024 examples, decoupled from momentum (airbench's parametrisation) */
  lr: number;
  momentum: number;
  /** weight decay per 1024 examples, decoupled from the learning rate */
  weightDecay: number;
  /** learning-rate multiplier of the BatchNorm biases */
  biasScaler: number;
  labelSmoothing: number;
  /** epochs during which the whitening conv's bias is trained (airbench: 3 of 10; here 0: frozen at
   * zero, which spares the first group's conv its input gradient) */
  whitenBiasEpochs: number;
  /** GELU in the conv groups: exact ('none', airbench) or its tanh approximation (faster on CPU) */
  geluApproximate: 'none' | 'tanh';
  /** lookahead EMA every 5 steps from this epoch on; null: off */
  emaStart: number | null;
  /** alternating flips in training */
  flip: boolean;
  /** flip test-time augmentation at the final evaluation */
  tta: boolean;
  /** test accuracy after every epoch (the accuracy-over-time curve), not only at the end */
  evalEveryEpoch: boolean;
  memoryFormat: 'channels_last' | 'contiguous';
}

/** The defaults, chosen by measurement on 2 cores (BENCHMARKS.md, "Speedrun"). */
export const DEFAULT_HYPER: SpeedrunHyper = {
  epochs: 3, batchSize: 512, widths: [16, 32, 64], lr: 11.5, momentum: 0.85, weightDecay: 0.0153, biasScaler: 64,
  labelSmoothing: 0.2, whitenBiasEpochs: 0, geluApproximate: 'tanh', emaStart: 2, flip: true, tta: true, evalEveryEpoch: true, memoryFormat: 'channels_last',
};

/** In-memory uint8 images N×C×H×W and int64 labels. */
export interface SpeedrunSplit { data: Tensor; targets: Tensor }

export interface CurvePoint { epoch: number; seconds: number; accuracy: number }

export interface SeedResult {
  seed: number;
  /** final test accuracy (%), with TTA when on */
  accuracy: number;
  /** wall time of the whole run: data loading, normalisation, training and every evaluation */
  seconds: number;
  loadSeconds: number;
  curve: CurvePoint[];
  trainSamples: number;
  testSamples: number;
}

/** airbench's triangular schedule: from `start` up to 1 at `peakAt` of the steps, then down to `end`. */
export function triangle(step: number, total: number, start = 0.2, peakAt = 0.23, end = 0.07): number {
  const peak = peakAt * total;
  return step < peak ? start + (1 - start) * step / peak : 1 + (end - 1) * (step - peak) / (total - peak);
}

const fmt = (f: SpeedrunHyper['memoryFormat']): MemoryFormat => (f === 'channels_last' ? 'channels_last' : 'contiguous_format');

/** Normalised float32 copy of uint8 images: (x/255 - mean)/std per channel. */
export function normalize(images: Tensor, mean: readonly number[], std: readonly number[]): Tensor {
  return torch.tidy(() => {
    const c = images.size(1);
    const m = torch.tensor(Float32Array.from(mean)).view(1, c, 1, 1);
    const s = torch.tensor(Float32Array.from(std)).view(1, c, 1, 1);
    return images.float().div(255).sub(m).div(s);
  });
}

function evaluate(net: SpeedrunNet, x: Tensor, y: Tensor, tta: boolean, format: MemoryFormat): number {
  net.eval();
  let correct = 0;
  torch.inferenceMode(() => {
    for (let i = 0; i < x.size(0); i += 2000) {
      correct += torch.tidy(() => {
        const n = Math.min(2000, x.size(0) - i);
        const xb = aten.contiguous(x.narrow(0, i, n), { memoryFormat: format });
        let logits = net.forward(xb);
        if (tta) logits = logits.add(net.forward(xb.flip([-1])));
        return logits.argmax(1).eq(y.narrow(0, i, n)).sum().item() as number;
      });
    }
  });
  net.train();
  return (100 * correct) / x.size(0);
}

export interface RunOptions {
  seed: number;
  hyper: SpeedrunHyper;
  /** loads the raw splits; its time counts in the wall time */
  load: () => { train: SpeedrunSplit; test: SpeedrunSplit; mean: readonly number[]; std: readonly number[]; dispose(): void };
  onEpoch?: (p: CurvePoint) => void;
  onStep?: (step: number, total: number) => void;
}

/** One seeded run of the recipe, timed from before loading the data to after the last evaluation. */
export function runSpeedrun(o: RunOptions): SeedResult {
  const h = o.hyper;
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  torch.manualSeed(o.seed);
  const format = fmt(h.memoryFormat);
  const raw = o.load();
  let xtr: Tensor, xte: Tensor;
  try {
    xtr = normalize(raw.train.data, raw.mean, raw.std);
    xte = normalize(raw.test.data, raw.mean, raw.std);
  } catch (e) {
    raw.dispose();
    throw e;
  }
  const ytr = raw.train.targets, yte = raw.test.targets;
  const loadSeconds = elapsed();
  const n = xtr.size(0);
  const bs = Math.min(h.batchSize, n);
  const net = new SpeedrunNet(h.widths, xtr.size(1), 10, h.geluApproximate);
  const opt = { current: null as SGD | null };
  const ema: Tensor[] = [];
  try {
    initWhitening(net.whiten, xtr.narrow(0, 0, Math.min(5000, n)));
    // weights and activations in one layout (a 1.3x faster step than channels_last activations with
    // NCHW weights); the optimizer is built after, on the converted parameters
    net.to({ memoryFormat: format });
    // alternating flips: half the images flipped once here, then all of them flipped on odd epochs
    if (h.flip) {
      const flipped = torch.tidy(() => torch.where(torch.rand([n]).lt(0.5).view(-1, 1, 1, 1), xtr.flip([-1]), xtr));
      xtr.dispose();
      xtr = flipped;
    }
    // airbench's decoupled hyperparameters turned into PyTorch SGD's lr and weight decay
    const kilostep = 1024 * (1 + 1 / (1 - h.momentum));
    const lr = h.lr / kilostep, wd = (h.weightDecay * bs) / kilostep;
    const named = net.namedParameters().filter(([, p]) => p.requiresGrad);
    const normBiases = named.filter(([k]) => k.includes('norm')).map(([, p]) => p);
    const others = named.filter(([k]) => !k.includes('norm')).map(([, p]) => p);
    const baseLrs = [lr * h.biasScaler, lr];
    opt.current = new SGD([
      { params: normBiases, lr: baseLrs[0], weightDecay: wd / baseLrs[0] },
      { params: others, lr: baseLrs[1], weightDecay: wd / baseLrs[1] },
    ], { momentum: h.momentum, nesterov: true });
    const optimizer = opt.current;
    const stepsPerEpoch = Math.floor(n / bs);
    const total = stepsPerEpoch * h.epochs;
    const floatState = () => Object.values(net.stateDict()).filter((t) => torch.isFloatingPoint(t.dtype));
    const curve: CurvePoint[] = [];
    let step = 0;
    for (let epoch = 0; epoch < h.epochs; epoch++) {
      net.whiten.bias!.requiresGrad_(epoch < h.whitenBiasEpochs);
      const xe = h.flip && epoch % 2 === 1 ? xtr.flip([-1]) : xtr;
      const perm = torch.randperm(n);
      try {
        for (let i = 0; i < stepsPerEpoch; i++) {
          torch.tidy(() => {
            const idx = perm.narrow(0, i * bs, bs);
            const xb = aten.contiguous(xe.indexSelect(0, idx), { memoryFormat: format });
            const yb = ytr.indexSelect(0, idx);
            const f = triangle(step, total);
            optimizer.paramGroups.forEach((g, j) => { g.lr = baseLrs[j] * f; });
            const loss = F.crossEntropy(net.forward(xb), yb, { labelSmoothing: h.labelSmoothing, reduction: 'sum' });
            net.zeroGrad();
            loss.backward();
            optimizer.step();
          });
          step++;
          o.onStep?.(step, total);
          if (h.emaStart !== null && epoch >= h.emaStart && step % 5 === 0) {
            if (ema.length === 0) {
              torch.tidy(() => { for (const t of floatState()) ema.push(torch.keep(t.clone())); });
            } else {
              // lookahead: the average moves towards the weights, then the weights jump to the average
              const rho = 0.95 ** 5 * (step / total) ** 3;
              torch.noGrad(() => torch.tidy(() => floatState().forEach((t, j) => { ema[j].lerp_(t, 1 - rho); t.copy_(ema[j]); })));
            }
          }
        }
      } finally {
        perm.dispose();
        if (xe !== xtr) xe.dispose();
      }
      const last = epoch === h.epochs - 1;
      if (last || h.evalEveryEpoch) {
        const accuracy = evaluate(net, xte, yte, h.tta && last, format);
        curve.push({ epoch: epoch + 1, seconds: elapsed(), accuracy });
        o.onEpoch?.(curve[curve.length - 1]);
      }
    }
    return { seed: o.seed, accuracy: curve[curve.length - 1].accuracy, seconds: elapsed(), loadSeconds, curve, trainSamples: n, testSamples: xte.size(0) };
  } finally {
    torch.dispose(ema);
    opt.current?.dispose();
    net.dispose();
    xtr.dispose();
    xte.dispose();
    raw.dispose();
  }
}
