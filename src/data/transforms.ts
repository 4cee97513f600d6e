// torchvision.transforms for whole batches: every transform takes an N×C×H×W tensor and works with
// tensor ops on the batch's device, each sample getting its own random draw (as torchvision does
// when applied sample by sample). Random numbers come from torchlab's global CPU generator
// (torch.rand / torch.randint), so torch.manualSeed(s) makes an augmented batch repeatable.
//
// Deviations from torchvision:
// - Inputs are batches (N×C×H×W; ToTensor also takes N×H×W), not single PIL images / C×H×W tensors.
// - ToTensor does not permute HWC → CHW: torchlab's datasets already hold N×C×H×W uint8 tensors.
// - The random *streams* differ from torchvision's (which draws one sample at a time): the same
//   distributions, but drawn for the whole batch at once. The order of draws is documented per class.
// - RandomCrop's paddingMode 'symmetric' is not supported (libtorch's pad has no such mode).
// - RandomErasing draws its 10 attempts for every sample at once (vectorised), with the same
//   distributions and the same fall-back (no erasing) when no attempt fits.
// - `apply(batch)` stands in for Python's `transform(batch)` (JS objects are not callable).
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkOptions, describe } from '../tensor/args.js';
import { isTensor } from '../tensor/handles.js';
import { pyList, pyTuple } from '../tensor/pyrepr.js';

/** Anything Compose accepts: a transform object or a plain function of the batch. */
export type TransformLike = Transform | ((batch: Tensor) => Tensor);

/**
 * Base class: subclasses implement forward(batch) and toString(); apply() runs forward in a tidy() scope.
 * @example
 * class Invert extends Transform {
 *   forward(x: Tensor): Tensor { return x.rsub(1); }
 *   toString(): string { return 'Invert()'; }
 * }
 */
export abstract class Transform {
  abstract forward(batch: Tensor): Tensor;
  /** Python's `transform(batch)`: forward() with its intermediate tensors freed. */
  apply(batch: Tensor): Tensor {
    return torch.tidy(() => this.forward(batch));
  }
  abstract toString(): string;
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}


function checkBatch(x: unknown, who: string, rank = 4): Tensor {
  if (!isTensor(x)) throw new TypeError(`${who}: expected a Tensor batch (N×C×H×W), got ${describe(x)}`);
  if (x.dim() !== rank) throw new RangeError(`${who}: expected a batch of rank ${rank} (N×C×H×W), got shape [${x.shape.join(', ')}]`);
  return x;
}

