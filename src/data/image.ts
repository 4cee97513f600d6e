// torchvision.utils.make_grid / save_image.
//
// Deviations from torchvision:
// - makeGrid lays the images out with pad + reshape + permute (one batch of tensor ops) instead of
//   torchvision's per-image narrow().copy_() loop; the result is the same tensor.
// - saveImage writes PNG only (with pngjs; torchvision lets PIL pick the format from the file name),
//   atomically (a temporary file renamed into place). Grids of 3 channels are written as RGB, 4 as RGBA.
// - valueRange is a [low, high] array (Python's value_range tuple).
import { renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { PNG } from 'pngjs';
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkOptions, describe } from '../tensor/args.js';
import { isTensor } from '../tensor/handles.js';
import { displayBundle } from '../tensor/jupyter.js';

export interface MakeGridOptions {
  nrow?: number;
  padding?: number;
  normalize?: boolean;
  valueRange?: [number, number] | null;
  scaleEach?: boolean;
  padValue?: number;
}
const GRID_KEYS = ['nrow', 'padding', 'normalize', 'valueRange', 'scaleEach', 'padValue'];

/** torchvision's norm_ip: clamp to [low, high], then (x - low) / max(high - low, 1e-5). */
function normRange(t: Tensor, range: [number, number] | null): Tensor {
  const [low, high] = range ?? [Number(t.min().item()), Number(t.max().item())];
  return t.clamp(low, high).sub(low).div(Math.max(high - low, 1e-5));
}

/**
 * Lays a batch of images out in a grid (torchvision.utils.make_grid): an N×C×H×W tensor (or an
 * array of C×H×W tensors) becomes C×((H + padding)·rows + padding)×((W + padding)·cols + padding),
 * cols = min(nrow, N), rows = ceil(N / cols). Single-channel images are repeated to 3 channels;
 * a single image comes back without padding (as torchvision does).
 * @example const grid = makeGrid(images.narrow(0, 0, 10), { nrow: 5, padding: 10 }); // 3×86×200 for 28×28
 */
export function makeGrid(images: Tensor | Tensor[], options?: MakeGridOptions): Tensor {
  const o = checkOptions(options, 'options', GRID_KEYS);
  const nrow = o.nrow ?? 8;
  const padding = o.padding ?? 2;
  if (!Number.isInteger(nrow) || nrow < 1) throw new RangeError(`nrow: expected a positive integer, got ${describe(o.nrow)}`);
  if (!Number.isInteger(padding) || padding < 0) throw new RangeError(`padding: expected a non-negative integer, got ${describe(o.padding)}`);
  const normalize = o.normalize ?? false;
  const scaleEach = o.scaleEach ?? false;
  const padValue = o.padValue ?? 0;
  const range = o.valueRange ?? null;
  if (range !== null && !(Array.isArray(range) && range.length === 2 && range.every((v) => typeof v === 'number'))) {
    throw new TypeError(`valueRange: expected [low, high], got ${describe(range)}`);
  }
  if (typeof padValue !== 'number') throw new TypeError(`padValue: expected a number, got ${describe(padValue)}`);
  return torch.tidy(() => {
    let t: Tensor;
    if (Array.isArray(images)) t = torch.stack(images, 0);
    else if (isTensor(images)) t = images;
    else throw new TypeError(`images: expected a Tensor or an array of Tensors, got ${describe(images)}`);
    if (t.dim() === 2) t = t.unsqueeze(0);
    if (t.dim() === 3) {
      if (t.size(0) === 1) t = torch.cat([t, t, t], 0);
      t = t.unsqueeze(0);
    }
    if (t.dim() !== 4) throw new RangeError(`images: expected 2, 3 or 4 dimensions, got shape [${t.shape.join(', ')}]`);
    if (t.size(1) === 1) t = torch.cat([t, t, t], 1);
    if (normalize) {
      t = scaleEach ? torch.stack(t.unbind(0).map((img) => normRange(img, range)), 0) : normRange(t, range);
    }
    if (t.size(0) === 1) return t.squeeze(0).clone();
    const [n, c, h, w] = t.shape;
    const xmaps = Math.min(nrow, n);
    const ymaps = Math.ceil(n / xmaps);
    // Each cell = the image with `padding` rows/cols of padValue above and to its left; empty cells
    // are all padValue; the grid gets one more `padding` at the right and the bottom.
    let cells = torch.pad(t, [padding, 0, padding, 0], { mode: 'constant', value: padValue });
    if (ymaps * xmaps > n) {
      const blank = torch.full([ymaps * xmaps - n, c, h + padding, w + padding], padValue, { dtype: t.dtype, device: t.device });
      cells = torch.cat([cells, blank], 0);
    }
    const grid = cells.view(ymaps, xmaps, c, h + padding, w + padding).permute(2, 0, 3, 1, 4)
      .reshape(c, ymaps * (h + padding), xmaps * (w + padding));
    return torch.pad(grid, [0, padding, 0, padding], { mode: 'constant', value: padValue });
  });
}

