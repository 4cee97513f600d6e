// Datasets (issue 4): the real Fashion-MNIST of Debian's dataset-fashion-mnist package, and MNIST,
// CIFAR-10 and CIFAR-100 files generated here in the official formats, with every kind of damage.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as torch from '../src/index.js';
import { MNIST, FashionMNIST, CIFAR10, CIFAR100, DEBIAN_FASHION_MNIST } from '../src/data/datasets/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'torchlab-datasets-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** An IDX file of unsigned bytes. */
function idx(dims: number[], data: Uint8Array): Buffer {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h.writeUInt32BE(0x800 + dims.length, 0);
  dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([h, data]);
}
const bytes = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i));

/** MNIST-style files in a fresh folder; `patch` may damage them. */
function mnistDir(n: number, gz: boolean, patch?: (files: Record<string, Buffer>) => void): string {
  const dir = mkdtempSync(join(tmp, 'mnist-'));
  const files: Record<string, Buffer> = {};
  for (const [p, m] of [['train', n], ['t10k', 2]] as const) {
    files[`${p}-images-idx3-ubyte`] = idx([m, 28, 28], bytes(m * 784, (i) => (i * 7 + m) % 256));
    files[`${p}-labels-idx1-ubyte`] = idx([m], bytes(m, (i) => (i * 3) % 10));
  }
  patch?.(files);
  for (const [name, b] of Object.entries(files)) writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(b) : b);
  return dir;
}

