// DataLoader / TensorDataset (src/data/dataloader.ts): batch count, dropLast, shuffle determinism,
// every sample once per epoch, transforms, flat memory over epochs, sync and async iteration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { DataLoader, TensorDataset } from '../src/data/dataloader.js';
import { Compose, RandomHorizontalFlip, ToTensor } from '../src/data/transforms.js';

torch.setNumThreads(1);
const nums = (t: Tensor): number[] => Array.from(t.data() as ArrayLike<number | bigint>, Number);

/** 10 samples of 1×2×2 uint8 whose pixels all equal the sample's index; targets = 100 + index. */
function tenSamples(n = 10): TensorDataset {
  const x = torch.arange(n, { dtype: 'uint8' }).view(n, 1, 1, 1).expand(n, 1, 2, 2).contiguous();
  return new TensorDataset(x, torch.arange(n, { dtype: 'int64' }).add(100));
}

test('length, batch sizes and dropLast (len(DataLoader) = ceil or floor of N / batchSize)', () => {
  const ds = tenSamples();
  const a = new DataLoader(ds, { batchSize: 4 });
  assert.equal(a.length, 3);
  const all = a.toArray();
  assert.equal(all.length, 3);
  torch.dispose(all);
  const sizes: number[] = [];
  for (const [x, y] of a) {
    sizes.push(x.size(0));
    assert.equal(y.size(0), x.size(0));
  }
  assert.deepEqual(sizes, [4, 4, 2]);
  const b = new DataLoader(ds, { batchSize: 4, dropLast: true });
  assert.equal(b.length, 2);
  const sb: number[] = [];
  for (const [x] of b) sb.push(x.size(0));
  assert.deepEqual(sb, [4, 4]);
  assert.equal(new DataLoader(ds).length, 10); // batchSize defaults to 1
  assert.throws(() => new DataLoader(ds, { batch_size: 4 } as never), /unknown option 'batch_size'/);
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), RangeError);
});

test('no shuffle: samples in order; inputs and targets stay paired', () => {
  const got: number[] = [];
  for (const [x, y] of new DataLoader(tenSamples(), { batchSize: 3 })) {
    const xs = nums(x.index(':', 0, 0, 0));
    assert.deepEqual(nums(y), xs.map((v) => v + 100));
    got.push(...xs);
  }
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

function epochOrder(loader: DataLoader): number[] {
  const order: number[] = [];
  for (const [x, y] of loader) {
    const xs = nums(x.index(':', 0, 0, 0));
    assert.deepEqual(nums(y), xs.map((v) => v + 100), 'inputs and targets paired');
    order.push(...xs);
  }
  return order;
}

test('shuffle with a seed: every sample once per epoch, the same orders on every run, global RNG untouched', () => {
  const ds = tenSamples();
  const l1 = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 42 });
  torch.manualSeed(0);
  const e1 = epochOrder(l1);
  const e2 = epochOrder(l1);
  assert.deepEqual([...e1].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...e2].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.notDeepEqual(e1, e2, 'a new order each epoch');
  assert.deepEqual(nums(torch.rand([3])), (torch.manualSeed(0), nums(torch.rand([3]))), 'the global stream is not disturbed');
  // epoch e's order = randperm(n) after manualSeed(seed + e)
  torch.manualSeed(42);
  assert.deepEqual(e1, nums(torch.randperm(10)));
  const l2 = new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 42 });
  assert.deepEqual(epochOrder(l2), e1, 'same seed, same order');
  assert.deepEqual(epochOrder(l2), e2);
});

test('shuffle without a seed follows torch.manualSeed', () => {
  const ds = tenSamples();
  torch.manualSeed(1);
  const a = epochOrder(new DataLoader(ds, { batchSize: 5, shuffle: true }));
  torch.manualSeed(1);
  const b = epochOrder(new DataLoader(ds, { batchSize: 5, shuffle: true }));
  assert.deepEqual(a, b);
});

test('transform and device applied to each batch; a plain get(i) dataset works too', () => {
  const ds = tenSamples();
  const t = new Compose([new ToTensor(), new RandomHorizontalFlip()]);
  for (const [x] of new DataLoader(ds, { batchSize: 4, transform: t, device: 'cpu' })) {
    assert.equal(x.dtype, 'float32');
    const v = nums(x.index(':', 0, 0, 0));
    assert.ok(v.every((e) => e === Math.fround(Math.round(e * 255) / 255)));
  }
  const plain = { length: 5, get: (i: number): [Tensor, number] => [torch.full([1, 2, 2], i), i * 2] };
  const seen: number[] = [];
  for (const [x, y] of new DataLoader(plain, { batchSize: 2 })) {
    assert.equal(y.dtype, 'int64');
    assert.deepEqual(nums(y), nums(x.index(':', 0, 0, 0)).map((v) => v * 2));
    seen.push(...nums(x.index(':', 0, 0, 0)));
  }
  assert.deepEqual(seen, [0, 1, 2, 3, 4]);
});

