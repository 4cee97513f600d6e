// Views, joins, splits and indexing (torch.cat, x.view(...), x.index(...) for Python's x[...]).
import { native } from './native.js';
import { handle, handles, isTensor, wrap, wrapList } from './handles.js';
import { checkBool, checkDims, checkInt, checkScalar, describe, shapeFromArgs, type Scalar } from './args.js';
import { tensor } from './creation.js';
import type { Tensor } from './tensor.js';

export type SizeArgs = number[] | [readonly number[]];

export const view = (a: Tensor, ...shape: SizeArgs): Tensor => wrap(native.view(handle(a, 'input'), shapeFromArgs(shape, 'shape', true)));
export const reshape = (a: Tensor, ...shape: SizeArgs): Tensor => wrap(native.reshape(handle(a, 'input'), shapeFromArgs(shape, 'shape', true)));
export const expand = (a: Tensor, ...shape: SizeArgs): Tensor => wrap(native.expand(handle(a, 'input'), shapeFromArgs(shape, 'size', true)));
export const repeat = (a: Tensor, ...sizes: SizeArgs): Tensor => wrap(native.repeat(handle(a, 'input'), shapeFromArgs(sizes, 'repeats')));
export const permute = (a: Tensor, ...dims: SizeArgs): Tensor => {
  const d = dims.length === 1 && Array.isArray(dims[0]) ? dims[0] : dims;
  return wrap(native.permute(handle(a, 'input'), checkDims(d, 'dims')));
};
export const flatten = (a: Tensor, startDim = 0, endDim = -1): Tensor =>
  wrap(native.flatten(handle(a, 'input'), checkInt(startDim, 'startDim'), checkInt(endDim, 'endDim')));
export const unflatten = (a: Tensor, dim: number, sizes: readonly number[]): Tensor =>
  wrap(native.unflatten(handle(a, 'input'), checkInt(dim, 'dim'), checkDims(sizes, 'sizes')));
export const transpose = (a: Tensor, dim0: number, dim1: number): Tensor =>
  wrap(native.transpose(handle(a, 'input'), checkInt(dim0, 'dim0'), checkInt(dim1, 'dim1')));
export const t = (a: Tensor): Tensor => wrap(native.t(handle(a, 'input')));
export const squeeze = (a: Tensor, dim?: number): Tensor =>
  wrap(native.squeeze(handle(a, 'input'), dim === undefined ? null : checkInt(dim, 'dim')));
export const unsqueeze = (a: Tensor, dim: number): Tensor => wrap(native.unsqueeze(handle(a, 'input'), checkInt(dim, 'dim')));
export const flip = (a: Tensor, dims: number | number[]): Tensor => wrap(native.flip(handle(a, 'input'), checkDims(dims, 'dims')));
export const roll = (a: Tensor, shifts: number | number[], dims: number | number[]): Tensor =>
  wrap(native.roll(handle(a, 'input'), checkDims(shifts, 'shifts'), checkDims(dims, 'dims')));

export const cat = (tensors: readonly Tensor[], dim = 0): Tensor => wrap(native.cat(handles(tensors, 'tensors'), checkInt(dim, 'dim')));
export const stack = (tensors: readonly Tensor[], dim = 0): Tensor => wrap(native.stack(handles(tensors, 'tensors'), checkInt(dim, 'dim')));

/** split(splitSize | sections, dim): an int gives equal pieces (the last may be smaller). */
export function split(a: Tensor, splitSizeOrSections: number | number[], dim = 0): Tensor[] {
  const s = typeof splitSizeOrSections === 'number' ? checkInt(splitSizeOrSections, 'splitSize') : checkDims(splitSizeOrSections, 'sections');
  return wrapList(native.split(handle(a, 'input'), s, checkInt(dim, 'dim')));
}
export const chunk = (a: Tensor, chunks: number, dim = 0): Tensor[] =>
  wrapList(native.chunk(handle(a, 'input'), checkInt(chunks, 'chunks'), checkInt(dim, 'dim')));
