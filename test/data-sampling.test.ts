// torch.utils.data's random draws against PyTorch 1.13 (fixtures: test/gen/gen_data_sampling.py):
// randomSplit, RandomSampler (with and without replacement, numSamples), WeightedRandomSampler,
// SubsetRandomSampler and the DataLoader's shuffle order give PyTorch's indices after the same
// torch.manualSeed, or with a Generator of the same seed, and consume as much of the global stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as torch from '../src/index.js';
import {
  DataLoader, Generator, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, TensorDataset, randomSplit,
} from '../src/data/index.js';
import { cpuStateForSeed } from '../src/data/generator.js';

torch.setNumThreads(1);

interface Case {
  kind: string; seed: number; gen: 'global' | 'generator'; out: unknown; after?: number[];
  n?: number; lengths?: number[]; replacement?: boolean; numSamples?: number | null; weights?: number[];
  indices?: number[]; batchSize?: number; dropLast?: boolean; sampler?: { replacement: boolean; numSamples: number } | null;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/data_sampling.json', import.meta.url), 'utf8')) as { count: number; cases: Case[] };
const EXPECTED_CASES = 192;

/** A dataset of n samples whose inputs are their indices (so batches show the order). */
const indexDataset = (n: number): TensorDataset => new TensorDataset(torch.arange(n, { dtype: 'int64' }), torch.arange(n, { dtype: 'int64' }));
/** Three draws from the global generator, as the fixture's after(). */
const after = (): number[] => torch.tidy(() => Array.from(torch.randint(0, 2 ** 31 - 1, [3], { dtype: 'int64' }).data() as BigInt64Array, Number));
const byKind = (k: string): Case[] => fixture.cases.filter((c) => c.kind === k);
/** The generator a case passes (PyTorch's torch.Generator().manual_seed(seed + 1); random_split's: seed). */
const genOf = (c: Case, offset = 1): Generator | null => (c.gen === 'generator' ? new Generator().manualSeed(c.seed + offset) : null);

test('the fixture holds every case', () => {
  assert.equal(fixture.count, EXPECTED_CASES);
  assert.equal(fixture.cases.length, EXPECTED_CASES);
  for (const k of ['random_split', 'RandomSampler', 'WeightedRandomSampler', 'SubsetRandomSampler', 'DataLoader']) {
    assert.ok(byKind(k).length >= 8, k);
  }
});

test("Generator: manualSeed builds the state libtorch's manual_seed does, and use() leaves the global stream alone", () => {
  for (const s of [0, 1, 42, 2 ** 40 + 7]) {
    torch.manualSeed(s);
    const a = torch.getRngState();
    const b = cpuStateForSeed(s);
    assert.deepEqual(Array.from(a.data() as Uint8Array), Array.from(b.data() as Uint8Array), `seed ${s}`);
    torch.dispose([a, b]);
  }
  torch.manualSeed(5);
  const expected = after();
  torch.manualSeed(5);
  const g = new Generator().manualSeed(7);
  const p1 = g.use(() => torch.randperm(6)).toArray();
  assert.deepEqual(after(), expected, 'the global stream is untouched');
  torch.manualSeed(7);
  assert.deepEqual(p1, torch.randperm(6).toArray());
  const saved = g.getState();
  const p2 = g.use(() => torch.randperm(6)).toArray();
  assert.deepEqual(g.setState(saved).use(() => torch.randperm(6)).toArray(), p2, 'getState / setState');
  assert.throws(() => new Generator().manualSeed(-1), TypeError);
});

test('randomSplit gives random_split\'s indices (lengths and fractions), after manualSeed or with a Generator', () => {
  const cases = byKind('random_split');
  assert.equal(cases.length, 48);
  for (const c of cases) {
    const ds = indexDataset(c.n!);
    if (c.gen === 'global') torch.manualSeed(c.seed);
    const parts = randomSplit(ds, c.lengths!, { generator: genOf(c, 0) });
    assert.deepEqual(parts.map((p) => [...p.indices]), c.out, `seed ${c.seed} n ${c.n} lengths ${c.lengths}`);
    if (c.after) assert.deepEqual(after(), c.after, 'global stream after');
    assert.equal(torch.tidy(() => Number(parts[0].length ? parts[0].get(0)[0].item() : -1)), parts[0].length ? parts[0].indices[0] : -1);
  }
  const ds = indexDataset(10);
  assert.throws(() => randomSplit(ds, [3, 6]), /Sum of input lengths does not equal the length of the input dataset/);
  assert.throws(() => randomSplit(ds, [1.5, -0.5]), /Fraction at index 0 is not between 0 and 1/);
});

test('RandomSampler: PyTorch\'s draws with and without replacement, numSamples, two epochs in a row', () => {
  const cases = byKind('RandomSampler');
  assert.equal(cases.length, 56);
  for (const c of cases) {
    torch.manualSeed(c.seed);
    const s = new RandomSampler(indexDataset(c.n!), { replacement: c.replacement, numSamples: c.numSamples, generator: genOf(c) });
    assert.deepEqual([[...s], [...s]], c.out, `seed ${c.seed} ${c.gen} n ${c.n} replacement ${c.replacement} numSamples ${c.numSamples}`);
    assert.deepEqual(after(), c.after, 'global stream after');
    assert.equal(s.length, c.numSamples ?? c.n);
  }
  assert.throws(() => new RandomSampler(indexDataset(3), { numSamples: 0 }), /numSamples should be a positive integer value/);
  assert.throws(() => new RandomSampler(indexDataset(3), { replacement: 1 as never }), /replacement should be a boolean/);
});

test('WeightedRandomSampler: torch.multinomial\'s draws (with replacement, without, one sample)', () => {
  const cases = byKind('WeightedRandomSampler');
  assert.equal(cases.length, 56);
  for (const c of cases) {
    torch.manualSeed(c.seed);
    const s = new WeightedRandomSampler(c.weights!, c.numSamples!, { replacement: c.replacement, generator: genOf(c) });
    assert.deepEqual([[...s], [...s]], c.out, `seed ${c.seed} ${c.gen} weights ${c.weights!.length} n ${c.numSamples} replacement ${c.replacement}`);
    assert.deepEqual(after(), c.after, 'global stream after');
  }
  assert.throws(() => [...new WeightedRandomSampler([1, 2], 3, { replacement: false })], /cannot sample n_sample > prob_dist.size\(-1\) samples without replacement/);
  assert.throws(() => [...new WeightedRandomSampler([0, 0], 1)], /sum of probabilities <= 0/);
  assert.throws(() => [...new WeightedRandomSampler([1, -1], 1)], /element < 0/);
});

test('SubsetRandomSampler: indices[randperm(len)]', () => {
  const cases = byKind('SubsetRandomSampler');
  assert.equal(cases.length, 8);
  for (const c of cases) {
    torch.manualSeed(c.seed);
    const s = new SubsetRandomSampler(c.indices!, { generator: genOf(c) });
    assert.deepEqual([[...s], [...s]], c.out);
    assert.deepEqual(after(), c.after);
  }
});

test('DataLoader: shuffle (no seed) and a sampler draw PyTorch\'s orders, base seed included', () => {
  const cases = byKind('DataLoader');
  assert.equal(cases.length, 24);
  for (const c of cases) {
    torch.manualSeed(c.seed);
    const ds = indexDataset(c.n!);
    const generator = genOf(c);
    const loader = c.sampler
      ? new DataLoader(ds, { batchSize: c.batchSize, sampler: new RandomSampler(ds, c.sampler), generator })
      : new DataLoader(ds, { batchSize: c.batchSize, shuffle: true, dropLast: c.dropLast, generator });
    const epochs = [0, 1].map(() => {
      const batches: number[][] = [];
      for (const [x] of loader) batches.push(Array.from(x.data() as BigInt64Array, Number));
      return batches;
    });
    assert.deepEqual(epochs, c.out, `seed ${c.seed} ${c.gen} n ${c.n} sampler ${JSON.stringify(c.sampler)}`);
    assert.deepEqual(after(), c.after, 'global stream after');
  }
});
