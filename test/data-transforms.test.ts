// Batch transforms (src/data/transforms.ts) against torchvision's definitions (torchvision 0.15,
// torchvision/transforms/transforms.py and functional_tensor.py), on fixed inputs. torchvision is
// not installed here: the expected values are computed in JS from those definitions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { Compose, Normalize, RandomCrop, RandomErasing, RandomHorizontalFlip, ToTensor } from '../src/data/transforms.js';

torch.setNumThreads(1);
const nums = (t: Tensor): number[] => Array.from(t.data() as ArrayLike<number>, Number);

/** A uint8 batch whose pixel (n, c, i, j) is (n·53 + c·31 + i·7 + j·3) mod 256: every position distinct enough. */
function batch(n: number, c: number, h: number, w: number): Tensor {
  const v = new Uint8Array(n * c * h * w);
  let p = 0;
  for (let a = 0; a < n; a++) for (let b = 0; b < c; b++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) v[p++] = (a * 53 + b * 31 + i * 7 + j * 3) % 256;
  return torch.tensor(Array.from(v), { dtype: 'uint8' }).view(n, c, h, w);
}
const px = (n: number, c: number, i: number, j: number): number => (n * 53 + c * 31 + i * 7 + j * 3) % 256;

test('ToTensor: uint8 → float32 x / 255, exactly (torchvision: img.to(float32).div(255))', () => {
  const x = torch.arange(256, { dtype: 'uint8' }).view(1, 1, 16, 16);
  const y = new ToTensor().apply(x);
  assert.equal(y.dtype, 'float32');
  assert.deepEqual([...y.shape], [1, 1, 16, 16]);
  // float32(v) / float32(255), correctly rounded: the same as Math.fround(v / 255) for these values
  assert.deepEqual(nums(y), Array.from({ length: 256 }, (_, v) => Math.fround(v / 255)));
  assert.deepEqual([...new ToTensor().apply(torch.zeros([2, 5, 5], { dtype: 'uint8' })).shape], [2, 1, 5, 5]);
  assert.equal(String(new ToTensor()), 'ToTensor()');
});

test('Normalize: (x - mean[c]) / std[c] in float32, exactly (torchvision: tensor.sub_(mean).div_(std))', () => {
  const x = new ToTensor().apply(batch(2, 3, 4, 5));
  const mean = [0.4914, 0.4822, 0.4465];
  const std = [0.247, 0.243, 0.261];
  const y = new Normalize(mean, std).apply(x);
  const xs = nums(x);
  const f = Math.fround;
  const exp = xs.map((v, k) => {
    const c = Math.floor(k / 20) % 3;
    return f(f(v - f(mean[c])) / f(std[c]));
  });
  assert.deepEqual(nums(y), exp);
  assert.equal(String(new Normalize([0.5], [0.25])), 'Normalize(mean=[0.5], std=[0.25])');
  assert.throws(() => new Normalize([0], [0]), RangeError);
  assert.throws(() => new Normalize([0], [1]).apply(batch(1, 1, 2, 2)), TypeError); // needs a float tensor
});

test('RandomHorizontalFlip: sample n flipped where rand[n] < p, pixel for pixel', () => {
  const x = batch(16, 2, 3, 5);
  torch.manualSeed(7);
  const y = new RandomHorizontalFlip(0.5).apply(x);
  torch.manualSeed(7);
  const r = nums(torch.rand([16])); // the transform's one draw
  const out = nums(y);
  let p = 0;
  let flipped = 0;
  for (let n = 0; n < 16; n++) {
    if (r[n] < 0.5) flipped++;
    for (let c = 0; c < 2; c++) for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) {
      assert.equal(out[p++], px(n, c, i, r[n] < 0.5 ? 4 - j : j), `n=${n} c=${c} i=${i} j=${j}`);
    }
  }
  assert.ok(flipped > 0 && flipped < 16, 'some flipped, some not');
  assert.ok(new RandomHorizontalFlip(0).apply(x).equal(x));
  assert.ok(new RandomHorizontalFlip(1).apply(x).equal(x.flip(-1)));
  assert.equal(String(new RandomHorizontalFlip()), 'RandomHorizontalFlip(p=0.5)');
});

test('RandomCrop with padding and fill: each sample cut at its own offsets, pixel for pixel', () => {
  const [N, C, H, W, P, S] = [12, 3, 6, 7, 2, 5];
  const x = batch(N, C, H, W);
  torch.manualSeed(3);
  const y = new RandomCrop(S, { padding: P, fill: 9 }).apply(x);
  assert.deepEqual([...y.shape], [N, C, S, S]);
  torch.manualSeed(3);
  // torchvision get_params per sample: i = randint(0, h - th + 1), j = randint(0, w - tw + 1) on the padded image
  const tops = nums(torch.randint(0, H + 2 * P - S + 1, [N]));
  const lefts = nums(torch.randint(0, W + 2 * P - S + 1, [N]));
  assert.ok(new Set(tops).size > 1 && new Set(lefts).size > 1, 'offsets differ between samples');
  const out = nums(y);
  let p = 0;
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) {
    const [si, sj] = [tops[n] + i - P, lefts[n] + j - P]; // position in the unpadded image
    const e = si >= 0 && si < H && sj >= 0 && sj < W ? px(n, c, si, sj) : 9; // F.pad(img, padding, fill)
    assert.equal(out[p++], e, `n=${n} c=${c} i=${i} j=${j}`);
  }
  assert.equal(String(new RandomCrop(32, { padding: 4 })), 'RandomCrop(size=(32, 32), padding=4)');
});

