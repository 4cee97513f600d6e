// torch.utils.data.distributed.DistributedSampler: each rank's share of a dataset's indices, the
// same indices as PyTorch's for the same length, seed, epoch, rank and number of replicas.
//
// PyTorch's algorithm (1.13): with shuffle, randperm(n) from a generator seeded with seed + epoch
// (here: the default generator after manualSeed(seed + epoch), with its state saved and restored:
// the same Mersenne Twister stream, and the global one is not disturbed); without dropLast the
// list is padded by repeating its start until it divides evenly, with dropLast it is cut; rank r
// takes every numReplicas-th index starting at r.
// Standalone: an iterable of indices with `length` and `setEpoch`, usable as a DataLoader's
// `sampler` (and by any code that takes an iterable of indices).
import * as torch from '../tensor/index.js';
import { getRank, getWorldSize, isInitialized } from '../distributed/index.js';

export interface DistributedSamplerOptions {
  /** The number of ranks sharing the dataset (default: torch.distributed's world size). */
  numReplicas?: number;
  /** This process's rank (default: torch.distributed's rank). */
  rank?: number;
  /** Shuffle every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffle, the same on every rank (default 0). */
  seed?: number;
  /** Cut the tail so that every rank gets the same number of samples, instead of padding (default false). */
  dropLast?: boolean;
}

export class DistributedSampler implements Iterable<number> {
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Samples this rank gets per epoch (len(sampler)). */
  readonly numSamples: number;
  readonly totalSize: number;
  #n: number;
  #epoch = 0;

  constructor(dataset: { readonly length: number }, options: DistributedSamplerOptions = {}) {
    const what = 'DistributedSampler';
    if (typeof dataset !== 'object' || dataset === null || !Number.isSafeInteger(dataset.length) || dataset.length < 0) {
      throw new TypeError(`${what}: expected a dataset with a length`);
    }
    if (typeof options !== 'object' || options === null) throw new TypeError(`${what}: options must be an object`);
    for (const k of Object.keys(options)) {
      if (!['numReplicas', 'rank', 'shuffle', 'seed', 'dropLast'].includes(k)) throw new TypeError(`${what}: unknown option '${k}'`);
    }
    const needGroup = (name: string): never => {
      throw new Error(`${what}: ${name} is not given and the default process group is not initialized`);
    };
    this.numReplicas = options.numReplicas ?? (isInitialized() ? getWorldSize() : needGroup('numReplicas'));
    this.rank = options.rank ?? (isInitialized() ? getRank() : needGroup('rank'));
    if (!Number.isInteger(this.numReplicas) || this.numReplicas < 1) throw new RangeError(`${what}: numReplicas must be a positive integer, got ${this.numReplicas}`);
    if (!Number.isInteger(this.rank) || this.rank < 0 || this.rank >= this.numReplicas) {
      throw new RangeError(`${what}: invalid rank ${this.rank}, rank should be in the interval [0, ${this.numReplicas - 1}]`);
    }
    this.shuffle = options.shuffle ?? true;
    this.seed = options.seed ?? 0;
    this.dropLast = options.dropLast ?? false;
    if (!Number.isSafeInteger(this.seed)) throw new TypeError(`${what}: seed must be an integer, got ${this.seed}`);
    this.#n = dataset.length;
    const n = this.#n;
    this.numSamples = this.dropLast && n % this.numReplicas !== 0
      ? Math.ceil((n - this.numReplicas) / this.numReplicas)
      : Math.ceil(n / this.numReplicas);
    this.numSamples = Math.max(0, this.numSamples); // Math.ceil(-0.5) is -0; Python's math.ceil gives 0
    this.totalSize = this.numSamples * this.numReplicas;
  }

  get length(): number {
    return this.numSamples;
  }
  get epoch(): number {
    return this.#epoch;
  }
  /** The epoch whose shuffle the next iteration uses (set it before each epoch, as in PyTorch). */
  setEpoch(epoch: number): void {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`DistributedSampler.setEpoch: expected a non-negative integer, got ${epoch}`);
    this.#epoch = epoch;
  }

  /** This rank's indices for the current epoch. */
  indices(): number[] {
    const n = this.#n;
    let all: number[];
    if (this.shuffle) {
      const state = torch.getRngState();
      try {
        torch.manualSeed(this.seed + this.#epoch);
        const perm = torch.randperm(n);
        all = Array.from(perm.data() as BigInt64Array, Number);
        perm.dispose();
      } finally {
        torch.setRngState(state);
        state.dispose();
      }
    } else {
      all = Array.from({ length: n }, (_, i) => i);
    }
    if (!this.dropLast) {
      const pad = this.totalSize - all.length;
      if (pad > 0 && all.length > 0) {
        const padded = all.slice();
        while (padded.length < this.totalSize) padded.push(...all.slice(0, this.totalSize - padded.length));
        all = padded;
      }
    } else {
      all = all.slice(0, this.totalSize);
    }
    const mine: number[] = [];
    for (let i = this.rank; i < this.totalSize; i += this.numReplicas) mine.push(all[i]);
    return mine;
  }

  [Symbol.iterator](): Iterator<number> {
    return this.indices()[Symbol.iterator]();
  }
}