test('FashionMNIST: the real Debian files (70,000 images, labels and a pixel checksum)', { skip: !existsSync(DEBIAN_FASHION_MNIST) }, () => {
  const before = torch.memory().numTensors;
  const train = new FashionMNIST();
  const testSet = new FashionMNIST({ root: DEBIAN_FASHION_MNIST, train: false });
  assert.equal(train.length + testSet.length, 70000);
  assert.deepEqual(train.data.shape, [60000, 1, 28, 28]);
  assert.equal(train.data.dtype, 'uint8');
  assert.deepEqual(train.targets.shape, [60000]);
  assert.equal(train.targets.dtype, 'int64');
  // Sums of the pixel bytes, computed independently with Python: sum(gzip.open(f).read()[16:]).
  torch.tidy(() => {
    assert.deepEqual(train.targets.narrow(0, 0, 10).tolist(), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    assert.deepEqual(testSet.targets.narrow(0, 0, 10).tolist(), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    assert.equal(train.data.sum().item(), 3431114169);
    assert.equal(testSet.data.sum().item(), 573469082);
    assert.equal(train.targets.sum().item(), 270000);
    const [image, label] = train.get(0);
    assert.deepEqual(image.shape, [1, 28, 28]);
    assert.equal(image.dtype, 'uint8');
    assert.equal(label, 9);
    assert.equal(image.sum().item(), 76247);
    assert.equal(train.get(-1)[1], train.targets.index(59999).item());
  });
  assert.equal(train.classes[9], 'Ankle boot');
  assert.equal(train.classes.length, 10);
  train.dispose();
  testSet.dispose();
  assert.equal(torch.memory().numTensors, before);
});

test('MNIST: generated IDX files, gzipped or not, in root or root/MNIST/raw', () => {
  for (const gz of [false, true]) {
    const ds = new MNIST({ root: mnistDir(5, gz) });
    assert.equal(ds.length, 5);
    assert.deepEqual(ds.data.shape, [5, 1, 28, 28]);
    assert.deepEqual(ds.targets.tolist(), [0, 3, 6, 9, 2]);
    torch.tidy(() => {
      const [x, y] = ds.get(1);
      assert.equal(y, 3);
      assert.equal(x.index(0, 0, 0).item(), (784 * 7 + 5) % 256);
    });
    assert.equal(ds.classes[3], '3 - three');
    assert.equal(new MNIST({ root: ds.root, train: false }).length, 2);
    ds.dispose();
  }
  const raw = mnistDir(3, true);
  const nested = mkdtempSync(join(tmp, 'nested-'));
  mkdirSync(join(nested, 'MNIST'));
  renameSync(raw, join(nested, 'MNIST', 'raw'));
  assert.equal(new MNIST({ root: nested }).length, 3);
  // transforms are applied by get()
  const t = new MNIST({ root: nested, transform: (x) => x.shape, targetTransform: (y) => `#${y}` });
  assert.deepEqual(t.get(2), [[1, 28, 28], '#6']);
  assert.throws(() => t.get(3), /index: 3 is out of range for a dataset of 3 samples/);
  assert.throws(() => t.get(1.5), /index: expected an integer/);
});

test('MNIST: damaged files are errors naming the file and the problem', () => {
  const cases: [string, (f: Record<string, Buffer>) => void, RegExp][] = [
    ['wrong magic', (f) => { f['train-images-idx3-ubyte'].writeUInt32BE(0x00000801, 0); }, /train-images-idx3-ubyte: wrong magic number 0x00000801 \(expected 0x00000803/],
    ['not IDX', (f) => { f['train-labels-idx1-ubyte'].writeUInt32BE(0x12345678, 0); }, /train-labels-idx1-ubyte: wrong magic number 0x12345678/],
    ['truncated images', (f) => { f['train-images-idx3-ubyte'] = f['train-images-idx3-ubyte'].subarray(0, 1000); }, /train-images-idx3-ubyte: truncated: the header promises 3920 bytes/],
    ['trailing bytes', (f) => { f['train-labels-idx1-ubyte'] = Buffer.concat([f['train-labels-idx1-ubyte'], Buffer.from([1])]); }, /train-labels-idx1-ubyte: 1 bytes of trailing data/],
    ['label out of range', (f) => { f['train-labels-idx1-ubyte'][8 + 2] = 10; }, /train-labels-idx1-ubyte: label 10 of sample 2 is out of range \(10 classes\)/],
    ['counts disagree', (f) => { f['train-labels-idx1-ubyte'] = idx([4], bytes(4, () => 1)); }, /train-labels-idx1-ubyte: 4 labels, but .*train-images-idx3-ubyte holds 5 images/],
  ];
  for (const [what, patch, re] of cases) {
    assert.throws(() => new MNIST({ root: mnistDir(5, false, patch) }), (e: Error) => { assert.match(e.message, re, what); return true; });
  }
  const dir = mnistDir(5, true);
  const gz = join(dir, 'train-images-idx3-ubyte.gz');
  const z = gzipSync(idx([5, 28, 28], bytes(5 * 784, (i) => i % 251)));
  writeFileSync(gz, z.subarray(0, z.length >> 1));
  assert.throws(() => new MNIST({ root: dir }), /train-images-idx3-ubyte.gz: corrupt or truncated gzip data/);
  assert.throws(() => new MNIST({ root: join(tmp, 'nowhere') }), /MNIST: dataset file not found: tried .*nowhere\/train-images-idx3-ubyte/);
  assert.throws(() => new MNIST({} as { root: string }), /MNIST: options.root: expected the folder/);
  assert.throws(() => new MNIST({ root: dir, trian: false } as { root: string }), /MNIST: options: unknown option 'trian'/);
});

/** CIFAR records: label byte(s) then 3072 pixel bytes. */
function cifarRecords(n: number, labels: (i: number) => number[], seed: number): Buffer {
  const rec = labels(0).length + 3072;
  const b = Buffer.alloc(n * rec);
  for (let i = 0; i < n; i++) {
    b.set(labels(i), i * rec);
    for (let j = 0; j < 3072; j++) b[i * rec + labels(0).length + j] = (i * 31 + j * 7 + seed) % 256;
  }
  return b;
}

const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function cifar10Root(patch?: (files: Record<string, Buffer>) => void): string {
  const root = mkdtempSync(join(tmp, 'cifar10-'));
  const dir = join(root, 'cifar-10-batches-bin');
  mkdirSync(dir);
  const files: Record<string, Buffer> = { 'batches.meta.txt': Buffer.from(`${CIFAR10_NAMES.join('\n')}\n\n`) };
  for (let k = 1; k <= 5; k++) files[`data_batch_${k}.bin`] = cifarRecords(3, (i) => [(i + k) % 10], k);
  files['test_batch.bin'] = cifarRecords(4, (i) => [9 - i], 0);
  patch?.(files);
  for (const [name, b] of Object.entries(files)) writeFileSync(join(dir, name), b);
  return root;
}

test('CIFAR10: generated binary batches', () => {
  const train = new CIFAR10({ root: cifar10Root() });
  assert.equal(train.length, 15);
  assert.deepEqual(train.data.shape, [15, 3, 32, 32]);
  assert.equal(train.data.dtype, 'uint8');
  assert.deepEqual(train.targets.tolist(), [1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5, 6, 5, 6, 7]);
  assert.deepEqual(train.classes, CIFAR10_NAMES);
  torch.tidy(() => {
    const [x, y] = train.get(4); // batch 2, record 1
    assert.equal(y, 3);
    assert.deepEqual(x.shape, [3, 32, 32]);
    // channel-major planes: byte j of the record is channel j/1024, row (j%1024)/32, column j%32
    assert.equal(x.index(1, 2, 3).item(), (31 + (1024 + 2 * 32 + 3) * 7 + 2) % 256);
  });
  const testSet = new CIFAR10({ root: train.root, train: false });
  assert.deepEqual(testSet.targets.tolist(), [9, 8, 7, 6]);
  train.dispose();
  testSet.dispose();
});

test('CIFAR10: damaged files are errors naming the file and the problem', () => {
  const cases: [string, (f: Record<string, Buffer>) => void, RegExp][] = [
    ['truncated', (f) => { f['data_batch_3.bin'] = f['data_batch_3.bin'].subarray(0, 3073 * 2 + 100); }, /data_batch_3.bin: truncated or not a CIFAR binary file \(6246 bytes is not a whole number of 3073-byte records\)/],
    ['empty', (f) => { f['data_batch_1.bin'] = Buffer.alloc(0); }, /data_batch_1.bin: empty file/],
    ['label out of range', (f) => { f['data_batch_2.bin'][3073] = 10; }, /data_batch_2.bin: label 10 of sample 1 is out of range \(10 classes\)/],
    ['batches disagree', (f) => { f['data_batch_4.bin'] = f['data_batch_4.bin'].subarray(0, 3073 * 2); }, /data_batch_4.bin: 2 records, but .*data_batch_1.bin has 3/],
    ['class names', (f) => { f['batches.meta.txt'] = Buffer.from('cat\ndog\n'); }, /batches.meta.txt: 2 class names, expected 10/],
  ];
  for (const [what, patch, re] of cases) assert.throws(() => new CIFAR10({ root: cifar10Root(patch) }), re, what);
  const root = cifar10Root();
  rmSync(join(root, 'cifar-10-batches-bin', 'data_batch_5.bin'));
  assert.throws(() => new CIFAR10({ root }), /CIFAR10: .*cifar-10-batches-bin\/data_batch_5.bin not found \(pass download: true/);
});

test('CIFAR100: fine and coarse labels', () => {
  const root = mkdtempSync(join(tmp, 'cifar100-'));
  const dir = join(root, 'cifar-100-binary');
  mkdirSync(dir);
  const fine = Array.from({ length: 100 }, (_, i) => `fine${i}`);
  const coarse = Array.from({ length: 20 }, (_, i) => `coarse${i}`);
  writeFileSync(join(dir, 'fine_label_names.txt'), fine.join('\n'));
  writeFileSync(join(dir, 'coarse_label_names.txt'), coarse.join('\n'));
  writeFileSync(join(dir, 'train.bin'), cifarRecords(6, (i) => [i * 3, 99 - i * 17], 1));
  writeFileSync(join(dir, 'test.bin'), cifarRecords(2, (i) => [19 - i, i], 2));
  const ds = new CIFAR100({ root });
  assert.equal(ds.length, 6);
  assert.deepEqual(ds.data.shape, [6, 3, 32, 32]);
  assert.deepEqual(ds.targets.tolist(), [99, 82, 65, 48, 31, 14]);
  assert.deepEqual(ds.coarseTargets.tolist(), [0, 3, 6, 9, 12, 15]);
  assert.equal(ds.classes[99], 'fine99');
  assert.equal(ds.coarseClasses[15], 'coarse15');
  assert.equal(ds.get(1)[1], 82);
  assert.equal(torch.tidy(() => ds.get(0)[0].index(0, 0, 1).item()), 7 + 1); // record 0, byte 1, seed 1
  const t = new CIFAR100({ root, train: false });
  assert.deepEqual(t.targets.tolist(), [0, 1]);
  assert.deepEqual(t.coarseTargets.tolist(), [19, 18]);
  ds.dispose();
  t.dispose();
  writeFileSync(join(dir, 'test.bin'), cifarRecords(2, (i) => [20 + i, i], 2));
  assert.throws(() => new CIFAR100({ root, train: false }), /test.bin: coarse_label 20 of sample 0 is out of range \(20 classes\)/);
  writeFileSync(join(dir, 'test.bin'), cifarRecords(2, (i) => [0, 100 * i], 2));
  assert.throws(() => new CIFAR100({ root, train: false }), /test.bin: fine_label 100 of sample 1 is out of range \(100 classes\)/);
});
