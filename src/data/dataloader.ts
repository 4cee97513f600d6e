// torch.utils.data.DataLoader / TensorDataset for torchlab.
//
// Deviations from PyTorch:
// - No worker processes: batches of tensor-backed datasets are cut with one indexSelect on the
//   whole tensor (no per-sample JS work), and the dataset's transform (a Transform object) is applied
//   to the whole batch (dataset.ts, cutBatch); `for await` prepares the next batch in a setImmediate
//   while the current one trains.
// - Batches are freed deterministically (libtorch memory is invisible to V8's GC): each yielded
//   batch is disposed when the next one is requested (and the last one when the epoch ends).
//   To hold on to a batch, torch.keep(x) it (then dispose it yourself), or ask for owned batches:
//   firstBatch() is Python's next(iter(loader)), toArray() is list(loader).
//   Why not hand out owned batches from the iterator itself: a training loop would then hold every
//   batch of the epoch until a scope or the GC net freed them (the 6 GB of README's "Memory"); the
//   loop is the common case, so it stays free of bookkeeping. Materialising the iterator
//   ([...loader], Array.from(loader)) cannot be told apart from a loop by the iteration protocol, but
//   it never reads a batch before asking for the next, and a loop always does (its body uses the
//   batch): a batch never read when the next is requested makes next() throw an error that says
//   why and what to use instead, so no one is handed freed tensors. (A loop whose body ignores its
//   batch, `for (const b of loader) n++`, throws too; loader.length counts batches without cutting them.)
//   Leaving the loop early (break) leaves the current batch to the caller's scope / the GC net.
// - `seed` (torchlab's): epoch e's order is randperm(n) on a generator seeded with seed + e, without
//   touching the global generator: the same order on every run. Without a seed, shuffle draws as
//   PyTorch's DataLoader does: a base seed (for workers; drawn and unused here), then RandomSampler's
//   seed, then randperm on a generator with that seed, all from `generator` or the global generator:
//   after torch.manualSeed(s) the same order as PyTorch's DataLoader(shuffle=True) after manual_seed(s).
//   A loader that neither shuffles nor has a sampler draws nothing (PyTorch draws the unused base seed).
// - `transform` (torchlab's) is applied to the whole input batch after the dataset's own transforms.
// - No collate_fn, num_workers, pin_memory, batch_size=None: out of scope.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import * as handles from '../tensor/handles.js';
import { checkOptions, describe } from '../tensor/args.js';
import { Transform, type TransformLike } from './transforms.js';
import { cutBatch, applyBatch, applyToSample, isTensorBacked, type Dataset, type TensorBacked } from './dataset.js';
import { Generator as RandomGenerator, cpuStateForSeed, drawSeed, withGenerator } from './generator.js';
import { Sampler, onSamplerGenerator, type Sized } from './sampler.js';
import { BatchIterator, type Batch } from './batch-iterator.js';

export type { Dataset, TensorBacked } from './dataset.js';

/** TensorDataset's transforms (torchlab's: PyTorch's TensorDataset has none), Transform objects. */
export interface TensorDatasetOptions {
  /** Applied to the inputs: whole batches in the DataLoader, one sample (as a batch of one) in get(i). */
  transform?: Transform | null;
  /** Applied to the targets likewise. */
  targetTransform?: Transform | null;
}

/**
 * A dataset wrapping an input tensor and a target tensor of the same length (torch.utils.data.TensorDataset,
 * for two tensors), with optional transforms (torchlab's addition; see TensorDatasetOptions).
 * @example const ds = new TensorDataset(torch.randn([100, 3]), torch.randint(0, 2, [100]));
 */