test('batches are freed when the next one is requested: live tensors flat over epochs', () => {
  const ds = tenSamples(64);
  const loader = new DataLoader(ds, { batchSize: 8, shuffle: true, seed: 0, transform: new Compose([new ToTensor(), new RandomHorizontalFlip()]) });
  const before = torch.memory().numTensors;
  let prev: Tensor | null = null;
  for (let epoch = 0; epoch < 3; epoch++) {
    for (const [x] of loader) {
      if (prev) assert.ok(prev.isDisposed, 'the previous batch is freed');
      torch.tidy(() => {
        x.mul(2).sum();
      });
      assert.ok(torch.memory().numTensors - before <= 4, 'at most one batch (+ order, next indices) alive');
      prev = x;
    }
    assert.ok(prev!.isDisposed, 'the last batch is freed when the epoch ends');
    assert.equal(torch.memory().numTensors, before, `epoch ${epoch}: nothing left behind`);
  }
  // break leaves the current batch to the caller
  let kept: Tensor[] = [];
  for (const batch of loader) {
    kept = batch;
    break;
  }
  assert.ok(!kept[0].isDisposed && !kept[1].isDisposed);
  torch.dispose(kept);
  assert.equal(torch.memory().numTensors, before);
});

test('for await: prefetches the next batch, same batches as sync iteration, memory flat', async () => {
  const ds = tenSamples(20);
  const loader = new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 3 });
  const sync = epochOrder(loader);
  const before = torch.memory().numTensors;
  const again = new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 3 });
  const order: number[] = [];
  const sizes: number[] = [];
  for await (const [x, y] of again) {
    await new Promise((r) => setImmediate(r)); // the "training step" yields: the next batch is made meanwhile
    sizes.push(x.size(0));
    const xs = torch.tidy(() => nums(x.index(':', 0, 0, 0)));
    assert.deepEqual(nums(y), xs.map((v) => v + 100));
    order.push(...xs);
  }
  assert.deepEqual(order, sync);
  assert.deepEqual(sizes, [6, 6, 6, 2]);
  assert.equal(torch.memory().numTensors, before);
  for await (const [x] of again) {
    assert.equal(x.size(0), 6);
    break;
  }
});

test('a tensor-backed dataset with a per-sample transform goes through get(i)', () => {
  const base = tenSamples(6);
  const ds = Object.assign(Object.create(base) as TensorDataset, {
    transform: (img: Tensor) => img.to('float32').neg(),
    get(i: number): [Tensor, Tensor] {
      const [x, y] = base.get(i);
      return [this.transform(x), y];
    },
  });
  const seen: number[] = [];
  for (const [x] of new DataLoader(ds, { batchSize: 4 })) seen.push(...torch.tidy(() => nums(x.index(':', 0, 0, 0))));
  assert.deepEqual(seen, [-0, -1, -2, -3, -4, -5]); // neg(0) is -0
});

test('an error while preparing a batch rejects next(), with no unhandled rejection', async () => {
  const bad = { length: 4, get: (i: number): [Tensor, number] => { if (i === 2) throw new Error('bad sample 2'); return [torch.zeros([1]), i]; } };
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const [, y] of new DataLoader(bad, { batchSize: 1 })) {
      seen.push(...nums(y));
      await new Promise((r) => setTimeout(r, 5)); // batch 2 fails while this one is in use
    }
  }, /bad sample 2/);
  assert.deepEqual(seen, [0, 1]);
});

test('a batch marked with torch.keep survives the next batch; others are freed', () => {
  const ds = new TensorDataset(torch.arange(12, { dtype: 'int64' }).reshape(6, 1, 1, 2).to('uint8'), torch.arange(6, { dtype: 'int64' }));
  const loader = new DataLoader(ds, { batchSize: 2 });
  const seen: Tensor[] = [];
  let kept: Tensor | undefined;
  for (const [x] of loader) {
    seen.push(x);
    if (!kept) kept = torch.keep(x);
  }
  assert.equal(kept!.isDisposed, false);
  assert.deepEqual(kept!.toArray(), [[[[0, 1]]], [[[2, 3]]]]);
  assert.ok(seen.slice(1).every((t) => t.isDisposed));
  kept!.dispose();
});
