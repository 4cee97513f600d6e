// Datasets with torchvision's transform / targetTransform (Transform objects or functions): the
// DataLoader applies a dataset's Transform to whole batches, get(i) to one sample, with the same
// results; FashionMNIST with a Compose on the dataset gives the batches of the same Compose on the
// DataLoader. And the owned batches: firstBatch() (next(iter(loader))), toArray() (list(loader)), and
// the error for materialising a loader ([...loader], Array.from).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';
import {
  Compose, DataLoader, FashionMNIST, Lambda, Normalize, RandomCrop, RandomErasing, RandomHorizontalFlip, Subset, ToTensor,
  DEBIAN_FASHION_MNIST, TensorDataset, type VisionDataset,
} from '../src/data/index.js';
import { VisionDataset as VisionDatasetClass, type VisionDatasetOptions } from '../src/data/datasets/vision.js';

torch.setNumThreads(1);

/** A small image dataset through VisionDataset (what MNIST / CIFAR build on): 12 random 2×5×6 images. */
class Tiny extends VisionDatasetClass<Tensor, unknown> {
  constructor(o: VisionDatasetOptions<Tensor, unknown> = {}) {
    torch.manualSeed(99);
    const data = torch.tidy(() => torch.randint(0, 256, [12, 2, 5, 6], { dtype: 'int64' }).to('uint8'));
    super(data, Uint8Array.from({ length: 12 }, (_, i) => i % 3), ['a', 'b', 'c'], o);
  }
}

const values = (t: Tensor): number[] => torch.tidy(() => Array.from(t.to('float64').data() as Float64Array));
/** Every sample through get(i), stacked: the per-sample path. */
function perSample(ds: { length: number; get(i: number): [unknown, unknown] }, order: number[]): [Tensor, Tensor] {
  return torch.tidy(() => {
    const xs: Tensor[] = [];
    const ys: number[] = [];
    for (const i of order) {
      const [x, y] = ds.get(i);
      xs.push(x as Tensor);
      ys.push(typeof y === 'number' ? y : Number((y as Tensor).item()));
    }
    return [torch.stack(xs), torch.tensor(ys, { dtype: 'int64' })] as [Tensor, Tensor];
  });
}

test('a deterministic Transform: get(i) and the batched DataLoader path give the same numbers', () => {
  const t = new Compose([new ToTensor(), new Normalize([0.5, 0.25], [0.2, 0.4])]);
  const ds = new Tiny({ transform: t });
  const live = torch.memory().numTensors;
  ds.get(3)[0].dispose();
  assert.equal(torch.memory().numTensors, live, 'get(i) leaves only its result behind');
  const [x0, y0] = ds.get(4);
  assert.deepEqual(x0.shape, [2, 5, 6]);
  assert.equal(x0.dtype, 'float32');
  assert.equal(y0, 1);
  const [xs, ys] = perSample(ds, [...Array(12).keys()]);
  const [xb, yb] = new DataLoader(ds, { batchSize: 12 }).firstBatch();
  assert.deepEqual(values(xb), values(xs));
  assert.deepEqual(values(yb), values(ys));
  torch.dispose([x0, xs, ys, xb, yb]);
});

test('a dataset Transform and the same Transform on the DataLoader give equal batches, random ones too (seeded)', () => {
  const make = (): Compose => new Compose([new RandomCrop(4, { padding: 1 }), new RandomHorizontalFlip(), new ToTensor(), new RandomErasing({ p: 0.7 })]);
  const onDataset = new DataLoader(new Tiny({ transform: make() }), { batchSize: 5, shuffle: true, seed: 3 });
  const onLoader = new DataLoader(new Tiny(), { batchSize: 5, shuffle: true, seed: 3, transform: make() });
  torch.manualSeed(11);
  const a = onDataset.toArray();
  torch.manualSeed(11);
  const b = onLoader.toArray();
  assert.equal(a.length, 3);
  a.forEach(([x, y], k) => {
    assert.deepEqual(x.shape, b[k][0].shape);
    assert.deepEqual(values(x), values(b[k][0]), `batch ${k}`);
    assert.deepEqual(values(y), values(b[k][1]));
  });
  torch.dispose([a, b]);
});

