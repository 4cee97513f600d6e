// The shared shape of torchvision-style image datasets held in memory as two tensors.
import { type Tensor, tensor, tidy, keep, dispose } from '../../tensor/index.js';
import { checkInt } from '../../tensor/args.js';

/** Keyword arguments every dataset here takes (torchvision's `transform` / `target_transform`). */
export interface VisionDatasetOptions<X = Tensor, Y = number> {
  /** Applied by get() to each image (a uint8 C×H×W tensor). */
  transform?: (image: Tensor) => X;
  /** Applied by get() to each label (a number). */
  targetTransform?: (label: number) => Y;
}

/**
 * A dataset of images and integer labels, held as ONE uint8 tensor `data` (N×C×H×W) and one int64
 * tensor `targets` (N), both torch.keep'd so that they survive tidy(); dispose() frees them.
 * Deviation from torchvision: `data` is N×C×H×W (torchvision's MNIST has N×H×W, its CIFAR N×H×W×C
 * in numpy) and get() gives a tensor, not a PIL image, so no ToTensor is needed before a model.
 * @example
 * const ds = new FashionMNIST({ train: false });
 * const [image, label] = ds.get(0);   // uint8 [1, 28, 28], 9
 * console.log(ds.length, ds.classes[label]);  // 10000 'Ankle boot'
 */
export class VisionDataset<X = Tensor, Y = number> {
  /** All images, uint8 N×C×H×W. */
  readonly data: Tensor;
  /** All labels, int64 N. */
  readonly targets: Tensor;
  /** Class names, indexed by label. */
  readonly classes: readonly string[];
  readonly transform?: (image: Tensor) => X;
  readonly targetTransform?: (label: number) => Y;
  #labels: Uint8Array;

  protected constructor(data: Tensor, labels: Uint8Array, classes: readonly string[], o: VisionDatasetOptions<X, Y>) {
    if (o.transform !== undefined && typeof o.transform !== 'function') throw new TypeError('transform: expected a function');
    if (o.targetTransform !== undefined && typeof o.targetTransform !== 'function') throw new TypeError('targetTransform: expected a function');
    this.data = keep(data);
    this.#labels = labels;
    this.targets = VisionDataset.labelTensor(labels);
    this.classes = Object.freeze([...classes]);
    this.transform = o.transform;
    this.targetTransform = o.targetTransform;
  }

  /** Number of samples (Python's len(dataset)). */
  get length(): number {
    return this.#labels.length;
  }

  /**
   * Sample i as [image, label] (Python's dataset[i]); a negative i counts from the end as in Python.
   * The image is a view of `data` (a new tensor handle: free it with tidy() or dispose()).
   */
  get(i: number): [X, Y] {
    checkInt(i, 'index');
    const n = this.length;
    if (i < -n || i >= n) throw new RangeError(`index: ${i} is out of range for a dataset of ${n} samples`);
    if (i < 0) i += n;
    const image = this.data.select(0, i);
    const label = this.#labels[i];
    return [
      (this.transform ? this.transform(image) : image) as X,
      (this.targetTransform ? this.targetTransform(label) : label) as Y,
    ];
  }

  /** Labels as a kept int64 tensor. */
  protected static labelTensor(labels: Uint8Array): Tensor {
    return keep(int64Tensor(labels));
  }

  /** Frees `data` and `targets`. */
  dispose(): void {
    dispose([this.data, this.targets]);
  }
}

function int64Tensor(labels: Uint8Array): Tensor {
  const a = new BigInt64Array(labels.length);
  for (let i = 0; i < labels.length; i++) a[i] = BigInt(labels[i]);
  return tensor(a);
}

/**
 * A uint8 tensor of `shape` holding a copy of `bytes` (one copy per dataset, ~20 ms for
 * Fashion-MNIST's 47 MB), so the decompressed file buffer can be collected.
 */
export function uint8Tensor(bytes: Uint8Array, shape: number[]): Tensor {
  return tidy(() => tensor(bytes).view(shape));
}

/** Throws naming `file` when a label is >= numClasses. */
export function checkLabels(labels: Uint8Array, numClasses: number, file: string, what = 'label'): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new Error(`${file}: ${what} ${labels[i]} of sample ${i} is out of range (${numClasses} classes)`);
    }
  }
}
