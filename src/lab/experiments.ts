// The lab notebook's experiments as data: which runs each one trains, with the notebook's
// hyperparameters (the "full" preset), and how the "quick" preset scales them down for 2 CPU cores.
export type ModelKind = 'cnn' | 'cnn-bn' | 'resnet18-plain' | 'resnet18';
export type OptimizerKind = 'sgd' | 'adam' | 'adamw' | 'rmsprop';
export type ExperimentId = 'learning-rate' | 'momentum' | 'batchnorm' | 'residual';
export const EXPERIMENTS: readonly ExperimentId[] = ['learning-rate', 'momentum', 'batchnorm', 'residual'];
export type PresetName = 'quick' | 'full';
export type DatasetName = 'fashion-mnist' | 'cifar10';
// The choices of the `torchlab` command. They live here, in a file that imports nothing, so that
// the command can list them (and run `setup` / `doctor`) without loading the native addon.
export const DATASETS: readonly DatasetName[] = ['fashion-mnist', 'cifar10'];
export const MODELS: readonly ModelKind[] = ['cnn', 'cnn-bn', 'resnet18-plain', 'resnet18'];
export const OPTIMIZERS: readonly OptimizerKind[] = ['sgd', 'adam', 'adamw', 'rmsprop'];

/** One training run of an experiment. */
export interface RunSpec {
  /** Directory name and table label, e.g. 'sgd-lr0.001'. */
  id: string;
  model: ModelKind;
  optimizer: OptimizerKind;
  lr: number;
  momentum: number;
  epochs: number;
  batchSize: number;
  /** Training samples used (null: the whole training set). */
  limit: number | null;
  /** ResNet's first-stage width (64 in the notebook). */
  width: number;
  /** Gradient norms are recorded every this many steps (0: never). */
  gradFlowEvery: number;
}

export interface ExperimentSpec {
  id: ExperimentId;
  title: string;
  question: string;
  runs: RunSpec[];
  /** Run the LR range test first (the learning-rate experiment). */
  lrFinder: { numIter: number; batchSize: number } | null;
}

/** What the command line may override in every run of a preset. */
export interface Overrides {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  limit?: number;
}

interface Scale {
  /** Epochs by the notebook's epoch count. */
  epochs: (notebook: number) => number;
  /** Training samples of the CNN experiments and of the ResNet experiment. */
  cnnLimit: number | null;
  resnetLimit: number | null;
  resnetWidth: number;
  lrFinderIter: number;
}

const SCALES: Record<PresetName, Scale> = {
  // The notebook's epochs, batch sizes and widths.
  full: { epochs: (n) => n, cnnLimit: null, resnetLimit: null, resnetWidth: 64, lrFinderIter: 100 },
  // About 10 minutes for `lab all` on 2 CPU cores, each lesson still visible: fewer epochs on part
  // of the training set (the whole test set is always used), ResNet-18 at a quarter of its width.
  quick: {
    epochs: (n) => (n >= 30 ? 3 : n >= 10 ? Math.ceil(n / 2) : n),
    cnnLimit: 20000, resnetLimit: 10000, resnetWidth: 16, lrFinderIter: 60,
  },
};

function run(id: string, model: ModelKind, optimizer: OptimizerKind, lr: number, momentum: number, notebookEpochs: number,
  batchSize: number, s: Scale, gradFlowEvery = 0): RunSpec {
  const resnet = model.startsWith('resnet');
  return {
    id, model, optimizer, lr, momentum, epochs: s.epochs(notebookEpochs), batchSize,
    limit: resnet ? s.resnetLimit : s.cnnLimit, width: resnet ? s.resnetWidth : 0, gradFlowEvery,
  };
}

/** The experiment's runs under a preset, with command-line overrides applied to every run. */
export function experiment(id: ExperimentId, preset: PresetName, o: Overrides = {}): ExperimentSpec {
  const s = SCALES[preset];
  let spec: ExperimentSpec;
  switch (id) {
    case 'learning-rate':
      spec = {
        id, title: 'The importance of the learning rate',
        question: 'The notebook\'s CNN trained with plain SGD at learning rates 0.001, 0.01 and 0.9 (batch 1024), ' +
          'and an LR range test that sweeps the learning rate to suggest one.',
        runs: [
          run('sgd-lr0.001', 'cnn', 'sgd', 0.001, 0, 10, 1024, s),
          run('sgd-lr0.01', 'cnn', 'sgd', 0.01, 0, 10, 1024, s),
          run('sgd-lr0.9', 'cnn', 'sgd', 0.9, 0, 5, 1024, s),
        ],
        lrFinder: { numIter: s.lrFinderIter, batchSize: 256 },
      };
      break;
    case 'momentum':
      spec = {
        id, title: 'Momentum',
        question: 'The slow run (SGD, lr 0.001) again, then the same learning rate with momentum 0.9.',
        runs: [
          run('sgd-lr0.001', 'cnn', 'sgd', 0.001, 0, 10, 1024, s),
          run('sgd-lr0.001-momentum0.9', 'cnn', 'sgd', 0.001, 0.9, 10, 1024, s),
        ],
        lrFinder: null,
      };
      break;
    case 'batchnorm':
      spec = {
        id, title: 'Batch normalization',
        question: 'The CNN without and with BatchNorm (SGD lr 0.01, momentum 0.9, batch 256) for the same number of epochs, ' +
          'and the BatchNorm CNN at a 5x higher learning rate (0.05).',
        runs: [
          run('cnn-sgd-lr0.01', 'cnn', 'sgd', 0.01, 0.9, 50, 256, s),
          run('cnn-bn-sgd-lr0.01', 'cnn-bn', 'sgd', 0.01, 0.9, 50, 256, s),
          run('cnn-bn-sgd-lr0.05', 'cnn-bn', 'sgd', 0.05, 0.9, 50, 256, s),
        ],
        lrFinder: null,
      };
      break;
    case 'residual':
      spec = {
        id, title: 'Residual connections',
        question: 'ResNet-18 built from plain blocks (no skip connections) and from residual blocks, Adam lr 0.01, batch 256, ' +
          'with the gradient norm of every layer recorded during training.',
        runs: [
          run('resnet18-plain', 'resnet18-plain', 'adam', 0.01, 0, 30, 256, s, 5),
          run('resnet18-residual', 'resnet18', 'adam', 0.01, 0, 30, 256, s, 5),
        ],
        lrFinder: null,
      };
      break;
    default:
      throw new TypeError(`unknown experiment '${String(id)}'; expected one of ${EXPERIMENTS.join(', ')}, all`);
  }
  for (const r of spec.runs) {
    if (o.epochs !== undefined) r.epochs = o.epochs;
    if (o.batchSize !== undefined) r.batchSize = o.batchSize;
    if (o.lr !== undefined) r.lr = o.lr;
    if (o.limit !== undefined) r.limit = o.limit;
  }
  return spec;
}

/** Two runs with equal specs are the same run (the momentum experiment repeats the slow lr-0.001 run). */
export const runKey = (r: RunSpec, seed: number, dataset: string): string => JSON.stringify({ ...r, seed, dataset });