test('per-sample vs batched randomness: equal where the draw order is the same, valid crops where it is not', () => {
  // RandomHorizontalFlip draws one rand() per sample: rand([N]) on a batch and N rand([1]) calls
  // in get(i) read the same stream, so the flips agree exactly.
  const flip = new Tiny({ transform: new RandomHorizontalFlip() });
  torch.manualSeed(5);
  const [xs] = perSample(flip, [...Array(12).keys()]);
  torch.manualSeed(5);
  const [xb] = new DataLoader(flip, { batchSize: 12 }).firstBatch();
  assert.deepEqual(values(xb), values(xs));
  // RandomCrop draws every top, then every left, for a batch (randint([N]) twice); get(i) draws top, left
  // per sample. The streams necessarily interleave differently, so per-sample crops differ from batched
  // ones: each must still be a crop of its own (padded) image, and repeat under the same seed.
  const crop = new Tiny({ transform: new RandomCrop(3) });
  const plain = new Tiny();
  torch.manualSeed(6);
  const [c1] = perSample(crop, [...Array(12).keys()]);
  torch.manualSeed(6);
  const [c2] = perSample(crop, [...Array(12).keys()]);
  assert.deepEqual(values(c1), values(c2));
  for (let i = 0; i < 12; i++) {
    const [img] = plain.get(i);
    const got = values(c1.select(0, i));
    let found = false;
    for (let t = 0; t <= 2 && !found; t++) {
      for (let l = 0; l <= 3 && !found; l++) found = JSON.stringify(values(img.narrow(1, t, 3).narrow(2, l, 3))) === JSON.stringify(got);
    }
    assert.ok(found, `sample ${i} is a 3×3 crop of its image`);
  }
  torch.dispose([xs, xb, c1, c2]);
});

test('targetTransform: a function maps each label (batched path kept), a Transform gets the int64 labels', () => {
  const fn = new Tiny({ targetTransform: (l: number) => l * 10 });
  assert.equal(fn.get(5)[1], 20);
  const [, y] = new DataLoader(fn, { batchSize: 6 }).firstBatch();
  assert.equal(y.dtype, 'int64');
  assert.deepEqual(values(y), [0, 10, 20, 0, 10, 20]);
  const tr = new Tiny({ targetTransform: new Lambda((t) => t.add(1)) });
  const [, y1] = tr.get(5);
  assert.equal(Number((y1 as Tensor).item()), 3);
  const [, yb] = new DataLoader(tr, { batchSize: 6 }).firstBatch();
  assert.deepEqual(values(yb), [1, 2, 3, 1, 2, 3]);
  torch.dispose([y, y1 as Tensor, yb]);
});

test('a plain function transform is per-sample (torchvision): get(i) and the loader apply it to each image', () => {
  const ds = new Tiny({ transform: (img: Tensor) => img.flatten().to('float32') });
  assert.deepEqual((ds.get(0)[0] as Tensor).shape, [60]);
  const [x] = new DataLoader(ds, { batchSize: 4 }).firstBatch();
  assert.deepEqual(x.shape, [4, 60]);
  assert.throws(() => new Tiny({ transform: 3 as never }), /transform: expected a Transform \(Compose, ToTensor, \.\.\.\) or a function, got number 3/);
  x.dispose();
});

test('TensorDataset takes Transform objects too: get(i) and the loader agree', () => {
  const x = torch.arange(24, { dtype: 'int64' }).view(4, 1, 2, 3).to('uint8');
  const ds = new TensorDataset(x, torch.arange(4, { dtype: 'int64' }), { transform: new Compose([new ToTensor(), new Lambda((b) => b.mul(2))]), targetTransform: new Lambda((t) => t.add(10)) });
  const [xs, ys] = perSample(ds, [0, 1, 2, 3]);
  const [xb, yb] = new DataLoader(ds, { batchSize: 4 }).firstBatch();
  assert.deepEqual(values(xb), values(xs));
  assert.deepEqual(values(yb), [10, 11, 12, 13]);
  assert.deepEqual(values(ys), [10, 11, 12, 13]);
  assert.throws(() => new TensorDataset(x, ys, { transform: (t: Tensor) => t } as never), /TensorDataset: transform: expected a Transform/);
  assert.throws(() => new TensorDataset(x, ys, { transfrom: new ToTensor() } as never), /unknown option 'transfrom'/);
  torch.dispose([xs, ys, xb, yb]);
});

