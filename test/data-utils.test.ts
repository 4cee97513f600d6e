// torch.utils.data's deterministic parts: Subset, ConcatDataset, SequentialSampler, BatchSampler, a
// user Sampler, the DataLoader's sampler / batchSampler / dropLast options with PyTorch's
// mutual-exclusion errors, and where the API is reachable (torch.utils.data, torch.data).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';
import {
  BatchSampler, ConcatDataset, DataLoader, RandomSampler, Sampler, SequentialSampler, Subset, TensorDataset,
} from '../src/data/index.js';

torch.setNumThreads(1);
const nums = (t: Tensor): number[] => Array.from(t.data() as ArrayLike<number | bigint>, Number);
/** n samples whose input is [i, i] and whose target is 100 + i. */
const ds = (n: number, offset = 0): TensorDataset => new TensorDataset(
  torch.arange(offset, offset + n, { dtype: 'int64' }).view(n, 1).expand(n, 2).contiguous(),
  torch.arange(offset, offset + n, { dtype: 'int64' }).add(100),
);
/** The inputs' first column of every batch of one epoch. */
const epoch = (loader: DataLoader): number[][] => {
  const out: number[][] = [];
  for (const [x] of loader) out.push(torch.tidy(() => nums(x.select(1, 0))));
  return out;
};

test('torch.utils.data and torch.data hold the same classes', () => {
  assert.equal(torch.utils.data.DataLoader, torch.data.DataLoader);
  for (const k of ['Subset', 'ConcatDataset', 'randomSplit', 'Sampler', 'SequentialSampler', 'RandomSampler',
    'WeightedRandomSampler', 'SubsetRandomSampler', 'BatchSampler', 'TensorDataset', 'Generator'] as const) {
    assert.equal(typeof torch.utils.data[k], 'function', k);
    assert.equal(torch.utils.data[k], torch.data[k], k);
  }
  assert.equal(typeof torch.utils.makeGrid, 'function');
});

test('Subset: indices in order, negative indices, get(i) and the loader agree', () => {
  const base = ds(10);
  const sub = new Subset(base, [9, 0, -1, 4]);
  assert.deepEqual([...sub.indices], [9, 0, 9, 4]);
  assert.equal(sub.length, 4);
  assert.equal(torch.tidy(() => Number(sub.get(-1)[1].item())), 104);
  assert.deepEqual(epoch(new DataLoader(sub, { batchSize: 3 })), [[9, 0, 9], [4]]);
  assert.throws(() => new Subset(base, [10]), /indices: 10 is out of range for a dataset of 10 samples/);
  assert.throws(() => sub.get(4), RangeError);
  // a Subset of a Subset of a plain get(i) dataset goes per sample
  const plain = { length: 6, get: (i: number): [Tensor, number] => [torch.full([2], i * 2), i] };
  const nested = new Subset(new Subset(plain, [5, 4, 3]), [2, 0]);
  const [[x, y]] = new DataLoader(nested, { batchSize: 2 }).toArray();
  assert.deepEqual(nums(x.select(1, 0)), [6, 10]);
  assert.deepEqual(nums(y), [3, 5]);
  torch.dispose([x, y]);
});

test('ConcatDataset: cumulativeSizes, bisect_right indexing, negative indices, the loader', () => {
  const c = new ConcatDataset([ds(3), ds(0, 50), ds(4, 10)]);
  assert.deepEqual(c.cumulativeSizes, [3, 3, 7]);
  assert.equal(c.length, 7);
  const firsts = torch.tidy(() => Array.from({ length: 7 }, (_, i) => Number(c.get(i)[0].select(0, 0).item())));
  assert.deepEqual(firsts, [0, 1, 2, 10, 11, 12, 13]);
  assert.equal(torch.tidy(() => Number(c.get(-7)[1].item())), 100);
  assert.throws(() => c.get(-8), /absolute value of index should not exceed dataset length/);
  assert.throws(() => new ConcatDataset([]), /datasets should not be an empty iterable/);
  assert.deepEqual(epoch(new DataLoader(c, { batchSize: 4 })), [[0, 1, 2, 10], [11, 12, 13]]);
  // a shuffled batch mixing the parts comes back in the sampler's order, inputs and targets paired
  const mixed = new DataLoader(c, { batchSampler: [[5, 0, 3, 2, 6, 1, 4]] });
  const [[x, y]] = mixed.toArray();
  assert.deepEqual(nums(x.select(1, 0)), [12, 0, 10, 2, 13, 1, 11]);
  assert.deepEqual(nums(y), [112, 100, 110, 102, 113, 101, 111]);
  torch.dispose([x, y]);
});