function checkProb(p: unknown, name: string): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${name}: expected a probability in [0, 1], got ${describe(p)}`);
  return p;
}

/**
 * Applies transforms in order (torchvision.transforms.Compose).
 * @example
 * const t = new Compose([new ToTensor(), new Normalize([0.5], [0.5])]);
 * const x = t.apply(uint8Batch);
 */
export class Compose extends Transform {
  readonly transforms: TransformLike[];
  constructor(transforms: TransformLike[]) {
    super();
    if (!Array.isArray(transforms)) throw new TypeError(`transforms: expected an array of transforms, got ${describe(transforms)}`);
    transforms.forEach((t, i) => {
      if (!(t instanceof Transform) && typeof t !== 'function') throw new TypeError(`transforms[${i}]: expected a Transform or a function, got ${describe(t)}`);
    });
    this.transforms = [...transforms];
  }
  forward(batch: Tensor): Tensor {
    let x = batch;
    for (const t of this.transforms) x = t instanceof Transform ? t.forward(x) : t(x);
    return x;
  }
  toString(): string {
    return `Compose(${this.transforms.map((t) => `\n    ${t instanceof Transform ? t.toString() : t.name || 'function'}`).join('')}\n)`;
  }
}

/**
 * A function of the batch as a Transform (torchvision.transforms.Lambda). Deviation: fn gets the
 * N×C×H×W batch (one sample as a batch of one in dataset.get(i)), as every Transform here does; as a
 * dataset's transform it keeps the DataLoader's batched path, which a plain function does not.
 * @example new Lambda((x) => x.mul(2).sub(1))
 */
export class Lambda extends Transform {
  readonly lambd: (batch: Tensor) => Tensor;
  constructor(lambd: (batch: Tensor) => Tensor) {
    super();
    if (typeof lambd !== 'function') throw new TypeError(`Lambda: expected a function, got ${describe(lambd)}`);
    this.lambd = lambd;
  }
  forward(batch: Tensor): Tensor {
    return this.lambd(batch);
  }
  toString(): string {
    return 'Lambda()';
  }
}

/**
 * uint8 in [0, 255] → float32 in [0, 1] (x / 255, as torchvision's ToTensor for byte images);
 * other dtypes pass through unchanged. An N×H×W batch gets its channel dim: N×1×H×W.
 * @example new ToTensor().apply(torch.full([2, 1, 28, 28], 255, { dtype: 'uint8' })) // all 1.0
 */
export class ToTensor extends Transform {
  forward(batch: Tensor): Tensor {
    if (!isTensor(batch)) throw new TypeError(`ToTensor: expected a Tensor batch, got ${describe(batch)}`);
    let x = batch;
    if (x.dim() === 3) x = x.unsqueeze(1);
    checkBatch(x, 'ToTensor');
    return x.dtype === 'uint8' ? x.to('float32').div(255) : x;
  }
  toString(): string {
    return 'ToTensor()';
  }
}

/**
 * (x - mean[c]) / std[c] per channel (torchvision.transforms.Normalize); a float batch is required.
 * @example new Normalize([0.1307], [0.3081]).apply(x)
 */
export class Normalize extends Transform {
  readonly mean: number[];
  readonly std: number[];
  constructor(mean: number[], std: number[]) {
    super();
    const nums = (v: unknown, name: string): number[] => {
      const a = typeof v === 'number' ? [v] : v;
      if (!Array.isArray(a) || a.length === 0 || a.some((e) => typeof e !== 'number')) throw new TypeError(`${name}: expected a non-empty array of numbers, got ${describe(v)}`);
      return [...a];
    };
    this.mean = nums(mean, 'mean');
    this.std = nums(std, 'std');
    if (this.std.some((s) => s === 0)) {
      throw new RangeError(`std evaluated to zero after conversion to float32, leading to division by zero (std=${pyList(this.std)})`);
    }
  }
  forward(batch: Tensor): Tensor {
    const x = checkBatch(batch, 'Normalize');
    if (x.dtype !== 'float32' && x.dtype !== 'float64' && x.dtype !== 'float16' && x.dtype !== 'bfloat16') {
      throw new TypeError(`Normalize: input tensor should be a float tensor (use ToTensor first), got ${x.dtype}`);
    }
    const opts = { dtype: x.dtype, device: x.device };
    const m = torch.tensor(this.mean, opts).view(1, -1, 1, 1);
    const s = torch.tensor(this.std, opts).view(1, -1, 1, 1);
    return x.sub(m).div(s); // torchvision: tensor.sub_(mean).div_(std)
  }
  toString(): string {
    return `Normalize(mean=${pyList(this.mean)}, std=${pyList(this.std)})`;
  }
}

/**
 * Flips each sample left-right with probability p (torchvision.transforms.RandomHorizontalFlip).
 * Draws: torch.rand([N]) once per batch; sample n is flipped where rand[n] < p.
 * @example new RandomHorizontalFlip().apply(x)
 */
export class RandomHorizontalFlip extends Transform {
  readonly p: number;
  constructor(p = 0.5) {
    super();
    this.p = checkProb(p, 'p');
  }
  forward(batch: Tensor): Tensor {
    const x = checkBatch(batch, 'RandomHorizontalFlip');
    const mask = torch.rand([x.size(0)]).lt(this.p).to(x.device).view(-1, 1, 1, 1);
    return torch.where(mask, x.flip(-1), x);
  }
  toString(): string {
    return `RandomHorizontalFlip(p=${this.p})`;
  }
}

type PadMode = 'constant' | 'edge' | 'reflect' | 'symmetric';
export interface RandomCropOptions {
  /** An int (all sides), [left/right, top/bottom] or [left, top, right, bottom], as torchvision. */
  padding?: number | number[] | null;
  padIfNeeded?: boolean;
  fill?: number;
  paddingMode?: PadMode;
}

/**
 * Crops each sample at its own random offset (torchvision.transforms.RandomCrop), after optional
 * padding. Draws: torch.randint(0, H - h + 1, [N]) (the tops), then torch.randint(0, W - w + 1, [N])
 * (the lefts), none when the (padded) input already has the crop size. One gather for the batch.
 * @example new RandomCrop(32, { padding: 4 }).apply(cifarBatch)
 */
export class RandomCrop extends Transform {
  readonly size: [number, number];
  readonly padding: number | number[] | null;
  readonly padIfNeeded: boolean;
  readonly fill: number;
  readonly paddingMode: PadMode;
  constructor(size: number | [number, number], options?: RandomCropOptions) {
    super();
    const o = checkOptions(options, 'options', ['padding', 'padIfNeeded', 'fill', 'paddingMode']);
    const sz = typeof size === 'number' ? [size, size] : size;
    if (!Array.isArray(sz) || !(sz.length === 2 || sz.length === 1) || sz.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new TypeError(`size: expected a positive int or [h, w], got ${describe(size)}`);
    }
    this.size = sz.length === 1 ? [sz[0], sz[0]] : [sz[0], sz[1]];
    const p = o.padding ?? null;
    if (p !== null && !(Number.isInteger(p) && (p as number) >= 0) &&
      !(Array.isArray(p) && [1, 2, 4].includes(p.length) && p.every((v) => Number.isInteger(v) && v >= 0))) {
      throw new TypeError(`padding: expected a non-negative int or an array of 1, 2 or 4 of them, got ${describe(p)}`);
    }
    this.padding = p;
    this.padIfNeeded = o.padIfNeeded ?? false;
    if (typeof this.padIfNeeded !== 'boolean') throw new TypeError(`padIfNeeded: expected a boolean, got ${describe(this.padIfNeeded)}`);
    this.fill = o.fill ?? 0;
    if (typeof this.fill !== 'number') throw new TypeError(`fill: expected a number, got ${describe(this.fill)}`);
    this.paddingMode = o.paddingMode ?? 'constant';
    if (!['constant', 'edge', 'reflect'].includes(this.paddingMode)) {
      throw new TypeError(`paddingMode: expected 'constant', 'edge' or 'reflect' ('symmetric' is not supported), got ${describe(this.paddingMode)}`);
    }
  }

  /** torch.pad (aten::pad, what F.pad calls) with torchvision's padding spelling ([l, t, r, b] etc.) and mode names. */
  #pad(x: Tensor, left: number, top: number, right: number, bottom: number): Tensor {
    const mode = this.paddingMode === 'edge' ? 'replicate' : this.paddingMode === 'reflect' ? 'reflect' : 'constant';
    const pads = [left, right, top, bottom];
    if (mode === 'constant') return torch.pad(x, pads, { mode, value: this.fill });
    if (torch.isFloatingPoint(x.dtype)) return torch.pad(x, pads, { mode });
    // libtorch's CPU replicate / reflect pads have no integer kernels: pad in float64 (exact), convert back
    return torch.pad(x.to('float64'), pads, { mode }).to(x.dtype);
  }

  forward(batch: Tensor): Tensor {
    let x = checkBatch(batch, 'RandomCrop');
    const p = this.padding;
    if (p !== null) {
      const a = typeof p === 'number' ? [p] : p;
      const [l, t, r, b] = a.length === 1 ? [a[0], a[0], a[0], a[0]] : a.length === 2 ? [a[0], a[1], a[0], a[1]] : a;
      x = this.#pad(x, l, t, r, b);
    }
    const [th, tw] = this.size;
    if (this.padIfNeeded && x.size(3) < tw) x = this.#pad(x, tw - x.size(3), 0, tw - x.size(3), 0);
    if (this.padIfNeeded && x.size(2) < th) x = this.#pad(x, 0, th - x.size(2), 0, th - x.size(2));
    const [n, c, h, w] = x.shape;
    if (h < th || w < tw) throw new RangeError(`RandomCrop: required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`);
    if (h === th && w === tw) return x === batch ? x.clone() : x;
    const dev = { device: x.device };
    const top = torch.randint(0, h - th + 1, [n]).to(x.device);
    const left = torch.randint(0, w - tw + 1, [n]).to(x.device);
    // out[n, c, i, j] = x[n, c, top[n] + i, left[n] + j], as one gather over the flattened image
    // with a per-sample linear index shared by the channels (4x faster than 4-tensor indexing).
    const lin = top.view(n, 1, 1).add(torch.arange(th, { dtype: 'int64', ...dev }).view(1, th, 1)).mul(w)
      .add(left.view(n, 1, 1)).add(torch.arange(tw, { dtype: 'int64', ...dev }).view(1, 1, tw))
      .view(n, 1, th * tw).expand(n, c, th * tw);
    return x.contiguous().view(n, c, h * w).gather(2, lin).view(n, c, th, tw);
  }
  toString(): string {
    const p = this.padding;
    const ps = p === null ? 'None' : typeof p === 'number' ? String(p) : pyList(p);
    return `RandomCrop(size=${pyTuple(this.size)}, padding=${ps})`;
  }
}

export interface RandomErasingOptions {
  p?: number;
  scale?: [number, number];
  ratio?: [number, number];
  /** A number, one per channel, or 'random' (standard normal noise), as torchvision. */
  value?: number | number[] | 'random';
}

/**
 * Erases a random rectangle in each sample with probability p (torchvision.transforms.RandomErasing,
 * on float batches, e.g. after ToTensor/Normalize). Draws: rand([N]) (apply?), rand([N, 10]) (area
 * scale), rand([N, 10]) (log aspect ratio), rand([N]) (top), rand([N]) (left), then randn for 'random'.
 * The first of 10 attempts with h < H and w < W is used; none fits → the sample is left unchanged.
 * @example new RandomErasing({ p: 0.5, value: 0 }).apply(x)
 */
export class RandomErasing extends Transform {
  readonly p: number;
  readonly scale: [number, number];
  readonly ratio: [number, number];
  readonly value: number | number[] | 'random';
  constructor(options?: RandomErasingOptions) {
    super();
    const o = checkOptions(options, 'options', ['p', 'scale', 'ratio', 'value']);
    this.p = checkProb(o.p ?? 0.5, 'p');
    const range = (v: unknown, name: string): [number, number] => {
      if (!Array.isArray(v) || v.length !== 2 || v.some((e) => typeof e !== 'number')) throw new TypeError(`${name}: expected [min, max], got ${describe(v)}`);
      if (v[0] > v[1]) throw new RangeError(`${name}: should be of kind (min, max), got [${v.join(', ')}]`);
      return [v[0], v[1]];
    };
    this.scale = range(o.scale ?? [0.02, 0.33], 'scale');
    if (this.scale[0] < 0 || this.scale[1] > 1) throw new RangeError('scale: range of proportion should be between 0 and 1');
    this.ratio = range(o.ratio ?? [0.3, 3.3], 'ratio');
    const v = o.value ?? 0;
    if (!(typeof v === 'number' || v === 'random' || (Array.isArray(v) && v.every((e) => typeof e === 'number')))) {
      throw new TypeError(`value: expected a number, an array of numbers or 'random', got ${describe(v)}`);
    }
    this.value = v;
  }
  forward(batch: Tensor): Tensor {
    const x = checkBatch(batch, 'RandomErasing');
    const [n, c, h, w] = x.shape;
    const area = h * w;
    const T = 10;
    const apply = torch.rand([n]).lt(this.p);
    const eraseArea = torch.rand([n, T], { dtype: 'float64' }).mul(this.scale[1] - this.scale[0]).add(this.scale[0]).mul(area);
    const [lr0, lr1] = [Math.log(this.ratio[0]), Math.log(this.ratio[1])];
    const aspect = torch.rand([n, T], { dtype: 'float64' }).mul(lr1 - lr0).add(lr0).exp();
    const eh = eraseArea.mul(aspect).sqrt().round(); // int(round(sqrt(area * aspect))): half to even
    const ew = eraseArea.div(aspect).sqrt().round();
    const valid = eh.lt(h).logicalAnd(ew.lt(w));
    const first = valid.to('int32').argmax(1, true); // the first attempt that fits
    const hh = eh.gather(1, first).squeeze(1);
    const ww = ew.gather(1, first).squeeze(1);
    const top = torch.rand([n], { dtype: 'float64' }).mul(hh.neg().add(h + 1)).floor(); // randint(0, H - h + 1)
    const left = torch.rand([n], { dtype: 'float64' }).mul(ww.neg().add(w + 1)).floor();
    const on = apply.logicalAnd(valid.any(1)).to(x.device).view(n, 1, 1);
    const dev = { device: x.device };
    const [t, l, hd, wd] = [top, left, hh, ww].map((v) => v.to(x.device).view(n, 1, 1));
    const rows = torch.arange(h, { dtype: 'float64', ...dev }).view(1, h, 1);
    const cols = torch.arange(w, { dtype: 'float64', ...dev }).view(1, 1, w);
    const mask = rows.ge(t).logicalAnd(rows.lt(t.add(hd))).logicalAnd(cols.ge(l)).logicalAnd(cols.lt(l.add(wd)))
      .logicalAnd(on).unsqueeze(1); // N×1×H×W
    const v = this.value;
    if (v === 'random') return torch.where(mask, torch.randn([n, c, h, w], { dtype: x.dtype }).to(x.device), x);
    const fill = torch.tensor(typeof v === 'number' ? [v] : v, { dtype: x.dtype, ...dev }).view(1, -1, 1, 1);
    return torch.where(mask, fill.expand(n, c, h, w), x);
  }
  toString(): string {
    const v = this.value;
    const vs = v === 'random' ? "'random'" : typeof v === 'number' ? String(v) : pyList(v);
    return `RandomErasing(p=${this.p}, scale=${pyTuple(this.scale)}, ratio=${pyTuple(this.ratio)}, value=${vs}, inplace=False)`;
  }
}
