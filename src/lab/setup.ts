// What an experiment's runs are built from: the datasets (Fashion-MNIST offline by default, or
// CIFAR-10 downloaded as in the notebook), the notebook's models and the optimizers.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Module } from '../nn/module.js';
import { FashionMNIST } from '../data/datasets/mnist.js';
import { CIFAR10 } from '../data/datasets/cifar.js';
import { DataLoader, TensorDataset } from '../data/dataloader.js';
import { DistributedSampler } from '../data/distributed-sampler.js';
import { ToTensor } from '../data/transforms.js';
import { CNN, CNNWithBN } from '../models/cnn.js';
import { PlainBlock, ResidualBlock, resnet18 } from '../models/resnet.js';
import { SGD } from '../optim/sgd.js';
import { Adam, AdamW } from '../optim/adam.js';
import { RMSprop } from '../optim/rmsprop.js';
import type { Optimizer } from '../optim/optimizer.js';
import { DATASETS, MODELS, OPTIMIZERS, type DatasetName, type ModelKind, type OptimizerKind } from './experiments.js';

export { DATASETS, MODELS, OPTIMIZERS, type DatasetName };

export interface LabData {
  name: DatasetName;
  /** uint8 N×C×H×W images and int64 labels, train and test. */
  train: { data: Tensor; targets: Tensor };
  test: { data: Tensor; targets: Tensor };
  inChannels: number;
  imageSize: number;
  classes: readonly string[];
  dispose(): void;
}

export interface DataOptions {
  /** Fashion-MNIST's IDX folder (default Debian's), or where CIFAR-10 is / is downloaded to (default ./data). */
  root?: string;
  /** CIFAR-10 mirror base URL (default env TORCHLAB_CIFAR_MIRROR, then the official site). */
  mirror?: string;
}

/** Loads both splits of a dataset (downloading CIFAR-10 when it is missing, as the notebook does). */
export function loadData(name: DatasetName, o: DataOptions = {}): LabData {
  if (name === 'fashion-mnist') {
    const train = new FashionMNIST({ root: o.root, train: true });
    const test = new FashionMNIST({ root: o.root, train: false });
    return { name, train, test, inChannels: 1, imageSize: 28, classes: FashionMNIST.classes, dispose: () => { train.dispose(); test.dispose(); } };
  }
  if (name === 'cifar10') {
    const root = o.root ?? './data';
    const train = new CIFAR10({ root, train: true, download: true, mirror: o.mirror });
    const test = new CIFAR10({ root, train: false, download: true, mirror: o.mirror });
    return { name, train, test, inChannels: 3, imageSize: 32, classes: train.classes, dispose: () => { train.dispose(); test.dispose(); } };
  }
  throw new TypeError(`unknown dataset '${String(name)}'; expected one of ${DATASETS.join(', ')}`);
}

/** The first `limit` samples (views, no copy), or all of them. */
export function firstSamples(ds: { data: Tensor; targets: Tensor }, limit: number | null): TensorDataset {
  const n = ds.data.size(0);
  const k = limit === null ? n : Math.min(n, limit);
  return torch.tidy(() => new TensorDataset(torch.keep(ds.data.narrow(0, 0, k)), torch.keep(ds.targets.narrow(0, 0, k))));
}

/** A loader as in the notebook: ToTensor, shuffled training batches (seeded, so every run of an experiment sees the same batches). */
export function loaderFor(ds: TensorDataset, batchSize: number, o: { train: boolean; seed: number; device?: string }): DataLoader {
  return new DataLoader(ds, { batchSize, shuffle: o.train, transform: new ToTensor(), seed: o.train ? o.seed : null, device: o.device ?? null });
}

/** A data-parallel rank's training loader: its DistributedSampler share of each epoch (same seed on every rank). */
export function distributedLoaderFor(ds: TensorDataset, batchSize: number, o: { seed: number; device?: string }): DataLoader {
  const sampler = new DistributedSampler(ds, { shuffle: true, seed: o.seed });
  return new DataLoader(ds, { batchSize, sampler, transform: new ToTensor(), device: o.device ?? null });
}

export interface ModelShape {
  inChannels: number;
  imageSize: number;
  numClasses: number;
  /** ResNet width (first stage); 64 in the notebook. */
  width?: number;
}

/** The notebook's models by name. */
export function buildModel(kind: ModelKind, s: ModelShape): Module {
  switch (kind) {
    case 'cnn': return new CNN({ inChannels: s.inChannels, imageSize: s.imageSize, numClasses: s.numClasses });
    case 'cnn-bn': return new CNNWithBN({ inChannels: s.inChannels, imageSize: s.imageSize, numClasses: s.numClasses });
    case 'resnet18-plain': return resnet18({ block: PlainBlock, inChannels: s.inChannels, numClasses: s.numClasses, width: s.width || 64 });
    case 'resnet18': return resnet18({ block: ResidualBlock, inChannels: s.inChannels, numClasses: s.numClasses, width: s.width || 64 });
    default: throw new TypeError(`unknown model '${String(kind)}'; expected one of ${MODELS.join(', ')}`);
  }
}

/** An optimizer by name; momentum applies to SGD and RMSprop only. */
export function buildOptimizer(kind: OptimizerKind, params: Tensor[], lr: number, momentum = 0): Optimizer {
  switch (kind) {
    case 'sgd': return new SGD(params, { lr, momentum });
    case 'adam': return new Adam(params, { lr });
    case 'adamw': return new AdamW(params, { lr });
    case 'rmsprop': return new RMSprop(params, { lr, momentum });
    default: throw new TypeError(`unknown optimizer '${String(kind)}'; expected one of ${OPTIMIZERS.join(', ')}`);
  }
}
