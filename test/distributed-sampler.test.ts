// data.DistributedSampler: the same indices as PyTorch's DistributedSampler for every case of
// test/fixtures/distributed_sampler.json (test/gen/gen_distributed_sampler.py), and the DataLoader's
// `sampler` option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from '../src/index.js';
const { data } = torch;

interface Case { n: number; numReplicas: number; rank: number; shuffle: boolean; dropLast: boolean; seed: number; epoch: number; length: number; indices: number[] }
const fixture = JSON.parse(readFileSync(new URL('./fixtures/distributed_sampler.json', import.meta.url), 'utf8')) as { count: number; cases: Case[] };

test('DistributedSampler gives PyTorch\'s indices for every seed, epoch, rank, world size, shuffle and dropLast', () => {
  assert.equal(fixture.cases.length, fixture.count);
  assert.equal(fixture.count, 1428);
  for (const c of fixture.cases) {
    const s = new data.DistributedSampler({ length: c.n }, { numReplicas: c.numReplicas, rank: c.rank, shuffle: c.shuffle, seed: c.seed, dropLast: c.dropLast });
    s.setEpoch(c.epoch);
    const what = JSON.stringify({ ...c, indices: undefined });
    assert.equal(s.length, c.length, what);
    assert.deepEqual([...s], c.indices, what);
  }
});

test('DistributedSampler leaves the global random stream alone; the ranks partition an epoch', () => {
  torch.manualSeed(5);
  const a = torch.rand([3]);
  torch.manualSeed(5);
  const parts = [0, 1, 2].map((rank) => [...new data.DistributedSampler({ length: 12 }, { numReplicas: 3, rank, seed: 9 })]);
  const b = torch.rand([3]);
  assert.deepEqual(Array.from(b.data() as Float32Array), Array.from(a.data() as Float32Array));
  assert.deepEqual(parts.flat().sort((x, y) => x - y), Array.from({ length: 12 }, (_, i) => i));
});

test('DataLoader with a DistributedSampler: this rank\'s samples, reshuffled by setEpoch', () => {
  const n = 10;
  const ds = new data.TensorDataset(torch.arange(n, { dtype: 'float32' }).unsqueeze(1), torch.arange(n));
  const sampler = new data.DistributedSampler(ds, { numReplicas: 2, rank: 1, seed: 3 });
  const loader = new data.DataLoader(ds, { batchSize: 2, sampler });
  assert.equal(loader.length, 3);
  const seen = (): number[] => {
    const out: number[] = [];
    for (const [, y] of loader) out.push(...Array.from(y.data() as BigInt64Array, Number)); // batches are freed as the next comes
    return out;
  };
  const e0 = seen();
  assert.deepEqual(e0, [...sampler]);
  loader.setEpoch(1); // passed on to the sampler
  assert.equal(sampler.epoch, 1);
  const e1 = seen();
  assert.deepEqual(e1, [...sampler]);
  assert.notDeepEqual(e1, e0);
});

test('DistributedSampler / sampler option: bad input is a clear error', () => {
  assert.throws(() => new data.DistributedSampler({ length: 4 }, { numReplicas: 2, rank: 2 }), /invalid rank 2, rank should be in the interval \[0, 1\]/);
  assert.throws(() => new data.DistributedSampler({ length: 4 }, { numReplicas: 0, rank: 0 }), /numReplicas must be a positive integer/);
  assert.throws(() => new data.DistributedSampler({ length: 4 }), /numReplicas is not given and the default process group is not initialized/);
  assert.throws(() => new data.DistributedSampler({} as never, { numReplicas: 1, rank: 0 }), /expected a dataset with a length/);
  assert.throws(() => new data.DistributedSampler({ length: 4 }, { numReplicas: 1, rank: 0, seeds: 1 } as never), /unknown option 'seeds'/);
  const s = new data.DistributedSampler({ length: 4 }, { numReplicas: 1, rank: 0 });
  assert.throws(() => s.setEpoch(-1), /non-negative integer/);
  const ds = new data.TensorDataset(torch.zeros([4, 1]), torch.zeros([4]));
  assert.throws(() => new data.DataLoader(ds, { sampler: s, shuffle: true }), /mutually exclusive with shuffle/);
  assert.throws(() => new data.DataLoader(ds, { sampler: { length: 2 } as never }), /sampler: expected a Sampler or an iterable of indices/);
});