export interface SaveImageOptions extends MakeGridOptions {}

/**
 * The PNG file's bytes of saveImage, in memory (tfjs's tf.node.encodePng, on makeGrid's grid).
 * @example const png = encodePng(makeGrid(batch, { nrow: 5 }));
 */
export function encodePng(images: Tensor | Tensor[], options?: SaveImageOptions): Buffer {
  checkOptions(options, 'options', GRID_KEYS);
  const [bytes, c, h, w] = torch.tidy(() => {
    const grid = makeGrid(images, options);
    const [gc, gh, gw] = grid.dim() === 2 ? [1, ...grid.shape] : grid.shape;
    const hwc = grid.view(gc, gh, gw).mul(255).add(0.5).clamp(0, 255).permute(1, 2, 0).to('cpu').to('uint8').contiguous();
    return [hwc.data() as Uint8Array, gc, gh, gw] as const;
  });
  if (c !== 1 && c !== 3 && c !== 4) throw new RangeError(`saveImage: cannot write ${c} channels as an image (expected 1, 3 or 4)`);
  const png = new PNG({ width: w, height: h, colorType: c === 4 ? 6 : c === 3 ? 2 : 0 });
  for (let p = 0; p < h * w; p++) {
    const o = p * 4;
    if (c === 1) {
      png.data[o] = png.data[o + 1] = png.data[o + 2] = bytes[p];
      png.data[o + 3] = 255;
    } else {
      png.data[o] = bytes[p * c];
      png.data[o + 1] = bytes[p * c + 1];
      png.data[o + 2] = bytes[p * c + 2];
      png.data[o + 3] = c === 4 ? bytes[p * c + 3] : 255;
    }
  }
  return PNG.sync.write(png, { colorType: c === 4 ? 6 : c === 3 ? 2 : 0 });
}

/**
 * Saves a tensor (a batch, a list or a single image; floats in [0, 1]) as a PNG, through makeGrid
 * (torchvision.utils.save_image): pixels are x·255 + 0.5 clamped to [0, 255], truncated to uint8.
 * @example saveImage(batch.narrow(0, 0, 10), 'samples.png', { nrow: 5, padding: 10 });
 */
export function saveImage(images: Tensor | Tensor[], path: string, options?: SaveImageOptions): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`path: expected a file path, got ${describe(path)}`);
  const buf = encodePng(images, options);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(tmp, buf);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch { /* nothing to remove */ }
    throw e;
  }
}

/**
 * Shows an image (or a batch, as makeGrid's grid) as a PNG under the running notebook cell (tslab or
 * Deno's kernel), as matplotlib's plt.imshow does in the notebook. PyTorch has no such function: the
 * name is matplotlib's. Returns false outside a notebook, where nothing can be shown (saveImage writes
 * a file instead).
 * @example imshow(makeGrid(images, { nrow: 5, padding: 10 }));
 */
export function imshow(images: Tensor | Tensor[], options?: SaveImageOptions): boolean {
  const png = encodePng(images, options);
  const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  return displayBundle({ 'image/png': png, 'text/plain': `<image ${w}x${h}>` });
}