test('a Subset of a transformed dataset: cut with one indexSelect, same numbers as get(i)', () => {
  const ds = new Tiny({ transform: new Compose([new ToTensor(), new Normalize([0.1, 0.2], [0.3, 0.4])]) });
  const sub = new Subset(ds, [7, 2, 11, 0, 5]);
  const [xs, ys] = perSample(sub, [0, 1, 2, 3, 4]);
  const [xb, yb] = new DataLoader(sub, { batchSize: 5 }).firstBatch();
  assert.deepEqual(values(xb), values(xs));
  assert.deepEqual(values(yb), [7 % 3, 2 % 3, 11 % 3, 0, 5 % 3]);
  torch.dispose([xs, ys, xb, yb]);
});

test('owned batches: firstBatch() survives later iteration; toArray(); materialising the iterator throws why', () => {
  const loader = new DataLoader(new Tiny({ transform: new ToTensor() }), { batchSize: 4, shuffle: true, seed: 0 });
  const before = torch.memory().numTensors;
  const [images, labels] = loader.firstBatch();
  for (const [x] of loader) x.sum().dispose();
  assert.ok(!images.isDisposed && !labels.isDisposed, 'an owned batch is not freed by the loader');
  assert.deepEqual(images.shape, [4, 2, 5, 6]);
  torch.dispose([images, labels]);
  // inside tidy, an owned batch belongs to the scope like any tensor
  const kept = torch.tidy(() => loader.firstBatch()[0].narrow(0, 0, 2).clone());
  assert.deepEqual(kept.shape, [2, 2, 5, 6]);
  kept.dispose();
  assert.equal(torch.memory().numTensors, before, 'nothing else left behind');
  const all = loader.toArray();
  assert.equal(all.length, 3);
  assert.ok(all.every(([x, y]) => !x.isDisposed && !y.isDisposed));
  torch.dispose(all);
  assert.throws(() => [...loader], /batch 0 was never read before the next batch was requested.*loader\.firstBatch\(\).*loader\.toArray\(\)/s);
  assert.throws(() => Array.from(loader), /materialising it \(\[\.\.\.loader\], Array\.from\(loader\)\) would hand back freed tensors/);
  assert.equal(torch.memory().numTensors, before, 'the refused materialisation freed what it had made');
});

test('async: a batch never read before the next is requested is refused too', async () => {
  const loader = new DataLoader(new Tiny(), { batchSize: 4 });
  const before = torch.memory().numTensors;
  const it = loader[Symbol.asyncIterator]();
  await it.next();
  await assert.rejects(() => it.next(), /batch 0 was never read/);
  assert.equal(torch.memory().numTensors, before);
  const seen: number[] = [];
  for await (const [x] of loader) seen.push(x.size(0));
  assert.deepEqual(seen, [4, 4, 4]);
});

const FASHION = existsSync(DEBIAN_FASHION_MNIST);
test('FashionMNIST with a Compose on the dataset: the batches of the same Compose on the DataLoader', { skip: !FASHION }, () => {
  const compose = (): Compose => new Compose([new RandomCrop(28, { padding: 2 }), new RandomHorizontalFlip(), new ToTensor(), new Normalize([0.286], [0.353])]);
  const onDataset = new FashionMNIST({ train: false, transform: compose() });
  const plain = new FashionMNIST({ train: false });
  const a = new DataLoader(onDataset, { batchSize: 1000, shuffle: true, seed: 1 });
  const b = new DataLoader(plain, { batchSize: 1000, shuffle: true, seed: 1, transform: compose() });
  assert.equal(a.length, 10);
  torch.manualSeed(2);
  const ia = a[Symbol.iterator]();
  const batchesA: Tensor[] = [];
  for (let r = ia.next(); !r.done; r = ia.next()) {
    const [x, y] = r.value;
    batchesA.push(torch.keep(torch.cat([x.flatten(1), y.to('float32').view(-1, 1)], 1)));
  }
  torch.manualSeed(2);
  let k = 0;
  for (const [x, y] of b) {
    assert.equal(x.dtype, 'float32');
    assert.deepEqual(x.shape, [1000, 1, 28, 28]);
    const same = torch.tidy(() => torch.cat([x.flatten(1), y.to('float32').view(-1, 1)], 1).equal(batchesA[k]));
    assert.ok(same, `batch ${k} equal`);
    k++;
  }
  assert.equal(k, 10);
  // and get(i) applies the dataset's Compose to one sample (its own random draws)
  const [img, label] = onDataset.get(0);
  assert.deepEqual((img as Tensor).shape, [1, 28, 28]);
  assert.equal(label, 9);
  torch.dispose([batchesA, img as Tensor]);
  (onDataset as VisionDataset).dispose();
  plain.dispose();
});
