// The speedrun recipe (src/lab/speedrun): a short run on 2,000 Fashion-MNIST images (about 10 s)
// checks the summary files, the plot files, the accuracy and determinism; the pure parts (eigen
// decomposition, schedule, statistics) are checked against known values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { DEFAULT_HYPER, triangle } from '../src/lab/speedrun/recipe.js';
import { symmetricEigen } from '../src/lab/speedrun/net.js';
import { speedrun, speedrunLoader, stats } from '../src/lab/speedrun/summary.js';

const FMNIST = '/usr/share/datasets/fashion-mnist';

test('symmetricEigen: eigenvalues ascending, A v = λ v, orthonormal vectors', () => {
  const a = Float64Array.from([4, 1, 2, 0.5, 1, 3, 0, 1, 2, 0, 5, 1, 0.5, 1, 1, 2]);
  const { values, vectors } = symmetricEigen(a, 4);
  for (let i = 1; i < 4; i++) assert.ok(values[i] >= values[i - 1]);
  assert.ok(Math.abs(values.reduce((s, v) => s + v, 0) - 14) < 1e-9); // trace
  for (let r = 0; r < 4; r++) {
    for (let i = 0; i < 4; i++) {
      let av = 0;
      for (let k = 0; k < 4; k++) av += a[i * 4 + k] * vectors[r * 4 + k];
      assert.ok(Math.abs(av - values[r] * vectors[r * 4 + i]) < 1e-9, `row ${r}, component ${i}`);
    }
    let dot = 0;
    for (let k = 0; k < 4; k++) dot += vectors[r * 4 + k] * vectors[((r + 1) % 4) * 4 + k];
    assert.ok(Math.abs(dot) < 1e-9);
  }
});

test('triangle schedule and stats', () => {
  assert.equal(triangle(0, 100), 0.2);
  assert.ok(Math.abs(triangle(23, 100) - 1) < 1e-12);
  assert.ok(Math.abs(triangle(100, 100) - 0.07) < 1e-12);
  const s = stats([90, 92, 94]);
  assert.equal(s.mean, 92);
  assert.equal(s.std, 2);
  assert.deepEqual([s.min, s.max], [90, 94]);
});

test('speedrun cifar10 without the data names where it looked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'speedrun-nocifar-'));
  try {
    assert.throws(() => speedrunLoader('cifar10', { dataDir: dir }), (e: Error) => e.message.includes(join(dir, 'cifar-10-batches-bin')) && e.message.includes('cifar-10-binary.tar.gz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('speedrun on 2,000 images: summary, plots, accuracy well above chance, same result for the same seed', { skip: !existsSync(FMNIST) && 'no Fashion-MNIST' }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'speedrun-'));
  try {
    const hyper = { ...DEFAULT_HYPER, epochs: 2, batchSize: 128 };
    const o = { dataset: 'fashion-mnist' as const, seeds: [3, 3], hyper, out, limit: 2000, testLimit: 1000, command: 'test' };
    const s = await speedrun(o);
    const json = JSON.parse(readFileSync(s.files.json, 'utf8'));
    assert.equal(json.dataset, 'fashion-mnist');
    assert.equal(json.seeds.length, 2);
    for (const r of json.seeds) {
      assert.equal(r.seed, 3);
      assert.equal(r.trainSamples, 2000);
      assert.equal(r.testSamples, 1000);
      assert.equal(r.curve.length, 2);
      // channels_last weights once collapsed to chance here (a GELU backward bug, see native/ops_nn.cc)
      assert.ok(r.accuracy > 50, `accuracy ${r.accuracy}% should be well above chance (10%)`);
      assert.ok(r.seconds > r.loadSeconds && r.loadSeconds > 0);
      assert.ok(r.curve[1].seconds > r.curve[0].seconds && r.curve[1].seconds <= r.seconds);
    }
    // deterministic recipe: the same seed gives the same accuracies
    assert.deepEqual(json.seeds[1].curve.map((p: { accuracy: number }) => p.accuracy), json.seeds[0].curve.map((p: { accuracy: number }) => p.accuracy));
    assert.equal(json.accuracy.std, 0);
    assert.ok(Math.abs(json.accuracy.mean - json.seeds[0].accuracy) < 1e-9);
    assert.equal(json.hyper.memoryFormat, 'channels_last');
    const png = PNG.sync.read(readFileSync(s.files.png));
    assert.ok(png.width > 400 && png.height > 200);
    const svg = readFileSync(s.files.svg, 'utf8');
    assert.ok(svg.startsWith('<svg') && svg.includes('Test accuracy') && svg.includes('seed 3'));
    const md = readFileSync(s.files.md, 'utf8');
    assert.match(md, /\| 3 \| \d+\.\d\d \|/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