test('SequentialSampler and BatchSampler as PyTorch (drop_last both ways, lengths)', () => {
  const s = new SequentialSampler({ length: 10 });
  assert.deepEqual([...s], [...Array(10).keys()]);
  assert.deepEqual([...new BatchSampler(s, 3, false)], [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  assert.deepEqual([...new BatchSampler(s, 3, true)], [[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
  assert.equal(new BatchSampler(s, 3, false).length, 4);
  assert.equal(new BatchSampler(s, 3, true).length, 3);
  assert.throws(() => new BatchSampler(s, 0, false), /batchSize should be a positive integer value/);
  assert.throws(() => new BatchSampler(s, 2, 1 as never), /dropLast should be a boolean value/);
});

test('DataLoader with a sampler, a batchSampler, dropLast; a user Sampler with setEpoch plugs in', () => {
  const data = ds(10);
  class EvensThenOdds extends Sampler<number> {
    epoch = 0;
    get length(): number {
      return 10;
    }
    setEpoch(e: number): void {
      this.epoch = e;
    }
    *[Symbol.iterator](): Iterator<number> {
      const start = this.epoch % 2;
      for (let i = start; i < 10; i += 2) yield i;
      for (let i = 1 - start; i < 10; i += 2) yield i;
    }
  }
  const sampler = new EvensThenOdds();
  const l = new DataLoader(data, { batchSize: 4, sampler, dropLast: true });
  assert.equal(l.length, 2);
  assert.deepEqual(epoch(l), [[0, 2, 4, 6], [8, 1, 3, 5]]);
  l.setEpoch(1);
  assert.deepEqual(epoch(l), [[1, 3, 5, 7], [9, 0, 2, 4]]);
  const bl = new DataLoader(data, { batchSampler: [[3, 1], [7], [0, 0, 9]] });
  assert.equal(bl.batchSize, null);
  assert.deepEqual(epoch(bl), [[3, 1], [7], [0, 0, 9]]);
  const bs = new DataLoader(data, { batchSampler: new BatchSampler(new SequentialSampler(data), 6, false) });
  assert.equal(bs.length, 2);
  assert.deepEqual(epoch(bs), [[0, 1, 2, 3, 4, 5], [6, 7, 8, 9]]);
});

test("DataLoader's option conflicts are PyTorch's", () => {
  const data = ds(4);
  const sampler = new SequentialSampler(data);
  assert.throws(() => new DataLoader(data, { sampler, shuffle: true }), /sampler option is mutually exclusive with shuffle/);
  const mutex = /batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast/;
  const batchSampler = new BatchSampler(sampler, 2, false);
  assert.throws(() => new DataLoader(data, { batchSampler, batchSize: 2 }), mutex);
  assert.throws(() => new DataLoader(data, { batchSampler, shuffle: true }), mutex);
  assert.throws(() => new DataLoader(data, { batchSampler, sampler }), mutex);
  assert.throws(() => new DataLoader(data, { batchSampler, dropLast: true }), mutex);
  assert.throws(() => new DataLoader(data, { sampler: 3 as never }), /sampler: expected a Sampler or an iterable of indices/);
  assert.throws(() => new DataLoader(data, { sampler, seed: 1 }), /a loader with a sampler or batchSampler takes no seed/);
  assert.deepEqual(epoch(new DataLoader(data, { batchSize: 4, seed: 1 })), [[0, 1, 2, 3]], 'seed without shuffle: in order');
  assert.throws(() => new DataLoader(data, { shuffle: true, seed: 1, generator: new torch.data.Generator() }), /seed and generator are mutually exclusive/);
  assert.throws(() => new DataLoader(data, { generator: {} as never }), /generator: expected a data.Generator/);
  assert.throws(() => new DataLoader(data, { samplr: sampler } as never), /unknown option 'samplr'/);
  assert.throws(() => new RandomSampler(data, { num_samples: 3 } as never), /RandomSampler: options: unknown option 'num_samples'; valid options: replacement, numSamples, generator/);
  assert.throws(() => new torch.data.WeightedRandomSampler([1], 1, { replacment: false } as never), /unknown option 'replacment'/);
  assert.throws(() => new torch.data.SubsetRandomSampler([1], { gen: null } as never), /unknown option 'gen'/);
  assert.throws(() => torch.data.randomSplit(data, [2, 2], { seed: 1 } as never), /randomSplit: options: unknown option 'seed'/);
  // a RandomSampler over the loader's dataset, no shuffle needed
  const seen = epoch(new DataLoader(data, { batchSize: 4, sampler: new RandomSampler(data) }))[0];
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
});