export class TensorDataset implements Dataset<Tensor, Tensor>, TensorBacked {
  readonly data: Tensor;
  readonly targets: Tensor;
  readonly transform?: Transform;
  readonly targetTransform?: Transform;
  constructor(data: Tensor, targets: Tensor, options?: TensorDatasetOptions) {
    if (!handles.isTensor(data) || !handles.isTensor(targets)) throw new TypeError(`TensorDataset: expected two Tensors, got ${describe(data)} and ${describe(targets)}`);
    if (data.dim() === 0 || targets.dim() === 0 || data.size(0) !== targets.size(0)) {
      throw new RangeError(`TensorDataset: size mismatch between tensors ([${data.shape.join(', ')}] and [${targets.shape.join(', ')}])`);
    }
    const o = checkOptions(options, 'TensorDataset: options', ['transform', 'targetTransform']);
    for (const k of ['transform', 'targetTransform'] as const) {
      const t = o[k] ?? undefined;
      if (t !== undefined && !(t instanceof Transform)) throw new TypeError(`TensorDataset: ${k}: expected a Transform (Compose, ToTensor, Lambda, ...), got ${describe(t)}`);
      if (t !== undefined) this[k] = t;
    }
    this.data = data;
    this.targets = targets;
  }
  get length(): number {
    return this.data.size(0);
  }
  /** Sample i as [data[i], targets[i]] (views, or the transforms' results; owned by the current scope). */
  get(i: number): [Tensor, Tensor] {
    if (!Number.isInteger(i) || i < -this.length || i >= this.length) throw new RangeError(`index ${i} is out of range for a dataset of ${this.length}`);
    const one = (src: Tensor, t: Transform | undefined): Tensor => (t ? torch.tidy(() => applyToSample(t, src.select(0, i)) as Tensor) : src.select(0, i));
    return [one(this.data, this.transform), one(this.targets, this.targetTransform)];
  }
}

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  /** Which indices an epoch visits, in order (exclusive with shuffle). */
  sampler?: Sampler<number> | (Iterable<number> & Partial<Sized>) | null;
  /** Which batches of indices an epoch visits (exclusive with batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Sampler<number[]> | (Iterable<number[]> & Partial<Sized>) | null;
  dropLast?: boolean;
  /** Applied to each input batch (N×C×H×W) on `device`, after the dataset's own transform. */
  transform?: TransformLike | null;
  /** Where batches go ('cpu', 'cuda', ...); default: where the dataset's tensors are. */
  device?: string | null;
  /** Makes shuffling repeatable without touching the global RNG (see the header). */
  seed?: number | null;
  /** The generator shuffling draws from (PyTorch's generator=); default the global one. */
  generator?: RandomGenerator | null;
}

const OPTION_KEYS = ['batchSize', 'shuffle', 'sampler', 'batchSampler', 'dropLast', 'transform', 'device', 'seed', 'generator'];

const isIterable = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function';

/** An int64 CPU tensor of indices (an epoch's batch as the samplers give it). */
const indexTensor = (ix: readonly number[]): Tensor => torch.tensor(BigInt64Array.from(ix, (i) => {
  if (!Number.isInteger(i)) throw new TypeError(`sampler: expected integer indices, got ${describe(i)}`);
  return BigInt(i);
}));

/**
 * Iterates a dataset in batches (torch.utils.data.DataLoader); `length` is the number of batches.
 * @example
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 0, transform: new ToTensor() });
 * for (const [x, y] of loader) torch.tidy(() => step(x, y)); // x, y are freed when the next batch comes
 * for await (const [x, y] of loader) { ... }                   // with the next batch prefetched
 * const [images, labels] = loader.firstBatch();                // next(iter(loader)): yours to keep
 */
export class DataLoader<X = Tensor, Y = Tensor | number> implements Iterable<Batch>, AsyncIterable<Batch> {
  readonly dataset: Dataset<X, Y> | TensorBacked & { length: number };
  /** null with a batchSampler (PyTorch's batch_size=None then). */
  readonly batchSize: number | null;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly sampler: (Iterable<number> & Partial<Sized>) | null;
  readonly batchSampler: (Iterable<number[]> & Partial<Sized>) | null;
  readonly transform: TransformLike | null;
  readonly device: string | null;
  readonly seed: number | null;
  readonly generator: RandomGenerator | null;
  #epoch = 0;

