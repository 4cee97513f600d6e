// Every layer, loss, model, optimizer and LR scheduler constructor rejects an unknown option key
// with a TypeError naming the key and the valid ones. The classes are enumerated from the package's
// exports, so a new layer or optimizer fails here until it is added to the tables below (and so
// until its constructor checks its options). Each table row also constructs the class with every
// valid option set, so a listed option is one the constructor really takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { models, nn, optim } from '../src/index.js';

const BOGUS = { bogusOption: 1 };
interface Row {
  /** The positional arguments before the options object. */
  args: () => unknown[];
  /** Every valid option, in the order the error lists them, with a value the constructor accepts. */
  full: () => Record<string, unknown>;
}
type Ctor = new (...args: unknown[]) => unknown;

function exportedClasses(ns: Record<string, unknown>, base: abstract new (...a: never[]) => unknown): [string, Ctor][] {
  return Object.entries(ns).filter((e): e is [string, Ctor] => typeof e[1] === 'function' && e[1].prototype instanceof base);
}

function checkRow(name: string, C: Ctor, row: Row): void {
  torch.tidy(() => {
    const keys = Object.keys(row.full());
    assert.throws(() => new C(...row.args(), BOGUS), (e: Error) => {
      assert.ok(e instanceof TypeError, `${name}: expected a TypeError, got ${e.name}: ${e.message}`);
      assert.equal(e.message, `${name}: unknown option 'bogusOption'; valid options: ${keys.join(', ')}`);
      return true;
    });
    const built = new C(...row.args(), row.full());
    if (built instanceof nn.Module) built.dispose();
  });
}

