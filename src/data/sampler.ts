// torch.utils.data samplers: which dataset indices an epoch visits, in which order, and in which batches.
// Each draws exactly what PyTorch 1.13's does (torch/utils/data/sampler.py), call for call, from
// libtorch's generator: after the same torch.manualSeed (or with a Generator of the same seed) the
// same indices come out (tested against PyTorch in test/data-sampling.test.ts).
//
// Deviation from PyTorch: a random sampler draws its whole epoch when iteration starts (PyTorch draws
// RandomSampler's chunks of 32 / permutations lazily). The indices are the same, and so is the
// generator's state after a full epoch; only a loop left early leaves a given generator further on.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkOptions, describe } from '../tensor/args.js';
import { isTensor } from '../tensor/handles.js';
import { Generator, withGenerator, drawSeed, cpuStateForSeed } from './generator.js';

/** Anything with a length (Python's Sized): a dataset, an array. */
export interface Sized {
  readonly length: number;
}

/**
 * Base class of samplers (torch.utils.data.Sampler): iterable over indices (or, for a batch sampler,
 * over arrays of indices), with `length` (Python's len(sampler)). A DistributedSampler plugs in here.
 * @example
 * class EvenFirst extends Sampler<number> {
 *   constructor(readonly n: number) { super(); }
 *   get length() { return this.n; }
 *   *[Symbol.iterator]() { for (let i = 0; i < this.n; i += 2) yield i; for (let i = 1; i < this.n; i += 2) yield i; }
 * }
 */
export abstract class Sampler<T = number> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
  abstract get length(): number;
}

function checkSized(d: unknown, name: string): Sized {
  if (typeof d !== 'object' || d === null || !Number.isInteger((d as Sized).length) || (d as Sized).length < 0) {
    throw new TypeError(`${name}: expected a dataset (an object with a length), got ${describe(d)}`);
  }
  return d as Sized;
}

function checkGenerator(g: unknown): Generator | null {
  if (g === undefined || g === null) return null;
  if (!(g instanceof Generator)) throw new TypeError(`generator: expected a data.Generator, got ${describe(g)}`);
  return g;
}

function positiveInt(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new RangeError(`${name} should be a positive integer value, but got ${name}=${describe(v)}`);
  return v;
}