  constructor(dataset: Dataset<X, Y> | (TensorBacked & { length: number }), options?: DataLoaderOptions) {
    const o = checkOptions(options, 'options', OPTION_KEYS);
    if (typeof dataset !== 'object' || dataset === null || !Number.isInteger(dataset.length) ||
      (!isTensorBacked(dataset) && typeof (dataset as Dataset<X, Y>).get !== 'function')) {
      throw new TypeError(`dataset: expected an object with length and get(i) (or data/targets tensors), got ${describe(dataset)}`);
    }
    this.dataset = dataset;
    if (o.batchSize !== undefined && (!Number.isInteger(o.batchSize) || o.batchSize < 1)) throw new RangeError(`batchSize: expected a positive integer, got ${describe(o.batchSize)}`);
    this.shuffle = o.shuffle ?? false;
    this.dropLast = o.dropLast ?? false;
    if (typeof this.shuffle !== 'boolean') throw new TypeError(`shuffle: expected a boolean, got ${describe(o.shuffle)}`);
    if (typeof this.dropLast !== 'boolean') throw new TypeError(`dropLast: expected a boolean, got ${describe(o.dropLast)}`);
    this.sampler = o.sampler ?? null;
    this.batchSampler = o.batchSampler ?? null;
    if (this.sampler !== null && !isIterable(this.sampler)) throw new TypeError(`sampler: expected a Sampler or an iterable of indices, got ${describe(this.sampler)}`);
    if (this.batchSampler !== null && !isIterable(this.batchSampler)) throw new TypeError(`batchSampler: expected a BatchSampler or an iterable of index arrays, got ${describe(this.batchSampler)}`);
    // PyTorch's checks, in its order and words
    if (this.sampler !== null && this.shuffle) throw new TypeError('sampler option is mutually exclusive with shuffle');
    if (this.batchSampler !== null) {
      if ((o.batchSize ?? 1) !== 1 || this.shuffle || this.sampler !== null || this.dropLast) {
        throw new TypeError('batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast');
      }
    }
    this.batchSize = this.batchSampler !== null ? null : o.batchSize ?? 1;
    const t = o.transform ?? null;
    if (t !== null && !(t instanceof Transform) && typeof t !== 'function') throw new TypeError(`transform: expected a Transform or a function, got ${describe(t)}`);
    this.transform = t;
    this.device = o.device ?? null;
    if (this.device !== null && typeof this.device !== 'string') throw new TypeError(`device: expected a string, got ${describe(this.device)}`);
    this.seed = o.seed ?? null;
    if (this.seed !== null && !Number.isSafeInteger(this.seed)) throw new TypeError(`seed: expected an integer, got ${describe(this.seed)}`);
    this.generator = o.generator ?? null;
    if (this.generator !== null && !(this.generator instanceof RandomGenerator)) throw new TypeError(`generator: expected a data.Generator, got ${describe(this.generator)}`);
    // seed is for shuffle's order (ignored without shuffle, so `{ shuffle: train, seed }` works); a sampler
    // or a generator has its own randomness, which a seed would silently not touch
    if (this.seed !== null && this.generator !== null) throw new TypeError('seed and generator are mutually exclusive');
    if (this.seed !== null && (this.sampler !== null || this.batchSampler !== null)) {
      throw new TypeError('seed: a loader with a sampler or batchSampler takes no seed (give the sampler a generator)');
    }
  }

  /** The number of batches per epoch (len(loader)). */
  get length(): number {
    const lenOf = (s: Partial<Sized>, what: string): number => {
      if (typeof s.length !== 'number') throw new TypeError(`DataLoader: its ${what} has no length`);
      return s.length;
    };
    if (this.batchSampler !== null) return lenOf(this.batchSampler, 'batchSampler');
    const n = this.sampler !== null ? lenOf(this.sampler, 'sampler') : this.dataset.length;
    const b = this.batchSize as number;
    return this.dropLast ? Math.floor(n / b) : Math.ceil(n / b);
  }

