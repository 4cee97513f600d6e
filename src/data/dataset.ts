// torch.utils.data datasets: the Dataset protocol, Subset, ConcatDataset, randomSplit, and how a batch
// of indices becomes one [input, target] batch (cutBatch: one indexSelect when the dataset is held in
// tensors, with its transforms applied to the whole batch; get(i) per sample otherwise).
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import * as handles from '../tensor/handles.js';
import { checkOptions, describe } from '../tensor/args.js';
import { Transform, type TransformLike } from './transforms.js';
import { Generator, withGenerator } from './generator.js';

/** A map-style dataset: `length` samples, `get(i)` → [input, target] (Python's `dataset[i]`). */
export interface Dataset<X = Tensor, Y = Tensor | number> {
  readonly length: number;
  get(i: number): [X, Y];
}
/** A dataset held in two tensors (N×… inputs, N targets): batches are cut with indexSelect. */
export interface TensorBacked {
  readonly data: Tensor;
  readonly targets: Tensor;
}
/** A dataset's transforms (torchvision's transform / target_transform), as the DataLoader reads them. */
interface WithTransforms {
  readonly transform?: unknown;
  readonly targetTransform?: unknown;
}

export const isTensorBacked = (d: unknown): d is TensorBacked =>
  typeof d === 'object' && d !== null && handles.isTensor((d as TensorBacked).data) && handles.isTensor((d as TensorBacked).targets);

/** Applies a Transform or batch function (the DataLoader's transform, Compose's elements) to a batch. */
export const applyBatch = (t: TransformLike, x: Tensor): Tensor => (t instanceof Transform ? t.forward(x) : t(x));

/**
 * Applies a dataset transform to ONE sample: a Transform sees it as a batch of one (unsqueeze(0), then
 * select(0, 0)), so get(i) and the DataLoader's batched path compute the same thing; a plain function
 * is torchvision's per-sample transform and gets the sample itself.
 */
export function applyToSample(t: unknown, sample: Tensor | number): unknown {
  if (t instanceof Transform) {
    return torch.tidy(() => t.forward(typeof sample === 'number' ? torch.tensor([sample], { dtype: 'int64' }) : sample.unsqueeze(0)).select(0, 0));
  }
  return (t as (v: unknown) => unknown)(sample);
}

/** Checks a dataset's `transform` / `targetTransform` option: a Transform, a function, or nothing. */
export function checkTransformOption(t: unknown, name: string): void {
  if (t !== undefined && t !== null && !(t instanceof Transform) && typeof t !== 'function') {
    throw new TypeError(`${name}: expected a Transform (Compose, ToTensor, ...) or a function, got ${describe(t)}`);
  }
}

/** Collates per-sample targets: numbers → int64 (all integers) or float64, as default_collate; tensors → stack. */
export function collateTargets(ys: unknown[], where: string): Tensor {
  if (ys.every((v) => typeof v === 'number')) {
    const nums = ys as number[];
    return nums.every(Number.isInteger) ? torch.tensor(nums, { dtype: 'int64' }) : torch.tensor(nums, { dtype: 'float64' });
  }
  ys.forEach((v, i) => {
    if (!handles.isTensor(v)) throw new TypeError(`${where}: sample ${i}'s target: expected a Tensor or a number, got ${describe(v)}`);
  });
  return torch.stack(ys as Tensor[]);
}

/**
 * Batch [x, y] of `ds` at int64 CPU `idx`, moved to `device`, with the dataset's transforms applied.
 * Fast path (one indexSelect, transforms on the whole batch, then the move): tensor-backed datasets whose
 * `transform` is absent or a Transform object, Subsets of them, ConcatDatasets part by part. A plain-function
 * `transform` is torchvision's per-sample transform: those datasets go through get(i) per sample.
 * A function `targetTransform` maps the labels one by one in JS (cheap: numbers), keeping the fast path.
 * The caller runs this inside tidy().
 */
