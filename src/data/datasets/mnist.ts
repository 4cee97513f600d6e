// MNIST and Fashion-MNIST from their IDX files (gzipped or not), as torchvision.datasets.MNIST /
// FashionMNIST. Every inconsistency is an error naming the file and the problem.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../../tensor/index.js';
import { checkOptions, checkBool } from '../../tensor/args.js';
import { readIdx } from '../idx.js';
import { VisionDataset, checkLabels, uint8Tensor, type VisionDatasetOptions } from './vision.js';

export interface MNISTOptions<X = Tensor, Y = number> extends VisionDatasetOptions<X, Y> {
  /**
   * The folder holding `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`,
   * `t10k-images-idx3-ubyte[.gz]` and `t10k-labels-idx1-ubyte[.gz]`, directly or in torchvision's
   * layout `root/<ClassName>/raw/`.
   */
  root?: string;
  /** The training set (60,000 images) or the test set (10,000); default true. */
  train?: boolean;
}

const KEYS = ['root', 'train', 'transform', 'targetTransform'] as const;

/** Debian's `dataset-fashion-mnist` package, the default root of FashionMNIST. */
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** Finds `name` or `name.gz` in root or root/<folder>/raw. */
function findFile(root: string, folder: string, name: string, cls: string): string {
  const tried: string[] = [];
  for (const dir of [root, join(root, folder, 'raw')]) {
    for (const f of [name, `${name}.gz`]) {
      const p = join(dir, f);
      tried.push(p);
      if (existsSync(p)) return p;
    }
  }
  throw new Error(`${cls}: dataset file not found: tried ${tried.join(', ')}`);
}

/** Reads one split: images [N, 1, H, W] uint8 and labels (validated). */
function loadSplit(root: string, folder: string, train: boolean, numClasses: number, cls: string): { data: Tensor; labels: Uint8Array } {
  const prefix = train ? 'train' : 't10k';
  const imagesPath = findFile(root, folder, `${prefix}-images-idx3-ubyte`, cls);
  const labelsPath = findFile(root, folder, `${prefix}-labels-idx1-ubyte`, cls);
  const images = readIdx(imagesPath, 3);
  const labels = readIdx(labelsPath, 1);
  const [n, h, w] = images.dims;
  if (h === 0 || w === 0) throw new Error(`${imagesPath}: images of size ${h}×${w}`);
  if (labels.dims[0] !== n) {
    throw new Error(`${labelsPath}: ${labels.dims[0]} labels, but ${imagesPath} holds ${n} images`);
  }
  checkLabels(labels.data, numClasses, labelsPath);
  return { data: uint8Tensor(images.data, [n, 1, h, w]), labels: labels.data };
}

/**
 * The MNIST handwritten digits (torchvision.datasets.MNIST): `data` uint8 [N, 1, 28, 28],
 * `targets` int64 [N], get(i) → [uint8 [1, 28, 28] image, label].
 * Deviations: `root` is required and `download` is not supported (there is no official mirror left
 * that serves MNIST over HTTPS with a published checksum); files may sit directly in `root`.
 * @example
 * const train = new MNIST({ root: '/data/mnist' });
 * const [x, y] = train.get(0);   // x: uint8 [1, 28, 28], y: 5
 */
export class MNIST<X = Tensor, Y = number> extends VisionDataset<X, Y> {
  static readonly classes: readonly string[] = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four',
    '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];
  /** Whether this is the training split. */
  readonly train: boolean;
  /** The folder the files were looked for in. */
  readonly root: string;

  constructor(options: MNISTOptions<X, Y>) {
    const o = checkOptions(options, `${new.target.name}: options`, KEYS);
    const cls = new.target.name;
    const classes = (new.target as unknown as { classes: readonly string[] }).classes;
    const root = o.root ?? (cls === 'FashionMNIST' ? DEBIAN_FASHION_MNIST : undefined);
    if (typeof root !== 'string') {
      throw new TypeError(`${cls}: options.root: expected the folder of the IDX files, got ${root === undefined ? 'nothing' : typeof root}`);
    }
    const train = checkBool(o.train, `${cls}: options.train`, true);
    const { data, labels } = loadSplit(root, cls, train, classes.length, cls);
    super(data, labels, classes, o);
    this.train = train;
    this.root = root;
  }
}

/**
 * Zalando's Fashion-MNIST (torchvision.datasets.FashionMNIST), MNIST's format and sizes with
 * clothing. With no `root`, the files of Debian's `dataset-fashion-mnist` package
 * (/usr/share/datasets/fashion-mnist) are used (a deviation: torchvision requires root).
 * @example
 * const test = new FashionMNIST({ train: false });
 * console.log(test.length, test.classes[test.get(0)[1]]);  // 10000 'Ankle boot'
 */
export class FashionMNIST<X = Tensor, Y = number> extends MNIST<X, Y> {
  static override readonly classes: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
    'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

  constructor(options?: MNISTOptions<X, Y>) {
    super(options ?? {});
  }
}