  /**
   * Sets the epoch whose order the next iteration uses (with a seed: randperm on a generator seeded with
   * seed + epoch), as DistributedSampler.set_epoch does in PyTorch; fit() calls it so a resumed run sees
   * the same batches. It is passed on to a sampler that has setEpoch (a DistributedSampler).
   */
  setEpoch(epoch: number): void {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`setEpoch: expected a non-negative integer, got ${describe(epoch)}`);
    this.#epoch = epoch;
    for (const s of [this.sampler, this.batchSampler]) (s as { setEpoch?: (e: number) => void } | null)?.setEpoch?.(epoch);
  }

  /** This epoch's sample order as an int64 CPU tensor (default samplers; caller disposes). */
  #order(): Tensor {
    const n = this.dataset.length;
    if (!this.shuffle) return torch.arange(n, { dtype: 'int64' });
    if (this.seed !== null) {
      const seed = this.seed + this.#epoch++;
      const state = cpuStateForSeed(seed);
      const saved = torch.getRngState();
      try {
        torch.setRngState(state);
        return torch.randperm(n);
      } finally {
        torch.setRngState(saved);
        torch.dispose([saved, state]);
      }
    }
    this.#epoch++;
    withGenerator(this.generator, drawSeed); // PyTorch's _base_seed (for workers)
    // RandomSampler(dataset, generator=generator): for numSamples = n it yields randperm(n), then takes
    // randperm(n)[:0] (drawn, unused) when the epoch runs out, which advances a given generator.
    return onSamplerGenerator(this.generator, () => {
      const order = torch.randperm(n);
      torch.randperm(n).dispose();
      return order;
    });
  }

  /** This epoch's batches of indices, each an int64 CPU tensor the caller disposes. */
  *#indexBatches(): IterableIterator<Tensor> {
    if (this.batchSampler !== null || this.sampler !== null) {
      withGenerator(this.generator, drawSeed); // PyTorch's _base_seed
      const batches = this.batchSampler ?? batchesOf(this.sampler!, this.batchSize as number, this.dropLast);
      for (const ix of batches) {
        if (!Array.isArray(ix)) throw new TypeError(`batchSampler: expected arrays of indices, got ${describe(ix)}`);
        if (ix.length > 0) yield indexTensor(ix);
      }
      return;
    }
    const order = torch.keep(this.#order());
    try {
      const n = order.size(0);
      const b = this.batchSize as number;
      const nb = this.length;
      for (let k = 0; k < nb; k++) yield order.narrow(0, k * b, Math.min(b, n - k * b));
    } finally {
      order.dispose();
    }
  }

  /** Cuts, moves and transforms one batch; everything but [x, y] is freed. */
  #batch(idx: Tensor): [Tensor, Tensor] {
    return torch.tidy(() => {
      let [x, y] = cutBatch(this.dataset, idx, this.device);
      if (this.transform !== null) x = applyBatch(this.transform, x);
      return [x, y] as [Tensor, Tensor];
    });
  }

  #iterator(): BatchIterator {
    return new BatchIterator(this.#indexBatches(), (idx) => this.#batch(idx));
  }

  /** Sync iteration: batch k is made on request, and freed when batch k + 1 is requested. */
  [Symbol.iterator](): Iterator<Batch> {
    return this.#iterator().sync();
  }

  /** Async iteration: while batch k is in use, batch k + 1 is prepared in a setImmediate. */
  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return this.#iterator().async();
  }

  /**
   * Python's `next(iter(loader))`: the first batch of a fresh iteration (drawing the shuffle order as
   * iter() does; with `seed`, it counts as an epoch, as an iteration does), owned by the caller: never
   * freed by the loader, freed by the enclosing tidy() or by torch.dispose (outside any scope, the GC
   * net frees it eventually).
   * @example
   * const images = torch.tidy(() => makeGrid(loader.firstBatch()[0].narrow(0, 0, 10), { nrow: 5 }));
   */
  firstBatch(): [Tensor, Tensor] {
    return this.#iterator().take(1)[0];
  }

  /** Python's `list(loader)`: every batch of one epoch, owned by the caller (see firstBatch). */
  toArray(): [Tensor, Tensor][] {
    return this.#iterator().take(Infinity);
  }

  toString(): string {
    return `DataLoader(batchSize=${this.batchSize}, shuffle=${this.shuffle}, dropLast=${this.dropLast}, length=${this.length})`;
  }
}

/** BatchSampler's grouping, for a sampler given without a batch sampler. */
function* batchesOf(sampler: Iterable<number>, batchSize: number, dropLast: boolean): IterableIterator<number[]> {
  let batch: number[] = [];
  for (const i of sampler) {
    batch.push(i);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0 && !dropLast) yield batch;
}