export function cutBatch(ds: unknown, idx: Tensor, device: string | null): [Tensor, Tensor] {
  if (ds instanceof Subset) {
    const base = ds.dataset;
    return cutBatch(base, ds.indexTensor().indexSelect(0, idx), device);
  }
  if (ds instanceof ConcatDataset) return cutConcat(ds, idx, device);
  const w = ds as WithTransforms;
  const tf = w.transform ?? null;
  const ttf = w.targetTransform ?? null;
  if (isTensorBacked(ds) && (tf === null || tf instanceof Transform)) {
    let x = ds.data.indexSelect(0, idx.to(ds.data.device));
    let y = ds.targets.indexSelect(0, idx.to(ds.targets.device));
    if (device !== null) {
      x = x.to(device);
      y = y.to(device);
    }
    if (tf !== null) x = (tf as Transform).forward(x);
    if (ttf instanceof Transform) y = ttf.forward(y);
    else if (typeof ttf === 'function') {
      const labels = Array.from(y.to('cpu').data() as ArrayLike<number | bigint>, Number);
      y = collateTargets(labels.map((l) => (ttf as (v: number) => unknown)(l)), 'targetTransform');
      if (device !== null) y = y.to(device);
    }
    return [x, y];
  }
  const get = (ds as Dataset<unknown, unknown>).get;
  if (typeof get !== 'function') throw new TypeError(`dataset: expected an object with length and get(i) (or data/targets tensors), got ${describe(ds)}`);
  const xs: Tensor[] = [];
  const ys: unknown[] = [];
  for (const i of Array.from(idx.data() as BigInt64Array, Number)) {
    const [a, b] = (ds as Dataset<unknown, unknown>).get(i);
    if (!handles.isTensor(a)) throw new TypeError(`dataset.get(${i}): expected a Tensor input, got ${describe(a)}`);
    xs.push(a);
    ys.push(b);
  }
  let x = torch.stack(xs);
  let y = collateTargets(ys, 'dataset.get');
  if (device !== null) {
    x = x.to(device);
    y = y.to(device);
  }
  return [x, y];
}

/**
 * A ConcatDataset's batch: each part cuts its own samples (its fast path where it has one), then the
 * rows are put back in the batch's order. A random transform of a part draws for that part's rows
 * together, so its draws differ from a get(i) loop's (the same distributions).
 */
function cutConcat(ds: ConcatDataset<unknown, unknown>, idx: Tensor, device: string | null): [Tensor, Tensor] {
  const ids = Array.from(idx.data() as BigInt64Array, Number);
  const cum = ds.cumulativeSizes;
  const local: number[][] = ds.datasets.map(() => []);
  const positions: number[][] = ds.datasets.map(() => []);
  ids.forEach((i, pos) => {
    if (i < 0) i += ds.length;
    if (!(i >= 0 && i < ds.length)) throw new RangeError(`index ${ids[pos]} is out of range for a dataset of ${ds.length}`);
    const d = cum.findIndex((c) => c > i); // bisect_right
    local[d].push(d === 0 ? i : i - cum[d - 1]);
    positions[d].push(pos);
  });
  const parts = local.map((ix, d) => (ix.length ? cutBatch(ds.datasets[d], torch.tensor(BigInt64Array.from(ix, BigInt)), device) : null))
    .filter((p): p is [Tensor, Tensor] => p !== null);
  if (parts.length === 1) return parts[0];
  const x = torch.cat(parts.map((p) => p[0]));
  const y = torch.cat(parts.map((p) => p[1]));
  const inverse = new BigInt64Array(ids.length); // batch position p is row inverse[p] of x
  positions.flat().forEach((p, row) => { inverse[p] = BigInt(row); });
  const order = torch.tensor(inverse);
  return [x.indexSelect(0, order.to(x.device)), y.indexSelect(0, order.to(y.device))];
}

function checkDataset(d: unknown, name: string): Dataset<unknown, unknown> {
  if (typeof d !== 'object' || d === null || !Number.isInteger((d as Dataset).length) || typeof (d as Dataset).get !== 'function') {
    throw new TypeError(`${name}: expected a dataset (an object with length and get(i)), got ${describe(d)}`);
  }
  return d as Dataset<unknown, unknown>;
}

/**
 * The samples of `dataset` at `indices`, in that order (torch.utils.data.Subset). The DataLoader cuts a
 * Subset of a tensor-backed dataset with one indexSelect, as the whole dataset.
 * @example const firstThousand = new Subset(train, Array.from({ length: 1000 }, (_, i) => i));
 */
export class Subset<X = Tensor, Y = Tensor | number> implements Dataset<X, Y> {
  readonly dataset: Dataset<X, Y>;
  readonly indices: readonly number[];
  #indexTensor: Tensor | null = null;
  constructor(dataset: Dataset<X, Y>, indices: readonly number[]) {
    this.dataset = checkDataset(dataset, 'dataset') as Dataset<X, Y>;
    if (!Array.isArray(indices) || indices.some((i) => !Number.isInteger(i))) throw new TypeError(`indices: expected an array of integers, got ${describe(indices)}`);
    const n = dataset.length;
    const bad = indices.find((i) => i < -n || i >= n);
    if (bad !== undefined) throw new RangeError(`indices: ${bad} is out of range for a dataset of ${n} samples`);
    this.indices = Object.freeze(indices.map((i) => (i < 0 ? i + n : i)));
  }
  get length(): number {
    return this.indices.length;
  }
  get(i: number): [X, Y] {
    if (!Number.isInteger(i) || i < -this.length || i >= this.length) throw new RangeError(`index ${i} is out of range for a dataset of ${this.length}`);
    return this.dataset.get(this.indices[i < 0 ? i + this.length : i]);
  }
  /** The indices as a kept int64 tensor, made once (the DataLoader's fast path maps batch indices through it). */
  indexTensor(): Tensor {
    if (this.#indexTensor === null || this.#indexTensor.isDisposed) {
      this.#indexTensor = torch.keep(torch.tensor(BigInt64Array.from(this.indices, BigInt)));
    }
    return this.#indexTensor;
  }
}