export const unbind = (a: Tensor, dim = 0): Tensor[] => wrapList(native.unbind(handle(a, 'input'), checkInt(dim, 'dim')));

export const narrow = (a: Tensor, dim: number, start: number, length: number): Tensor =>
  wrap(native.narrow(handle(a, 'input'), checkInt(dim, 'dim'), checkInt(start, 'start'), checkInt(length, 'length')));
export const select = (a: Tensor, dim: number, index: number): Tensor =>
  wrap(native.select(handle(a, 'input'), checkInt(dim, 'dim'), checkInt(index, 'index')));
/** Python's x[start:end:step] along `dim` (no torch.* equivalent; x.index() uses it). */
export function slice(a: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  const s = start === undefined || start === null ? null : checkInt(start, 'start');
  const e = end === undefined || end === null ? null : checkInt(end, 'end');
  return wrap(native.slice(handle(a, 'input'), checkInt(dim, 'dim'), s, e, checkInt(step, 'step')));
}
export const indexSelect = (a: Tensor, dim: number, index: Tensor): Tensor =>
  wrap(native.indexSelect(handle(a, 'input'), checkInt(dim, 'dim'), handle(index, 'index')));
export const gather = (a: Tensor, dim: number, index: Tensor): Tensor =>
  wrap(native.gather(handle(a, 'input'), checkInt(dim, 'dim'), handle(index, 'index')));
export const scatter = (a: Tensor, dim: number, index: Tensor, src: Tensor): Tensor =>
  wrap(native.scatter(handle(a, 'input'), checkInt(dim, 'dim'), handle(index, 'index'), handle(src, 'src')));
export const scatterAdd = (a: Tensor, dim: number, index: Tensor, src: Tensor): Tensor =>
  wrap(native.scatterAdd(handle(a, 'input'), checkInt(dim, 'dim'), handle(index, 'index'), handle(src, 'src')));
/** PyTorch 2 requires a bool mask (libtorch 1.13 would read a float mask's bytes as bools). */
export function checkMask(mask: Tensor): void {
  handle(mask, 'mask');
  if (mask.dtype !== 'bool') throw new TypeError(`mask: expected a bool tensor, got ${mask.dtype} (use x.gt(0) or .bool())`);
}
export function maskedFill(a: Tensor, mask: Tensor, value: Scalar | Tensor): Tensor {
  checkMask(mask);
  if (isTensor(value)) return wrap(native.maskedFillT(handle(a, 'input'), handle(mask, 'mask'), handle(value, 'value')));
  return wrap(native.maskedFillS(handle(a, 'input'), handle(mask, 'mask'), checkScalar(value, 'value')));
}
export const maskedSelect = (a: Tensor, mask: Tensor): Tensor => wrap(native.maskedSelect(handle(a, 'input'), handle(mask, 'mask')));
export const nonzero = (a: Tensor): Tensor => wrap(native.nonzero(handle(a, 'input')));
export const tril = (a: Tensor, diagonal = 0): Tensor => wrap(native.tril(handle(a, 'input'), checkInt(diagonal, 'diagonal')));
export const triu = (a: Tensor, diagonal = 0): Tensor => wrap(native.triu(handle(a, 'input'), checkInt(diagonal, 'diagonal')));

// ---- x[...] ------------------------------------------------------------------------------------
/**
 * One entry of `x.index(...)`, Python's `x[...]`: an int (selects, removes the dim), a slice as
 * ':' / '1:3' / '::2' or `{start, end, step}`, null (a new axis, Python's None), '...', an int64
 * Tensor or number[] (advanced indexing), or a bool Tensor (mask).
 */
export type IndexSpec = number | string | null | { start?: number | null; end?: number | null; step?: number } | Tensor | number[];

