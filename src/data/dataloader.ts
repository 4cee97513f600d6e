// torch.utils.data.DataLoader / TensorDataset for torchlab.
//
// Deviations from PyTorch:
// - No worker processes: batches of tensor-backed datasets are cut with one indexSelect on the
//   whole tensor (no per-sample JS work), and `for await` prepares the next batch in a setImmediate
//   while the current one trains; sync iteration cuts the next batch's indices ahead.
// - Batches are freed deterministically (libtorch memory is invisible to V8's GC): each yielded
//   batch is disposed when the next one is requested (and the last one when the epoch ends).
//   To hold on to a batch, torch.keep(x) it (then dispose it yourself).
//   Leaving the loop early (break) leaves the current batch to the caller's scope / the GC net.
// - `seed` instead of `generator` (torchlab has no Generator objects). With a seed, epoch e's order
//   is torch.randperm(n) right after manualSeed(seed + e), with the global RNG state saved and
//   restored around it: the same order on every run, and the global stream is not disturbed.
//   Without a seed, each epoch draws its seed from the global generator (as PyTorch's RandomSampler
//   does without a generator), so torch.manualSeed makes the order repeatable.
// - Datasets with `data`/`targets` tensors (TensorDataset, torchlab's MNIST / CIFAR) are cut with
//   indexSelect unless they have a per-sample transform / targetTransform (then get(i) per sample).
// - `transform` is applied to the whole batch (see transforms.ts), after moving it to `device`.
// - No collate_fn, batch_sampler, num_workers, pin_memory: out of scope.
// - `sampler`: any iterable of indices with a `length` (e.g. DistributedSampler); the loader's
//   setEpoch is passed on to the sampler's, so fit() reshuffles a DistributedSampler every epoch
//   (in PyTorch the training loop calls sampler.set_epoch itself).
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import * as handles from '../tensor/handles.js';
import { checkOptions, describe } from '../tensor/args.js';
import { Transform, type TransformLike } from './transforms.js';

/** A map-style dataset: `length` samples, `get(i)` → [input, target]. */
export interface Dataset<X = Tensor, Y = Tensor | number> {
  readonly length: number;
  get(i: number): [X, Y];
}
/** A dataset held in two tensors (N×… inputs, N targets): batches are cut with indexSelect. */
export interface TensorBacked {
  readonly data: Tensor;
  readonly targets: Tensor;
}

const isTensorBacked = (d: unknown): d is TensorBacked =>
  typeof d === 'object' && d !== null && handles.isTensor((d as TensorBacked).data) && handles.isTensor((d as TensorBacked).targets);
/** Batches can be cut from data/targets directly unless get() would apply a per-sample transform. */
const fastPath = (d: unknown): d is TensorBacked => {
  const t = d as { transform?: unknown; targetTransform?: unknown };
  return isTensorBacked(d) && !t.transform && !t.targetTransform;
};

/**
 * A dataset wrapping an input tensor and a target tensor of the same length (torch.utils.data.TensorDataset,
 * for two tensors).
 * @example const ds = new TensorDataset(torch.randn([100, 3]), torch.randint(0, 2, [100]));
 */
export class TensorDataset implements Dataset<Tensor, Tensor>, TensorBacked {
  readonly data: Tensor;
  readonly targets: Tensor;
  constructor(data: Tensor, targets: Tensor) {
    if (!handles.isTensor(data) || !handles.isTensor(targets)) throw new TypeError(`TensorDataset: expected two Tensors, got ${describe(data)} and ${describe(targets)}`);
    if (data.dim() === 0 || targets.dim() === 0 || data.size(0) !== targets.size(0)) {
      throw new RangeError(`TensorDataset: size mismatch between tensors ([${data.shape.join(', ')}] and [${targets.shape.join(', ')}])`);
    }
    this.data = data;
    this.targets = targets;
  }
  get length(): number {
    return this.data.size(0);
  }
  /** Sample i as views [data[i], targets[i]] (owned by the current scope). */
  get(i: number): [Tensor, Tensor] {
    if (!Number.isInteger(i) || i < -this.length || i >= this.length) throw new RangeError(`index ${i} is out of range for a dataset of ${this.length}`);
    return [this.data.select(0, i), this.targets.select(0, i)];
  }
}

export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  /** Applied to each input batch (N×C×H×W) on `device`. */
  transform?: TransformLike | null;
  /** Where batches go ('cpu', 'cuda', ...); default: where the dataset's tensors are. */
  device?: string | null;
  /** Makes shuffling repeatable without touching the global RNG (see the header). */
  seed?: number | null;
  /** Where the indices come from (mutually exclusive with shuffle), e.g. a DistributedSampler. */
  sampler?: SamplerLike | null;
}

/** What `sampler` accepts: an iterable of dataset indices that knows its length. */
export interface SamplerLike extends Iterable<number> {
  readonly length: number;
  setEpoch?(epoch: number): void;
}