const w = () => torch.zeros([2], { requiresGrad: true });
const weight = () => torch.ones([3]);
const LAYERS: Record<string, Row> = {
  Linear: { args: () => [4, 3], full: () => ({ bias: false, device: 'cpu', dtype: 'float64' }) },
  Conv2d: {
    args: () => [1, 8, 3],
    full: () => ({ stride: 1, padding: 1, dilation: 1, groups: 1, bias: true, paddingMode: 'reflect', device: 'cpu', dtype: 'float32' }),
  },
  BatchNorm1d: { args: () => [4], full: () => ({ eps: 1e-3, momentum: null, affine: false, trackRunningStats: true, device: 'cpu', dtype: 'float64' }) },
  BatchNorm2d: { args: () => [4], full: () => ({ eps: 1e-3, momentum: 0.2, affine: true, trackRunningStats: false, device: 'cpu', dtype: 'float32' }) },
  MaxPool2d: { args: () => [2], full: () => ({ stride: 1, padding: 1, dilation: 1, ceilMode: true }) },
  AvgPool2d: { args: () => [2], full: () => ({ stride: 1, padding: 1, ceilMode: true, countIncludePad: false }) },
  AdaptiveAvgPool2d: { args: () => [], full: () => ({ outputSize: [2, 2] }) },
  ReLU: { args: () => [], full: () => ({ inplace: true }) },
  LeakyReLU: { args: () => [], full: () => ({ negativeSlope: 0.2, inplace: false }) },
  GELU: { args: () => [], full: () => ({ approximate: 'tanh' }) },
  Dropout: { args: () => [], full: () => ({ p: 0.2, inplace: false }) },
  Flatten: { args: () => [], full: () => ({ startDim: 0, endDim: -1 }) },
  Conv1d: {
    args: () => [2, 4, 3],
    full: () => ({ stride: 1, padding: 1, dilation: 1, groups: 2, bias: false, paddingMode: 'circular', device: 'cpu', dtype: 'float64' }),
  },
  ConvTranspose2d: {
    args: () => [2, 4, 3],
    full: () => ({ stride: 2, padding: 1, outputPadding: 1, groups: 2, bias: false, dilation: 1, paddingMode: 'zeros', device: 'cpu', dtype: 'float64' }),
  },
  MaxPool1d: { args: () => [2], full: () => ({ stride: 1, padding: 1, dilation: 1, ceilMode: true }) },
  AvgPool1d: { args: () => [2], full: () => ({ stride: 1, padding: 1, ceilMode: true, countIncludePad: false }) },
  Upsample: { args: () => [], full: () => ({ size: null, scaleFactor: 2, mode: 'bilinear', alignCorners: true }) },
  Dropout2d: { args: () => [], full: () => ({ p: 0.2, inplace: false }) },
  Embedding: {
    args: () => [10, 3],
    full: () => ({ paddingIdx: 0, maxNorm: 1, normType: 1, scaleGradByFreq: false, sparse: false, _weight: torch.zeros([10, 3]), device: 'cpu', dtype: 'float32' }),
  },
  LayerNorm: { args: () => [4], full: () => ({ eps: 1e-3, elementwiseAffine: false, device: 'cpu', dtype: 'float64' }) },
  GroupNorm: { args: () => [2, 4], full: () => ({ eps: 1e-3, affine: true, device: 'cpu', dtype: 'float64' }) },
  Unflatten: { args: () => [], full: () => ({ dim: 1, unflattenedSize: [2, 3] }) },
  Softmax: { args: () => [], full: () => ({ dim: 1 }) },
  LogSoftmax: { args: () => [], full: () => ({ dim: 1 }) },
  Sigmoid: { args: () => [], full: () => ({}) },
  Tanh: { args: () => [], full: () => ({}) },
  SiLU: { args: () => [], full: () => ({ inplace: true }) },
  ELU: { args: () => [], full: () => ({ alpha: 0.5, inplace: false }) },
  Hardswish: { args: () => [], full: () => ({ inplace: true }) },
  PReLU: { args: () => [], full: () => ({ numParameters: 3, init: 0.1, device: 'cpu', dtype: 'float64' }) },
  LSTM: {
    args: () => [3, 4],
    full: () => ({ numLayers: 2, bias: false, batchFirst: true, dropout: 0.1, bidirectional: true, projSize: 2, device: 'cpu', dtype: 'float64' }),
  },
  GRU: {
    args: () => [3, 4],
    full: () => ({ numLayers: 2, bias: true, batchFirst: false, dropout: 0.2, bidirectional: true, device: 'cpu', dtype: 'float32' }),
  },
  MultiheadAttention: {
    args: () => [8, 2],
    full: () => ({ dropout: 0.1, bias: false, addBiasKv: false, addZeroAttn: false, kdim: 8, vdim: 8, batchFirst: true, device: 'cpu', dtype: 'float64' }),
  },
  TransformerEncoderLayer: {
    args: () => [8, 2],
    full: () => ({
      dimFeedforward: 16, dropout: 0, activation: 'gelu', layerNormEps: 1e-6, batchFirst: true, normFirst: true, device: 'cpu', dtype: 'float64',
    }),
  },
  CrossEntropyLoss: { args: () => [], full: () => ({ weight: weight(), ignoreIndex: 0, reduction: 'sum', labelSmoothing: 0.1 }) },
  NLLLoss: { args: () => [], full: () => ({ weight: weight(), ignoreIndex: 0, reduction: 'none' }) },
  MSELoss: { args: () => [], full: () => ({ reduction: 'sum' }) },
  L1Loss: { args: () => [], full: () => ({ reduction: 'sum' }) },
  SmoothL1Loss: { args: () => [], full: () => ({ reduction: 'sum', beta: 0.5 }) },
  HuberLoss: { args: () => [], full: () => ({ reduction: 'sum', delta: 0.5 }) },
  BCELoss: { args: () => [], full: () => ({ weight: weight(), reduction: 'sum' }) },
  BCEWithLogitsLoss: { args: () => [], full: () => ({ weight: weight(), reduction: 'sum', posWeight: weight() }) },
  KLDivLoss: { args: () => [], full: () => ({ reduction: 'batchmean', logTarget: true }) },
};
/** Modules whose constructors take modules, not options: an options-like object is still a TypeError. */
const CONTAINERS: Record<string, RegExp> = {
  Sequential: /^Sequential\.append: expected a Module, got Object$/,
  ModuleList: /^ModuleList: expected an array of Modules, got Object$/,
  ModuleDict: /^ModuleDict\.set: expected a Module for 'bogusOption', got number 1$/,
};
/** As PyTorch's nn.Identity, which is "argument-insensitive" so that it can stand in for any layer. */
const IGNORES_ARGUMENTS = ['Identity'];

const MODELS: Record<string, Row> = {
  CNN: { args: () => [], full: () => ({ inChannels: 1, imageSize: 28, numClasses: 5 }) },
  CNNWithBN: { args: () => [], full: () => ({ inChannels: 1, imageSize: 28, numClasses: 5 }) },
  ResNet: { args: () => [models.ResidualBlock, [1, 1, 1, 1]], full: () => ({ numClasses: 5, inChannels: 1, width: 2 }) },
  PlainBlock: { args: () => [4, 8], full: () => ({ stride: 2 }) },
  ResidualBlock: { args: () => [4, 8], full: () => ({ stride: 2 }) },
};