/**
 * Datasets one after another (torch.utils.data.ConcatDataset); `cumulativeSizes` as PyTorch's.
 * @example const all = new ConcatDataset([trainSet, testSet]); // 70,000 Fashion-MNIST samples
 */
export class ConcatDataset<X = Tensor, Y = Tensor | number> implements Dataset<X, Y> {
  readonly datasets: readonly Dataset<X, Y>[];
  readonly cumulativeSizes: readonly number[];
  constructor(datasets: Iterable<Dataset<X, Y>>) {
    if (datasets === null || typeof datasets !== 'object' || typeof (datasets as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`datasets: expected an array of datasets, got ${describe(datasets)}`);
    }
    this.datasets = [...datasets].map((d, i) => checkDataset(d, `datasets[${i}]`) as Dataset<X, Y>);
    if (this.datasets.length === 0) throw new RangeError('datasets should not be an empty iterable');
    let s = 0;
    this.cumulativeSizes = this.datasets.map((d) => (s += d.length));
  }
  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1];
  }
  get(i: number): [X, Y] {
    if (!Number.isInteger(i)) throw new TypeError(`index: expected an integer, got ${describe(i)}`);
    if (i < 0) {
      if (-i > this.length) throw new RangeError('absolute value of index should not exceed dataset length');
      i += this.length;
    }
    if (i >= this.length) throw new RangeError(`index ${i} is out of range for a dataset of ${this.length}`);
    const d = this.cumulativeSizes.findIndex((c) => c > i); // bisect_right
    return this.datasets[d].get(d === 0 ? i : i - this.cumulativeSizes[d - 1]);
  }
}

/**
 * Splits a dataset into non-overlapping Subsets of the given lengths, or fractions summing to 1
 * (torch.utils.data.random_split, PyTorch 1.13): the indices are randperm(len(dataset)) on `generator`
 * or on the global generator, so after torch.manualSeed(s) they equal PyTorch's
 * random_split(ds, lengths, generator=torch.Generator().manual_seed(s)).
 * Fractions: floor(len × frac) each, the remainder handed out one by one round-robin (a warning, as
 * PyTorch's, for an empty split).
 * @example
 * torch.manualSeed(42);
 * const [train, val] = randomSplit(ds, [0.8, 0.2]);
 * const [a, b] = randomSplit(ds, [3, 7], { generator: new Generator().manualSeed(42) });
 */
export function randomSplit<X, Y>(dataset: Dataset<X, Y>, lengths: readonly number[], options?: { generator?: Generator | null }): Subset<X, Y>[] {
  checkDataset(dataset, 'dataset');
  if (!Array.isArray(lengths) || lengths.length === 0 || lengths.some((l) => typeof l !== 'number' || !Number.isFinite(l))) {
    throw new TypeError(`lengths: expected a non-empty array of lengths or fractions, got ${describe(lengths)}`);
  }
  const n = dataset.length;
  let lens = [...lengths];
  const total = lens.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) <= 1e-9 * Math.max(1, Math.abs(total)) && total <= 1) { // math.isclose(sum, 1) and sum <= 1
    lens = lens.map((f, i) => {
      if (f < 0 || f > 1) throw new RangeError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * f);
    });
    const remainder = n - lens.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) lens[i % lens.length] += 1;
    lens.forEach((l, i) => {
      if (l === 0) process.emitWarning(`Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  if (lens.some((l) => !Number.isInteger(l) || l < 0)) throw new TypeError(`lengths: expected non-negative integers or fractions summing to 1, got ${describe(lengths)}`);
  if (lens.reduce((a, b) => a + b, 0) !== n) throw new RangeError('Sum of input lengths does not equal the length of the input dataset!');
  const { generator } = checkOptions(options, 'randomSplit: options', ['generator']);
  const perm = withGenerator(generator, () => {
    const p = torch.randperm(n);
    try {
      return Array.from(p.data() as BigInt64Array, Number);
    } finally {
      p.dispose();
    }
  });
  let offset = 0;
  return lens.map((l) => new Subset(dataset, perm.slice(offset, (offset += l))));
}