test('RandomCrop: [left/right, top/bottom] padding, edge mode, padIfNeeded, no draw at full size', () => {
  const x = batch(4, 1, 3, 3);
  torch.manualSeed(1);
  const y = new RandomCrop([5, 3], { padding: [0, 1], paddingMode: 'edge' }).apply(x); // 5×3 after padding: no draw
  assert.deepEqual(nums(torch.rand([1])), (torch.manualSeed(1), nums(torch.rand([1]))), 'no random numbers drawn');
  const e = x.index(':', ':', [0, 0, 1, 2, 2], ':'); // replicate the first and last rows
  assert.ok(y.equal(e));
  const z = new RandomCrop([3, 5], { padIfNeeded: true }).apply(x); // width 3 < 5: pad 2 left and right (torchvision pads both)
  assert.deepEqual([...z.shape], [4, 1, 3, 5]);
  assert.throws(() => new RandomCrop(4).apply(x), /larger than input image size/);
  assert.throws(() => new RandomCrop(3, { paddingMode: 'symmetric' }), TypeError);
  assert.throws(() => new RandomCrop(3, { pading: 1 } as never), /unknown option 'pading'/);
});

test('RandomErasing: one axis-aligned rectangle of `value` per erased sample, within scale and ratio', () => {
  const [N, H, W] = [64, 16, 16];
  const x = torch.ones([N, 3, H, W]);
  torch.manualSeed(5);
  const y = new RandomErasing({ p: 0.75, value: 0 }).apply(x);
  const out = nums(y);
  let erased = 0;
  for (let n = 0; n < N; n++) {
    const zero: [number, number][] = [];
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
      const vals = [0, 1, 2].map((c) => out[((n * 3 + c) * H + i) * W + j]);
      assert.ok(vals.every((v) => v === vals[0]), 'the same rectangle in every channel');
      if (vals[0] === 0) zero.push([i, j]);
    }
    if (!zero.length) continue;
    erased++;
    const is = zero.map((z) => z[0]);
    const js = zero.map((z) => z[1]);
    const h = Math.max(...is) - Math.min(...is) + 1;
    const w = Math.max(...js) - Math.min(...js) + 1;
    assert.equal(zero.length, h * w, 'a full rectangle');
    assert.ok(h < H && w < W);
    // h = round(sqrt(a·r)), w = round(sqrt(a/r)) with a in [0.02, 0.33]·H·W: the area within rounding
    assert.ok(h * w <= (Math.sqrt(0.33 * H * W * 3.3) + 0.5) * (Math.sqrt(0.33 * H * W / 0.3) + 0.5));
  }
  assert.ok(erased > 30 && erased < 64, `about 3/4 erased, got ${erased}`);
  torch.manualSeed(5);
  assert.ok(new RandomErasing({ p: 0.75, value: 0 }).apply(x).equal(y), 'same seed, same erasing');
  assert.ok(new RandomErasing({ p: 0 }).apply(x).equal(x));
  const v = new RandomErasing({ p: 1, value: [2, 3, 4] }).apply(x);
  assert.ok(v.index(':', 1).ne(1).equal(v.index(':', 1).eq(3)), 'per-channel value');
  assert.equal(String(new RandomErasing()), 'RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False)');
});

test('Compose: the same seed gives the same augmented batch; repr; no leaked tensors', () => {
  const t = new Compose([new ToTensor(), new RandomCrop(8, { padding: 2 }), new RandomHorizontalFlip(), new Normalize([0.5], [0.5]), new RandomErasing()]);
  const x = batch(32, 1, 8, 8);
  const before = torch.memory().numTensors;
  torch.manualSeed(11);
  const a = t.apply(x);
  torch.manualSeed(11);
  const b = t.apply(x);
  const c = t.apply(x);
  assert.equal(torch.memory().numTensors - before, 3, 'only the results live');
  assert.ok(a.equal(b));
  assert.ok(!a.equal(c), 'a different draw differs');
  assert.equal(String(t), 'Compose(\n    ToTensor()\n    RandomCrop(size=(8, 8), padding=2)\n    RandomHorizontalFlip(p=0.5)\n' +
    '    Normalize(mean=[0.5], std=[0.5])\n    RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False)\n)');
  torch.dispose([a, b, c]);
});