const OPTIMIZERS: Record<string, Row> = {
  SGD: { args: () => [[w()]], full: () => ({ lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true, maximize: false, foreach: true }) },
  Adam: { args: () => [[w()]], full: () => ({ lr: 0.1, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0, amsgrad: true, maximize: false, foreach: false }) },
  AdamW: { args: () => [[w()]], full: () => ({ lr: 0.1, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0.1, amsgrad: false, maximize: false, foreach: true }) },
  RMSprop: { args: () => [[w()]], full: () => ({ lr: 0.1, alpha: 0.9, eps: 1e-8, weightDecay: 0, momentum: 0.9, centered: true, maximize: false, foreach: false }) },
};

const sgd = () => new optim.SGD([w()], { lr: 0.1, momentum: 0.9 });
const SCHEDULERS: Record<string, Row> = {
  StepLR: { args: () => [sgd(), 3], full: () => ({ gamma: 0.5, lastEpoch: -1 }) },
  MultiStepLR: { args: () => [sgd(), [2, 4]], full: () => ({ gamma: 0.5, lastEpoch: -1 }) },
  ExponentialLR: { args: () => [sgd(), 0.9], full: () => ({ lastEpoch: -1 }) },
  CosineAnnealingLR: { args: () => [sgd(), 10], full: () => ({ etaMin: 0.01, lastEpoch: -1 }) },
  LinearLR: { args: () => [sgd()], full: () => ({ startFactor: 0.5, endFactor: 1, totalIters: 4, lastEpoch: -1 }) },
  SequentialLR: {
    args: () => {
      const opt = sgd();
      return [opt, [new optim.lrScheduler.LinearLR(opt), new optim.lrScheduler.ExponentialLR(opt, 0.9)], [5]];
    },
    full: () => ({ lastEpoch: -1 }),
  },
  OneCycleLR: {
    args: () => [sgd(), 0.1],
    full: () => ({
      totalSteps: 100, epochs: 10, stepsPerEpoch: 10, pctStart: 0.3, annealStrategy: 'linear', cycleMomentum: true,
      baseMomentum: 0.8, maxMomentum: 0.95, divFactor: 25, finalDivFactor: 1e4, threePhase: true, lastEpoch: -1,
    }),
  },
  ReduceLROnPlateau: {
    args: () => [sgd()],
    full: () => ({ mode: 'max', factor: 0.5, patience: 2, threshold: 1e-3, thresholdMode: 'abs', cooldown: 1, minLr: 1e-5, eps: 1e-9 }),
  },
};

test('every nn layer and loss is covered: unknown options are a TypeError naming the key and the valid ones', () => {
  const classes = exportedClasses(nn as unknown as Record<string, unknown>, nn.Module);
  const covered = new Set([...Object.keys(LAYERS), ...Object.keys(CONTAINERS), ...IGNORES_ARGUMENTS]);
  const missing = classes.map(([n]) => n).filter((n) => !covered.has(n));
  assert.deepEqual(missing, [], 'nn exports a Module class with no row here: add it (and check its options)');
  assert.ok(classes.length >= 25, `found ${classes.length} classes`);
  for (const [name, C] of classes) {
    if (LAYERS[name]) checkRow(name, C, LAYERS[name]);
    else if (CONTAINERS[name]) assert.throws(() => new C(BOGUS), (e: Error) => e instanceof TypeError && CONTAINERS[name].test(e.message));
  }
  assert.equal(new nn.Identity(54, { unusedArgument1: 0.1 }).toString(), 'Identity()');
});

test('the example from the issue: Conv2d with a misspelt padding', () => {
  assert.throws(() => new nn.Conv2d(1, 8, 3, { paddng: 1 } as never), {
    name: 'TypeError',
    message: "Conv2d: unknown option 'paddng'; valid options: stride, padding, dilation, groups, bias, paddingMode, device, dtype",
  });
});

test('the functional forms name themselves and their valid options', () => {
  torch.tidy(() => {
    const x = torch.randn([1, 1, 4, 4]);
    const w4 = torch.randn([1, 1, 3, 3]);
    const cases: [() => unknown, string][] = [
      [() => torch.F.conv2d(x, w4, null, { paddng: 1 } as never), "conv2d: unknown option 'paddng'; valid options: stride, padding, dilation, groups"],
      [() => torch.F.maxPool2d(x, 2, { countIncludePad: true } as never), "maxPool2d: unknown option 'countIncludePad'; valid options: stride, padding, dilation, ceilMode"],
      [() => torch.F.avgPool2d(x, 2, { dilation: 2 } as never), "avgPool2d: unknown option 'dilation'; valid options: stride, padding, ceilMode, countIncludePad, divisorOverride"],
      [() => torch.F.batchNorm(x, null, null, { train: true } as never), "batchNorm: unknown option 'train'; valid options: weight, bias, training, momentum, eps"],
      [() => torch.F.layerNorm(x, [4], { epsilon: 1 } as never), "layerNorm: unknown option 'epsilon'; valid options: weight, bias, eps"],
      [() => torch.F.gelu(x, { approx: 'tanh' } as never), "gelu: unknown option 'approx'; valid options: approximate"],
      [() => torch.F.pad(x, [1, 1], { fill: 1 } as never), "pad: unknown option 'fill'; valid options: mode, value"],
    ];
    for (const [fn, message] of cases) assert.throws(fn, { name: 'TypeError', message });
  });
});