// A batch tensor is freed unless torch.keep() marked it.
function release(batch: readonly Tensor[] | null): void {
  if (!batch) return;
  for (const t of batch) if (!handles.isKept(t)) t.dispose();
}

/**
 * Iterates a dataset in batches (torch.utils.data.DataLoader); `length` is the number of batches.
 * @example
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, seed: 0, transform: new ToTensor() });
 * for (const [x, y] of loader) torch.tidy(() => step(x, y)); // x, y are freed when the next batch comes
 * for await (const [x, y] of loader) { ... }                   // with the next batch prefetched
 */
export class DataLoader<X = Tensor, Y = Tensor | number> implements Iterable<[Tensor, Tensor]>, AsyncIterable<[Tensor, Tensor]> {
  readonly dataset: Dataset<X, Y> | TensorBacked & { length: number };
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly transform: TransformLike | null;
  readonly device: string | null;
  readonly seed: number | null;
  readonly sampler: SamplerLike | null;
  #epoch = 0;

  constructor(dataset: Dataset<X, Y> | (TensorBacked & { length: number }), options?: DataLoaderOptions) {
    const o = checkOptions(options, 'options', ['batchSize', 'shuffle', 'dropLast', 'transform', 'device', 'seed', 'sampler']);
    if (typeof dataset !== 'object' || dataset === null || !Number.isInteger(dataset.length) ||
      (!isTensorBacked(dataset) && typeof (dataset as Dataset<X, Y>).get !== 'function')) {
      throw new TypeError(`dataset: expected an object with length and get(i) (or data/targets tensors), got ${describe(dataset)}`);
    }
    this.dataset = dataset;
    this.batchSize = o.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize: expected a positive integer, got ${describe(o.batchSize)}`);
    this.shuffle = o.shuffle ?? false;
    this.dropLast = o.dropLast ?? false;
    if (typeof this.shuffle !== 'boolean') throw new TypeError(`shuffle: expected a boolean, got ${describe(o.shuffle)}`);
    if (typeof this.dropLast !== 'boolean') throw new TypeError(`dropLast: expected a boolean, got ${describe(o.dropLast)}`);
    const t = o.transform ?? null;
    if (t !== null && !(t instanceof Transform) && typeof t !== 'function') throw new TypeError(`transform: expected a Transform or a function, got ${describe(t)}`);
    this.transform = t;
    this.device = o.device ?? null;
    if (this.device !== null && typeof this.device !== 'string') throw new TypeError(`device: expected a string, got ${describe(this.device)}`);
    this.seed = o.seed ?? null;
    if (this.seed !== null && !Number.isSafeInteger(this.seed)) throw new TypeError(`seed: expected an integer, got ${describe(this.seed)}`);
    this.sampler = o.sampler ?? null;
    if (this.sampler !== null) {
      const sm = this.sampler as Partial<SamplerLike>;
      if (typeof sm !== 'object' || typeof sm[Symbol.iterator] !== 'function' || !Number.isSafeInteger(sm.length)) {
        throw new TypeError(`sampler: expected an iterable of indices with a length, got ${describe(sm)}`);
      }
      if (this.shuffle) throw new RangeError('sampler option is mutually exclusive with shuffle');
    }
  }

  /** The number of batches per epoch (len(loader)). */
  get length(): number {
    const n = this.sampler ? this.sampler.length : this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * Sets the epoch whose order the next iteration uses (with a seed: randperm after manualSeed(seed + epoch)),
   * as DistributedSampler.set_epoch does in PyTorch; fit() calls it so a resumed run sees the same batches.
   * Without a seed the order comes from the global generator and this only sets the counter.
   */
  setEpoch(epoch: number): void {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`setEpoch: expected a non-negative integer, got ${describe(epoch)}`);
    this.#epoch = epoch;
    this.sampler?.setEpoch?.(epoch);
  }

  /** This epoch's sample order as an int64 CPU tensor (caller disposes). */
  #order(): Tensor {
    if (this.sampler) return torch.tensor(Array.from(this.sampler), { dtype: 'int64' });
    const n = this.dataset.length;
    if (!this.shuffle) return torch.arange(n, { dtype: 'int64' });
    let seed = this.seed;
    if (seed === null) {
      const s = torch.randint(0, 2 ** 31 - 1, [1]); // PyTorch: a seed drawn from the global generator
      seed = Number(s.item());
      s.dispose();
    } else {
      seed += this.#epoch;
    }
    this.#epoch++;
    const state = torch.getRngState();
    try {
      torch.manualSeed(seed);
      return torch.randperm(n);
    } finally {
      torch.setRngState(state);
      state.dispose();
    }
  }

  /** Batch k's indices (a view of the order). */
  #indices(order: Tensor, k: number): Tensor {
    const start = k * this.batchSize;
    return order.narrow(0, start, Math.min(this.batchSize, order.size(0) - start));
  }

  /** Cuts, moves and transforms one batch; everything but [x, y] is freed. */
  #batch(idx: Tensor): [Tensor, Tensor] {
    return torch.tidy(() => {
      let x: Tensor;
      let y: Tensor;
      const ds = this.dataset;
      if (fastPath(ds)) {
        x = ds.data.indexSelect(0, idx.to(ds.data.device));
        y = ds.targets.indexSelect(0, idx.to(ds.targets.device));
      } else {
        const xs: Tensor[] = [];
        const ys: (Tensor | number)[] = [];
        for (const i of Array.from(idx.data() as BigInt64Array, Number)) {
          const [a, b] = (ds as Dataset<X, Y>).get(i);
          if (!handles.isTensor(a)) throw new TypeError(`dataset.get(${i}): expected a Tensor input, got ${describe(a)}`);
          xs.push(a);
          ys.push(b as Tensor | number);
        }
        x = torch.stack(xs);
        y = ys.every((v) => typeof v === 'number') ? torch.tensor(ys as number[], { dtype: 'int64' }) : torch.stack(ys as Tensor[]);
      }
      if (this.device !== null) {
        x = x.to(this.device);
        y = y.to(this.device);
      }
      const t = this.transform;
      if (t !== null) x = t instanceof Transform ? t.forward(x) : t(x);
      return [x, y] as [Tensor, Tensor];
    });
  }

  /** Sync iteration: batch k is made on request; batch k+1's indices are cut ahead. */
  [Symbol.iterator](): Iterator<[Tensor, Tensor]> {
    const nb = this.length;
    let order: Tensor | null = null;
    let k = 0;
    let current: [Tensor, Tensor] | null = null;
    let nextIdx: Tensor | null = null;
    const finish = (): void => {
      nextIdx?.dispose();
      order?.dispose();
      nextIdx = order = null;
    };
    return {
      next: (): IteratorResult<[Tensor, Tensor]> => {
        release(current);
        current = null;
        if (k === 0 && order === null) {
          order = torch.keep(this.#order());
          if (nb > 0) nextIdx = torch.keep(this.#indices(order, 0));
        }
        if (k >= nb || !nextIdx || !order) {
          finish();
          k = nb;
          return { done: true, value: undefined };
        }
        const idx: Tensor = nextIdx;
        nextIdx = ++k < nb ? torch.keep(this.#indices(order, k)) : null;
        try {
          current = this.#batch(idx);
        } finally {
          idx.dispose();
        }
        return { done: false, value: current };
      },
      return: (): IteratorResult<[Tensor, Tensor]> => {
        finish();
        k = nb;
        return { done: true, value: undefined };
      },
    };
  }

  /** Async iteration: while batch k is in use, batch k+1 is prepared in a setImmediate. */
  [Symbol.asyncIterator](): AsyncIterator<[Tensor, Tensor]> {
    const nb = this.length;
    let order: Tensor | null = null;
    let k = 0;
    let current: [Tensor, Tensor] | null = null;
    let pending: Promise<[Tensor, Tensor]> | null = null;
    const prepare = (j: number): Promise<[Tensor, Tensor]> => {
      const p = prepareNow(j);
      p.catch(() => {}); // a failure surfaces when next() awaits it, not as an unhandled rejection meanwhile
      return p;
    };
    const prepareNow = (j: number): Promise<[Tensor, Tensor]> => new Promise((resolve, reject) => {
      setImmediate(() => {
        try {
          const idx = this.#indices(order!, j);
          try {
            resolve(this.#batch(idx));
          } finally {
            idx.dispose();
          }
        } catch (e) {
          reject(e);
        }
      });
    });
    const finish = async (): Promise<void> => {
      const p = pending;
      pending = null;
      if (p) release(await p.catch(() => null));
      order?.dispose();
      order = null;
      k = nb;
    };
    return {
      next: async (): Promise<IteratorResult<[Tensor, Tensor]>> => {
        release(current);
        current = null;
        if (k === 0 && order === null) {
          order = torch.keep(this.#order());
          if (nb > 0) pending = prepare(0);
        }
        if (k >= nb || !pending) {
          await finish();
          return { done: true, value: undefined };
        }
        const p: Promise<[Tensor, Tensor]> = pending;
        pending = ++k < nb ? prepare(k) : null;
        try {
          current = await p;
        } catch (e) {
          await finish();
          throw e;
        }
        return { done: false, value: current };
      },
      return: async (): Promise<IteratorResult<[Tensor, Tensor]>> => {
        await finish();
        return { done: true, value: undefined };
      },
    };
  }

  toString(): string {
    return `DataLoader(batchSize=${this.batchSize}, shuffle=${this.shuffle}, dropLast=${this.dropLast}, length=${this.length})`;
  }
}