function parseSlice(s: string): { start: number | null; end: number | null; step: number } {
  const parts = s.split(':');
  if (parts.length < 2 || parts.length > 3) throw new TypeError(`index: cannot parse slice '${s}'`);
  const num = (p: string | undefined): number | null => {
    if (p === undefined || p.trim() === '') return null;
    const n = Number(p);
    if (!Number.isInteger(n)) throw new TypeError(`index: cannot parse slice '${s}'`);
    return n;
  };
  return { start: num(parts[0]), end: num(parts[1]), step: num(parts[2]) ?? 1 };
}

/** Applies index specs the way PyTorch's indexing does: basic ones as views, tensors gathered at the end. */
export function index(a: Tensor, ...specs: IndexSpec[]): Tensor {
  const rank = a.dim();
  const consumed = specs.reduce<number>((n, s) => n + (s === null || s === '...' ? 0 : isTensor(s) && s.dtype === 'bool' ? s.dim() : 1), 0);
  if (specs.filter((s) => s === '...').length > 1) throw new TypeError('index: only one ellipsis (...) is allowed');
  if (consumed > rank) throw new RangeError(`index: too many indices for tensor of dimension ${rank}`);
  let out = a;
  let dim = 0;
  const advanced: (Tensor | null)[] = [];
  let maskExtra = 0;
  const temps: Tensor[] = []; // intermediate views and converted index lists, freed before returning
  const step = (next: Tensor): void => {
    if (out !== a) temps.push(out);
    out = next;
  };
  try {
    for (const s of specs) {
      if (s === '...') {
        dim += rank - consumed;
      } else if (s === null) {
        step(unsqueeze(out, dim));
        dim++;
      } else if (typeof s === 'number') {
        step(select(out, dim, s));
      } else if (typeof s === 'string') {
        const { start, end, step: by } = parseSlice(s);
        if (!(start === null && end === null && by === 1)) step(slice(out, dim, start, end, by));
        dim++;
      } else if (isTensor(s) || Array.isArray(s)) {
        const idx = isTensor(s) ? s : tensor(s, { dtype: 'int64' });
        if (!isTensor(s)) temps.push(idx);
        // at::index takes one list entry per indexed dim, but a k-dim mask is one entry covering
        // k dims: list positions lag tensor dims by the extra dims of earlier masks.
        const pos = dim - maskExtra;
        while (advanced.length < pos) advanced.push(null);
        advanced[pos] = idx;
        const k = idx.dtype === 'bool' || idx.dtype === 'uint8' ? idx.dim() : 1;
        dim += k;
        maskExtra += k - 1;
      } else if (typeof s === 'object') {
        step(slice(out, dim, s.start, s.end, s.step ?? 1));
        dim++;
      } else {
        throw new TypeError(`index: unsupported index ${describe(s)}`);
      }
    }
    if (advanced.length) {
      const r = wrap(native.index(handle(out, 'input'), advanced.map((x, i) => (x ? handle(x, `indices[${i}]`) : null))));
      step(r);
      return r;
    }
    return out === a ? wrap(native.alias(handle(a, 'input'))) : out;
  } finally {
    for (const x of temps) x.dispose();
  }
}

/** In-place x[indices] = values (torch.index_put_); `indices` as in index(), tensors only. */
export function indexPut_(a: Tensor, indices: (Tensor | null)[], values: Tensor, accumulate = false): Tensor {
  if (!Array.isArray(indices)) throw new TypeError(`indices: expected an array of index Tensors (null for ':'), got ${describe(indices)}`);
  indices.forEach((x, i) => {
    if (x !== null && !isTensor(x)) throw new TypeError(`indices[${i}]: expected a Tensor or null, got ${describe(x)}`);
  });
  if (!indices.some((x) => x !== null)) throw new TypeError('indices: at least one index must be a Tensor');
  native.indexPut_(handle(a, 'input'), indices.map((x, i) => (x === null ? null : handle(x, `indices[${i}]`))), handle(values, 'values'), checkBool(accumulate, 'accumulate'));
  return a;
}