test('positional-or-keyword layer arguments: as in PyTorch, by position or by name, never both', () => {
  assert.equal(new nn.Dropout({ p: 0.2 }).p, 0.2);
  assert.equal(new nn.Dropout(0.2, { inplace: true }).toString(), 'Dropout(p=0.2, inplace=True)');
  assert.equal(new nn.LeakyReLU({ negativeSlope: 0.2 }).toString(), 'LeakyReLU(negative_slope=0.2)');
  assert.equal(new nn.ReLU({ inplace: true }).toString(), 'ReLU(inplace=True)');
  assert.equal(new nn.Flatten({ startDim: 0 }).toString(), 'Flatten(start_dim=0, end_dim=-1)');
  assert.equal(new nn.GELU({ approximate: 'tanh' }).toString(), "GELU(approximate='tanh')");
  assert.equal(new nn.AdaptiveAvgPool2d({ outputSize: 1 }).toString(), 'AdaptiveAvgPool2d(output_size=1)');
  assert.throws(() => new nn.Dropout(0.2, { p: 0.3 } as never), { name: 'TypeError', message: "Dropout: got multiple values for argument 'p'" });
  assert.throws(() => new nn.Dropout({ p: 0.2 } as never, true), { name: 'TypeError', message: 'Dropout: an options object must be the last argument, got boolean true after it' });
  assert.throws(() => new nn.CrossEntropyLoss(torch.ones([2]), 3 as never), { name: 'TypeError', message: /CrossEntropyLoss: takes at most 1 positional argument \(weight\)/ });
  assert.throws(() => new nn.Dropout('0.2' as never), { name: 'TypeError', message: /^p: expected a number/ });
  assert.throws(() => new nn.ReLU('yes' as never), { name: 'TypeError', message: /^inplace: expected a boolean/ });
  assert.throws(() => new nn.AdaptiveAvgPool2d({} as never), { name: 'TypeError', message: /missing required argument 'outputSize'/ });
  assert.throws(() => new nn.Conv2d(1, 8, 3, { paddingMode: 'zero' as never }), { name: 'TypeError', message: /^paddingMode: expected 'zeros'/ });
  assert.equal(new models.PlainBlock(4, 8, { stride: 2 }).conv1.stride.join(), '2,2');
});

test('every model class and resnet18 rejects unknown options', () => {
  const classes = exportedClasses(models as unknown as Record<string, unknown>, nn.Module);
  assert.deepEqual(classes.map(([n]) => n).filter((n) => !MODELS[n]), [], 'models exports a class with no row here');
  for (const [name, C] of classes) checkRow(name, C, MODELS[name]);
  assert.throws(() => models.resnet18({ widht: 8 } as never), {
    name: 'TypeError', message: "resnet18: unknown option 'widht'; valid options: block, numClasses, inChannels, width",
  });
});

test('every optimizer rejects unknown options, in its constructor and in each parameter group', () => {
  const classes = exportedClasses(optim as unknown as Record<string, unknown>, optim.Optimizer);
  assert.deepEqual(classes.map(([n]) => n).filter((n) => !OPTIMIZERS[n]), [], 'optim exports an optimizer with no row here');
  assert.ok(classes.length >= 4);
  for (const [name, C] of classes) {
    checkRow(name, C, OPTIMIZERS[name]);
    const keys = Object.keys(OPTIMIZERS[name].full());
    assert.throws(() => new C([{ params: [w()], ...BOGUS }]), {
      name: 'TypeError', message: `paramGroups[0]: unknown option 'bogusOption'; valid options: params, ${keys.join(', ')}`,
    });
  }
});

test('every LR scheduler rejects unknown options', () => {
  const ns = optim.lrScheduler as unknown as Record<string, unknown>;
  const classes = Object.entries(ns).filter((e): e is [string, Ctor] => typeof e[1] === 'function' && e[0] !== 'LRScheduler');
  assert.deepEqual(classes.map(([n]) => n).filter((n) => !SCHEDULERS[n]), [], 'lrScheduler exports a scheduler with no row here');
  assert.ok(classes.length >= 8);
  for (const [name, C] of classes) checkRow(name, C, SCHEDULERS[name]);
});
