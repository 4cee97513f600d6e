// makeGrid / saveImage (src/data/image.ts) against torchvision.utils.make_grid / save_image
// (torchvision 0.15, torchvision/utils.py), whose definitions are ported to plain JS below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { makeGrid, saveImage } from '../src/data/image.js';

torch.setNumThreads(1);
const f = Math.fround;
const nums = (t: Tensor): number[] => Array.from(t.data() as ArrayLike<number>, Number);

/**
 * torchvision's make_grid loop for an N×C×H×W array (C = 1 repeated to 3 first):
 *   grid = new_full((C, height * ymaps + padding, width * xmaps + padding), pad_value)
 *   grid.narrow(1, y * height + padding, height - padding).narrow(2, x * width + padding, width - padding).copy_(tensor[k])
 * with height = H + padding, width = W + padding, xmaps = min(nrow, N), ymaps = ceil(N / xmaps).
 */
function refGrid(v: number[], [N, C0, H, W]: number[], nrow: number, padding: number, padValue = 0): { data: number[]; shape: number[] } {
  const C = C0 === 1 ? 3 : C0;
  const at = (n: number, c: number, i: number, j: number): number => v[((n * C0 + (C0 === 1 ? 0 : c)) * H + i) * W + j];
  const xmaps = Math.min(nrow, N);
  const ymaps = Math.ceil(N / xmaps);
  const [height, width] = [H + padding, W + padding];
  const [GH, GW] = [height * ymaps + padding, width * xmaps + padding];
  const g = new Array(C * GH * GW).fill(padValue);
  let k = 0;
  for (let y = 0; y < ymaps; y++) for (let x = 0; x < xmaps; x++) {
    if (k >= N) break;
    for (let c = 0; c < C; c++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
      g[(c * GH + y * height + padding + i) * GW + x * width + padding + j] = at(k, c, i, j);
    }
    k++;
  }
  return { data: g, shape: [C, GH, GW] };
}

/** save_image's conversion: grid.mul(255).add_(0.5).clamp_(0, 255).to(uint8), in float32. */
const toByte = (x: number): number => Math.trunc(Math.min(255, Math.max(0, f(f(f(x) * 255) + 0.5))));

/** Deterministic pseudo-random floats in [0, 1) (float32). */
function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return f(s / 2147483648);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'torchlab-image-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function checkPng(path: string, grid: { data: number[]; shape: number[] }): void {
  const png = PNG.sync.read(readFileSync(path));
  const [C, GH, GW] = grid.shape;
  assert.equal(png.width, GW);
  assert.equal(png.height, GH);
  for (let i = 0; i < GH; i++) for (let j = 0; j < GW; j++) {
    const o = (i * GW + j) * 4;
    for (let c = 0; c < C; c++) {
      const e = toByte(grid.data[(c * GH + i) * GW + j]);
      if (png.data[o + c] !== e) assert.fail(`pixel (${i}, ${j}) channel ${c}: ${png.data[o + c]}, expected ${e}`);
    }
    assert.equal(png.data[o + 3], 255);
  }
}

test("28×28 single-channel grid (the lab's make_grid: 10 images, nrow 5, padding 10) saved and decoded", () => {
  const shape = [10, 1, 28, 28];
  const v = values(10 * 28 * 28, 1);
  const x = torch.tensor(v).view(shape);
  const grid = makeGrid(x, { nrow: 5, padding: 10 });
  const ref = refGrid(v, shape, 5, 10);
  assert.deepEqual([...grid.shape], [3, 86, 200]); // (10 + 28)·2 + 10, (10 + 28)·5 + 10
  assert.deepEqual(nums(grid), ref.data);
  const path = join(dir, 'mnist.png');
  saveImage(x, path, { nrow: 5, padding: 10 });
  checkPng(path, ref);
  assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temporary file left');
});

test('32×32 RGB grid with an incomplete last row, padValue, saved and decoded', () => {
  const shape = [10, 3, 32, 32];
  const v = values(10 * 3 * 32 * 32, 2).map((e) => f(e * 1.2 - 0.1)); // some outside [0, 1]: clamped
  const x = torch.tensor(v).view(shape);
  const ref = refGrid(v, shape, 4, 2, 0.5); // 4 per row: 3 rows, two empty cells
  const grid = makeGrid(x, { nrow: 4, padValue: 0.5 });
  assert.deepEqual([...grid.shape], [3, 3 * 34 + 2, 4 * 34 + 2]);
  assert.deepEqual(nums(grid), ref.data);
  const path = join(dir, 'cifar.png');
  saveImage(x, path, { nrow: 4, padValue: 0.5 });
  checkPng(path, ref);
  // a list of C×H×W images is stacked first
  assert.ok(makeGrid(x.unbind(0), { nrow: 4, padValue: 0.5 }).equal(grid));
});

test('normalize (min-max, valueRange, scaleEach) and a single image as torchvision', () => {
  const x = torch.tensor([[[[0, 2], [4, 8]]], [[[-1, 1], [3, 5]]]]); // 2×1×2×2
  // norm_ip over the whole batch: (x - min) / (max - min) with min -1, max 8
  const g = makeGrid(x, { normalize: true, padding: 0 });
  const ref = refGrid([0, 2, 4, 8, -1, 1, 3, 5].map((e) => f(f(e + 1) / 9)), [2, 1, 2, 2], 8, 0);
  assert.deepEqual(nums(g), ref.data);
  // scaleEach: per image min/max
  const e = makeGrid(x, { normalize: true, scaleEach: true, padding: 0 });
  const r2 = refGrid([...[0, 2, 4, 8].map((a) => f(a / 8)), ...[-1, 1, 3, 5].map((a) => f(f(a + 1) / 6))], [2, 1, 2, 2], 8, 0);
  assert.deepEqual(nums(e), r2.data);
  // valueRange: clamp to [0, 4] then / 4
  const vr = makeGrid(x, { normalize: true, valueRange: [0, 4], padding: 0 });
  assert.deepEqual(nums(vr), refGrid([0, 2, 4, 8, -1, 1, 3, 5].map((a) => f(Math.min(4, Math.max(0, a)) / 4)), [2, 1, 2, 2], 8, 0).data);
  // one image: no padding, 1 channel repeated to 3 (torchvision returns tensor.squeeze(0))
  const one = makeGrid(x.index(0), { padding: 5 });
  assert.deepEqual([...one.shape], [3, 2, 2]);
  assert.deepEqual(nums(x.index(0)), nums(one.index(1)));
  assert.throws(() => makeGrid(x, { nrows: 2 } as never), /unknown option 'nrows'/);
});