function checkBoolean(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} should be a boolean value, but got ${name}=${describe(v)}`);
  return v;
}

/** An int64 tensor's values as numbers (frees the tensor). */
function ints(t: Tensor): number[] {
  try {
    return Array.from(t.data() as BigInt64Array, Number);
  } finally {
    t.dispose();
  }
}

/**
 * Runs fn on the generator a RandomSampler uses: the given one, or (generator=None) a fresh one seeded
 * from the global generator as PyTorch does: `seed = int(torch.empty((), dtype=torch.int64).random_().item())`,
 * then `torch.Generator().manual_seed(seed)`.
 */
export function onSamplerGenerator<T>(generator: Generator | null, fn: () => T): T {
  if (generator !== null) return generator.use(fn);
  const state = cpuStateForSeed(drawSeed());
  const saved = torch.getRngState();
  torch.setRngState(state);
  try {
    return fn();
  } finally {
    torch.setRngState(saved);
    saved.dispose();
    state.dispose();
  }
}

/**
 * 0, 1, …, len(dataSource) - 1 in order (torch.utils.data.SequentialSampler).
 * @example [...new SequentialSampler(ds)] // [0, 1, 2, …]
 */
export class SequentialSampler extends Sampler<number> {
  readonly dataSource: Sized;
  constructor(dataSource: Sized) {
    super();
    this.dataSource = checkSized(dataSource, 'dataSource');
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    for (let i = 0; i < n; i++) yield i;
  }
  get length(): number {
    return this.dataSource.length;
  }
}

export interface RandomSamplerOptions {
  /** Draw with replacement (numSamples draws of randint(n)); default false (permutations). */
  replacement?: boolean;
  /** How many indices per epoch; default len(dataSource). */
  numSamples?: number | null;
  generator?: Generator | null;
}

/**
 * Indices in random order (torch.utils.data.RandomSampler): without replacement, randperm(n) (repeated
 * when numSamples > n, the last one cut); with replacement, randint(0, n) in chunks of 32.
 * Without a generator each epoch seeds a fresh one from the global generator, as PyTorch does.
 * @example
 * torch.manualSeed(0);
 * [...new RandomSampler(ds)]                      // = list(RandomSampler(ds)) after torch.manual_seed(0)
 * new RandomSampler(ds, { replacement: true, numSamples: 100 })
 */
export class RandomSampler extends Sampler<number> {
  readonly dataSource: Sized;
  readonly replacement: boolean;
  readonly generator: Generator | null;
  readonly #numSamples: number | null;
  constructor(dataSource: Sized, options?: RandomSamplerOptions) {
    super();
    const o = checkOptions(options, 'RandomSampler: options', ['replacement', 'numSamples', 'generator']);
    this.dataSource = checkSized(dataSource, 'dataSource');
    this.replacement = checkBoolean(o.replacement ?? false, 'replacement');
    this.#numSamples = o.numSamples ?? null;
    this.generator = checkGenerator(o.generator);
    positiveInt(this.numSamples, 'numSamples');
  }
  /** numSamples, or the dataset's length when none was given (read at each epoch, as in PyTorch). */
  get numSamples(): number {
    return this.#numSamples ?? this.dataSource.length;
  }
  /** This epoch's indices, drawn with PyTorch's calls in PyTorch's order. */
  draw(): number[] {
    const n = this.dataSource.length;
    const m = this.numSamples;
    return onSamplerGenerator(this.generator, () => {
      const out: number[] = [];
      if (this.replacement) {
        for (let i = 0; i < Math.floor(m / 32); i++) out.push(...ints(torch.randint(0, n, [32], { dtype: 'int64' })));
        out.push(...ints(torch.randint(0, n, [m % 32], { dtype: 'int64' })));
      } else {
        for (let i = 0; i < Math.floor(m / n); i++) out.push(...ints(torch.randperm(n)));
        out.push(...ints(torch.randperm(n)).slice(0, m % n));
      }
      return out;
    });
  }
  *[Symbol.iterator](): Iterator<number> {
    yield* this.draw();
  }
  get length(): number {
    return this.numSamples;
  }
}

/**
 * The given indices in random order, without replacement (torch.utils.data.SubsetRandomSampler):
 * indices[randperm(len(indices))], on the generator or the global one.
 * @example new DataLoader(ds, { batchSize: 64, sampler: new SubsetRandomSampler(trainIdx) })
 */
export class SubsetRandomSampler extends Sampler<number> {
  readonly indices: readonly number[];
  readonly generator: Generator | null;
  constructor(indices: readonly number[], options?: { generator?: Generator | null }) {
    super();
    if (!Array.isArray(indices) || indices.some((i) => !Number.isInteger(i))) throw new TypeError(`indices: expected an array of integers, got ${describe(indices)}`);
    this.indices = [...indices];
    this.generator = checkGenerator(checkOptions(options, 'SubsetRandomSampler: options', ['generator']).generator);
  }
  draw(): number[] {
    return ints(withGenerator(this.generator, () => torch.randperm(this.indices.length))).map((i) => this.indices[i]);
  }
  *[Symbol.iterator](): Iterator<number> {
    yield* this.draw();
  }
  get length(): number {
    return this.indices.length;
  }
}

/**
 * Indices 0..len(weights)-1 drawn with probabilities proportional to `weights`
 * (torch.utils.data.WeightedRandomSampler): torch.multinomial(weights, numSamples, replacement).
 * @example new WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5) // e.g. [4, 4, 1, 4, 5]
 */
export class WeightedRandomSampler extends Sampler<number> {
  readonly weights: Float64Array;
  readonly numSamples: number;
  readonly replacement: boolean;
  readonly generator: Generator | null;
  constructor(weights: readonly number[] | Float64Array | Float32Array | Tensor, numSamples: number, options?: { replacement?: boolean; generator?: Generator | null }) {
    super();
    const o = checkOptions(options, 'WeightedRandomSampler: options', ['replacement', 'generator']);
    this.numSamples = positiveInt(numSamples, 'numSamples');
    this.replacement = checkBoolean(o.replacement ?? true, 'replacement');
    let w: Float64Array;
    if (isTensor(weights)) {
      if (weights.dim() !== 1) throw new RangeError(`weights should be a 1d sequence but given weights have shape [${weights.shape.join(', ')}]`);
      w = torch.tidy(() => weights.to('cpu').to('float64').data() as Float64Array);
    } else if (Array.isArray(weights) || weights instanceof Float64Array || weights instanceof Float32Array) {
      if ((weights as ArrayLike<unknown>[]).length > 0 && Array.from(weights as ArrayLike<unknown>).some((v) => typeof v !== 'number')) {
        throw new RangeError(`weights should be a 1d sequence of numbers, got ${describe(weights)}`);
      }
      w = Float64Array.from(weights as ArrayLike<number>);
    } else {
      throw new TypeError(`weights: expected an array of numbers or a 1-D Tensor, got ${describe(weights)}`);
    }
    this.weights = w;
    this.generator = checkGenerator(o.generator);
  }
  draw(): number[] {
    return withGenerator(this.generator, () => multinomial(this.weights, this.numSamples, this.replacement));
  }
  *[Symbol.iterator](): Iterator<number> {
    yield* this.draw();
  }
  get length(): number {
    return this.numSamples;
  }
}

/**
 * torch.multinomial(weights, n, replacement) on a 1-D float64 distribution, composed from torch.rand so
 * that it draws what libtorch 1.13's CPU kernel draws (torchlab binds no multinomial op):
 * - without replacement: q = exponential_(1) (-log(1 - u), u = rand float64), then the top n of
 *   weights / q: libtorch 1.13's Gumbel-max fast path (with replacement, one sample takes the kernel below);
 * - with replacement: u = rand([n], float64), each mapped through the normalised cumulative sum (summed
 *   in double, left to right, last bucket 1) by binary search: multinomial_with_replacement_kernel.
 * The exponential's log is JS's Math.log here, libtorch's std::log there: they can differ in the last
 * bit, which could only reorder two ratios equal to within one ulp.
 */
export function multinomial(weights: Float64Array, n: number, replacement: boolean): number[] {
  const k = weights.length;
  if (k === 0) throw new RangeError('multinomial: prob_dist must be 1 or 2 dim with at least one category');
  if (k > 2 ** 24) throw new RangeError('multinomial: number of categories cannot exceed 2^24');
  if (!replacement && n > k) throw new RangeError('multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement');
  let sum = 0;
  for (const v of weights) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError('multinomial: probability tensor contains either `inf`, `nan` or element < 0');
    sum += v;
  }
  if (!(sum > 0)) throw new RangeError('multinomial: invalid multinomial distribution (sum of probabilities <= 0)');
  const u = torch.rand([replacement ? n : k], { dtype: 'float64' });
  const us = u.data() as Float64Array;
  u.dispose();
  if (!replacement) {
    const r = Array.from(weights, (w, i) => w / (-1.0 * Math.log(1.0 - us[i])));
    const order = r.map((_, i) => i).sort((a, b) => r[b] - r[a] || a - b);
    return order.slice(0, n);
  }
  const cum = new Float64Array(k);
  let acc = 0;
  for (let j = 0; j < k; j++) cum[j] = acc += weights[j];
  for (let j = 0; j < k; j++) cum[j] /= acc;
  cum[k - 1] = 1;
  return Array.from(us, (x) => {
    let lo = 0;
    let hi = k;
    while (hi - lo > 0) {
      const mid = lo + ((hi - lo) >> 1);
      if (cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
}

/**
 * Groups another sampler's indices into batches (torch.utils.data.BatchSampler).
 * @example [...new BatchSampler(new SequentialSampler({ length: 10 }), 3, false)] // [[0,1,2],[3,4,5],[6,7,8],[9]]
 */
export class BatchSampler extends Sampler<number[]> {
  readonly sampler: Iterable<number> & Partial<Sized>;
  readonly batchSize: number;
  readonly dropLast: boolean;
  constructor(sampler: Iterable<number> & Partial<Sized>, batchSize: number, dropLast: boolean) {
    super();
    if (typeof sampler !== 'object' || sampler === null || typeof (sampler as Iterable<number>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`sampler: expected a Sampler or an iterable of indices, got ${describe(sampler)}`);
    }
    this.sampler = sampler;
    this.batchSize = positiveInt(batchSize, 'batchSize');
    this.dropLast = checkBoolean(dropLast, 'dropLast');
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
  get length(): number {
    const n = this.sampler.length;
    if (typeof n !== 'number') throw new TypeError('BatchSampler: its sampler has no length');
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
}
