// The shared shape of torchvision-style image datasets held in memory as two tensors.
import { type Tensor, tensor, tidy, keep, dispose } from '../../tensor/index.js';
import { checkInt } from '../../tensor/args.js';
import { Transform } from '../transforms.js';
import { applyToSample, checkTransformOption } from '../dataset.js';

/**
 * Keyword arguments every dataset here takes (torchvision's `transform` / `target_transform`).
 * A Transform object (Compose, ToTensor, Normalize, RandomCrop, ...) works on batches: the DataLoader
 * applies it to each whole batch (one indexSelect, then the transform: the fast path), and get(i) to
 * the one sample as a batch of one, so both compute the same. A plain function is torchvision's
 * per-sample transform (any result type): get(i) calls it, and so does the DataLoader, sample by
 * sample (slower: wrap a batch function in `new transforms.Lambda(fn)` to keep the fast path).
 * A targetTransform function maps each label (a number); a Transform gets the int64 labels.
 */
export interface VisionDatasetOptions<X = Tensor, Y = number> {
  /** Applied to each image (uint8 C×H×W in get(i); N×C×H×W batches in the DataLoader for a Transform). */
  transform?: Transform | ((image: Tensor) => X) | null;
  /** Applied to each label (a number; an int64 tensor for a Transform). */
  targetTransform?: Transform | ((label: number) => Y) | null;
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
  readonly transform?: Transform | ((image: Tensor) => X);
  readonly targetTransform?: Transform | ((label: number) => Y);
  #labels: Uint8Array;

  protected constructor(data: Tensor, labels: Uint8Array, classes: readonly string[], o: VisionDatasetOptions<X, Y>) {
    checkTransformOption(o.transform, 'transform');
    checkTransformOption(o.targetTransform, 'targetTransform');
    this.data = keep(data);
    this.#labels = labels;
    this.targets = VisionDataset.labelTensor(labels);
    this.classes = Object.freeze([...classes]);
    this.transform = o.transform ?? undefined;
    this.targetTransform = o.targetTransform ?? undefined;
  }

  /** Number of samples (Python's len(dataset)). */
  get length(): number {
    return this.#labels.length;
  }

  /**
   * Sample i as [image, label] (Python's dataset[i]) with the transforms applied; a negative i counts
   * from the end as in Python. The image is a view of `data` or the transform's result (a new tensor
   * handle: free it with tidy() or dispose()).
   */
  get(i: number): [X, Y] {
    checkInt(i, 'index');
    const n = this.length;
    if (i < -n || i >= n) throw new RangeError(`index: ${i} is out of range for a dataset of ${n} samples`);
    if (i < 0) i += n;
    const label = this.#labels[i];
    const t = this.transform;
    // a Transform's input view is freed with its intermediates; a function may keep (return) the view
    const image = t instanceof Transform ? tidy(() => applyToSample(t, this.data.select(0, i)) as Tensor) : this.data.select(0, i);
    return [
      (t && !(t instanceof Transform) ? t(image) : image) as X,
      (this.targetTransform ? applyToSample(this.targetTransform, label) : label) as Y,
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
