// The Tensor class: a thin object around a private libtorch handle. Methods delegate to the
// torch.* functions in ops.ts / shape-ops.ts / inplace.ts, so both spellings share one implementation.
//
// Deviations from PyTorch (JS has no operator overloading or keyword arguments):
// - `a.add(b)` instead of `a + b`; `x.index(0, ':', idx)` instead of `x[0, :, idx]`.
// - `dtype` is a string ('float32'), `device` a string ('cpu', 'cuda:0'); `gradFn` is the name
//   PyTorch prints (e.g. 'MulBackward0') or null.
// - `grad` returns a new Tensor object each time (sharing the same memory), owned by the current
//   tidy() scope like any other result.
import { native } from './native.js';
import { disposeTensor, handle, installHandleAccess, optHandle, wrap } from './handles.js';
import { checkBool, checkInt, checkOptions, describe } from './args.js';
import { checkDevice } from './creation.js';
import { dtypeCode, dtypeFromCode, isDType, toDType, typedArrayFor, type DType, type TypedArray } from './dtype.js';
import { formatTensor } from './format.js';
import * as ops from './ops.js';
import * as so from './shape-ops.js';
import * as ip from './inplace.js';
import type { Dim, KeepDim, TensorOrScalar, ValuesIndices, VarOptions } from './ops.js';
import type { IndexSpec, SizeArgs } from './shape-ops.js';
import type { Scalar } from './args.js';
import { contiguous as atenContiguous } from './aten/ops-0.generated.js';
import type { MemoryFormat } from './aten-runtime.js';

const TOKEN = Symbol('torchlab.internal');
export type NestedNumbers = number | boolean | NestedNumbers[];

export class Tensor {
  #h: number;
  #shape: readonly number[] | undefined;
  #dtype: DType | undefined;
  #kept = false;

  /** @internal Tensors come from torch.tensor, torch.zeros, ops, ...; not from `new`. */
  constructor(token: symbol, h: number) {
    if (token !== TOKEN) throw new TypeError('Tensor: use torch.tensor(), torch.zeros(), ... to create tensors');
    this.#h = h;
  }

  static {
    installHandleAccess({
      create: (h) => new Tensor(TOKEN, h),
      get: (t) => t.#h,
      clear: (t) => {
        t.#h = -1;
      },
      isTensor: (x: unknown): x is Tensor => typeof x === 'object' && x !== null && #h in x,
      isKept: (t) => t.#kept,
      setKept: (t) => {
        t.#kept = true;
      },
    });
  }

  #handle(): number {
    return handle(this, 'self');
  }

  // ---- metadata ----------------------------------------------------------------------------------
  get shape(): readonly number[] {
    return (this.#shape ??= Object.freeze(native.shape(this.#handle()) as number[]));
  }
  /** size() is the shape; size(d) one dimension (negative d counts from the end). */
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    const n = this.shape.length;
    const d = dim < 0 ? dim + n : dim;
    if (!Number.isInteger(dim) || d < 0 || d >= n) {
      throw new RangeError(`dim: Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
    }
    return this.shape[d];
  }
  dim(): number {
    return this.shape.length;
  }
  get ndim(): number {
    return this.shape.length;
  }
  numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get dtype(): DType {
    return (this.#dtype ??= dtypeFromCode(native.dtype(this.#handle())));
  }
  get device(): string {
    return native.device(this.#handle());
  }
  get isCuda(): boolean {
    return this.device.startsWith('cuda');
  }
  stride(): number[] {
    return native.stride(this.#handle());
  }
  isContiguous(): boolean {
    return native.isContiguous(this.#handle());
  }
  /** True once dispose() ran or its tidy() scope ended. */
  get isDisposed(): boolean {
    return this.#h < 0;
  }

  // ---- autograd --------------------------------------------------------------------------------------
  get requiresGrad(): boolean {
    return native.requiresGrad(this.#handle());
  }
  set requiresGrad(v: boolean) {
    native.requiresGrad_(this.#handle(), checkBool(v, 'requiresGrad'));
  }
  requiresGrad_(requiresGrad = true): this {
    native.requiresGrad_(this.#handle(), checkBool(requiresGrad, 'requiresGrad'));
    return this;
  }
  get grad(): Tensor | null {
    const h = native.grad(this.#handle());
    return h === null ? null : wrap(h);
  }
  set grad(g: Tensor | null) {
    native.setGrad(this.#handle(), optHandle(g, 'grad'));
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.#handle());
  }
  get gradFn(): string | null {
    return native.gradFn(this.#handle());
  }
  /** Accumulates gradients into the leaves' .grad; `gradient` is required for non-scalar outputs. */
  backward(gradient?: Tensor | null, options?: { retainGraph?: boolean; createGraph?: boolean }): void {
    const o = checkOptions(options, 'options', ['retainGraph', 'createGraph']);
    const retain = o.retainGraph === undefined ? null : checkBool(o.retainGraph, 'retainGraph');
    native.backward(this.#handle(), optHandle(gradient, 'gradient'), retain, checkBool(o.createGraph, 'createGraph'));
  }
  retainGrad(): void {
    native.retainGrad(this.#handle());
  }
  detach(): Tensor {
    return wrap(native.detach(this.#handle()));
  }
  /**
   * PyTorch's `t.data = src` (a method here: `data()` reads the elements): this tensor takes src's
   * data, dtype, device and shape, staying the same object for autograd, optimizers and modules.
   */
  setData_(src: Tensor): this {
    native.setData(this.#handle(), handle(src, 'src'));
    this.#shape = undefined;
    this.#dtype = undefined;
    return this;
  }

  // ---- data -----------------------------------------------------------------------------------------
  /**
   * The value of a one-element tensor as a JS number. Deviation from PyTorch: a bool tensor gives
   * 1 or 0, not a boolean, so that item() is always a number (`total += loss.item()` type-checks);
   * Python's bool is an int too (True + 1 == 2), and both are truthy/falsy alike.
   */
  item(): number {
    const v = native.item(this.#handle()) as number | boolean;
    return typeof v === 'boolean' ? Number(v) : v;
  }
  /** A copy of the elements, row-major, as a typed array (int64: BigInt64Array; float16/bfloat16: raw bits). */
  data(): TypedArray {
    return typedArrayFor(this.dtype, native.toBuffer(this.#handle()));
  }
  /** The elements as nested JS arrays of numbers (or booleans), like PyTorch's tolist(). */
  toArray(): NestedNumbers {
    const d = this.dtype;
    let flat: ArrayLike<number | bigint>;
    if (d === 'float16' || d === 'bfloat16') {
      const f = wrap(native.to(this.#handle(), dtypeCode('float32'), null, false));
      flat = f.data() as Float32Array;
      disposeTensor(f);
    } else {
      flat = this.data() as ArrayLike<number | bigint>;
    }
    const conv = d === 'bool' ? (v: number | bigint) => v !== 0 : (v: number | bigint) => Number(v);
    const shape = this.shape;
    if (shape.length === 0) return conv(flat[0]);
    let pos = 0;
    const build = (depth: number): NestedNumbers[] => {
      const out: NestedNumbers[] = new Array(shape[depth]);
      for (let i = 0; i < shape[depth]; i++) out[i] = depth === shape.length - 1 ? conv(flat[pos++]) : build(depth + 1);
      return out;
    };
    return build(0);
  }
  /** Alias of toArray() (PyTorch's name). */
  tolist(): NestedNumbers {
    return this.toArray();
  }
  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
  /** A notebook cell's last value in Deno's kernel shows PyTorch's repr (tslab uses the inspect hook above). */
  [Symbol.for('Jupyter.display')](): { 'text/plain': string } {
    return { 'text/plain': this.toString() };
  }

  // ---- memory -----------------------------------------------------------------------------------
  /** Frees the tensor's memory now (tfjs's dispose); using it afterwards throws. */
  dispose(): void {
    disposeTensor(this);
  }

  // ---- conversions ------------------------------------------------------------------------------
  /** to(dtype), to(device), to(device, dtype), to(other): PyTorch's overloads; {copy} forces a copy. */
  to(a: DType | string | Tensor, b?: DType | { copy?: boolean }, o?: { copy?: boolean }): Tensor {
    let dtype: DType | undefined;
    let device: string | null = null;
    const opts = typeof b === 'object' ? b : o;
    if (a instanceof Tensor) {
      dtype = a.dtype;
      device = a.device;
    } else if (isDType(a)) {
      dtype = toDType(a);
    } else {
      if (typeof a !== 'string') throw new TypeError(`to: expected a dtype, a device or a Tensor, got ${describe(a)}`);
      if (!/^[a-z]+(:-?\d+)?$/.test(a) || /^(complex|float|int|uint|bfloat|qint|quint)\d*$/.test(a)) {
        throw new TypeError(`to: '${a}' is neither a supported dtype nor a device (dtypes: float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool)`);
      }
      device = a.startsWith('cuda') || a === 'cpu' ? checkDevice(a) : a; // other device types: libtorch's message
      if (typeof b === 'string') dtype = toDType(b);
    }
    return wrap(native.to(this.#handle(), dtypeCode(dtype), device, checkBool(opts?.copy, 'copy')));
  }
  cpu(): Tensor { return this.to('cpu'); }
  cuda(device = 0): Tensor { return this.to(`cuda:${device}`); }
  float(): Tensor { return this.to('float32'); }
  double(): Tensor { return this.to('float64'); }
  half(): Tensor { return this.to('float16'); }
  bfloat16(): Tensor { return this.to('bfloat16'); }
  long(): Tensor { return this.to('int64'); }
  int(): Tensor { return this.to('int32'); }
  bool(): Tensor { return this.to('bool'); }
  type(dtype: DType): Tensor { return this.to(dtype); }
  clone(): Tensor { return wrap(native.clone(this.#handle())); }
  /**
   * PyTorch's contiguous(memory_format=...): `{ memoryFormat: 'channels_last' }` lays a 4-D tensor
   * out NHWC (the same memory, no copy, when it already is). Without options, the default NCHW order.
   * (torch.toMemoryFormat(t, format) is this, as a function.)
   */
  contiguous(options?: { memoryFormat?: MemoryFormat }): Tensor {
    const o = checkOptions(options, 'contiguous', ['memoryFormat']);
    if (o.memoryFormat === undefined || o.memoryFormat === 'contiguous_format') return wrap(native.contiguous(this.#handle()));
    return atenContiguous(this, { memoryFormat: o.memoryFormat });
  }

  // ---- math (see ops.ts) ---------------------------------------------------------------------------
  add(other: TensorOrScalar, o?: { alpha?: number }): Tensor { return ops.add(this, other, o); }
  sub(other: TensorOrScalar, o?: { alpha?: number }): Tensor { return ops.sub(this, other, o); }
  mul(other: TensorOrScalar): Tensor { return ops.mul(this, other); }
  div(other: TensorOrScalar, o?: { roundingMode?: 'trunc' | 'floor' }): Tensor { return ops.div(this, other, o); }
  pow(exponent: TensorOrScalar): Tensor { return ops.pow(this, exponent); }
  rsub(other: Scalar, o?: { alpha?: number }): Tensor { return ops.rsub(this, other, o); }
  neg(): Tensor { return ops.neg(this); }
  abs(): Tensor { return ops.abs(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  rsqrt(): Tensor { return ops.rsqrt(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  relu(): Tensor { return ops.relu(this); }
  sign(): Tensor { return ops.sign(this); }
  floor(): Tensor { return ops.floor(this); }
  ceil(): Tensor { return ops.ceil(this); }
  round(): Tensor { return ops.round(this); }
  sin(): Tensor { return ops.sin(this); }
  cos(): Tensor { return ops.cos(this); }
  square(): Tensor { return ops.square(this); }
  reciprocal(): Tensor { return ops.reciprocal(this); }
  logicalNot(): Tensor { return ops.logicalNot(this); }
  isnan(): Tensor { return ops.isnan(this); }
  isfinite(): Tensor { return ops.isfinite(this); }
  isinf(): Tensor { return ops.isinf(this); }
  addcmul(tensor1: Tensor, tensor2: Tensor, o?: { value?: number }): Tensor { return ops.addcmul(this, tensor1, tensor2, o); }
  addcdiv(tensor1: Tensor, tensor2: Tensor, o?: { value?: number }): Tensor { return ops.addcdiv(this, tensor1, tensor2, o); }
  maximum(other: Tensor): Tensor { return ops.maximum(this, other); }
  minimum(other: Tensor): Tensor { return ops.minimum(this, other); }
  clamp(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor { return ops.clamp(this, min, max); }
  clip(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor { return ops.clamp(this, min, max); }
  lerp(end: Tensor, weight: TensorOrScalar): Tensor { return ops.lerp(this, end, weight); }
  where(condition: Tensor, other: TensorOrScalar): Tensor { return ops.where(condition, this, other); }
  eq(other: TensorOrScalar): Tensor { return ops.eq(this, other); }
  ne(other: TensorOrScalar): Tensor { return ops.ne(this, other); }
  lt(other: TensorOrScalar): Tensor { return ops.lt(this, other); }
  le(other: TensorOrScalar): Tensor { return ops.le(this, other); }
  gt(other: TensorOrScalar): Tensor { return ops.gt(this, other); }
  ge(other: TensorOrScalar): Tensor { return ops.ge(this, other); }
  logicalAnd(other: Tensor): Tensor { return ops.logicalAnd(this, other); }
  logicalOr(other: Tensor): Tensor { return ops.logicalOr(this, other); }
  equal(other: Tensor): boolean { return ops.equal(this, other); }
  allclose(other: Tensor, o?: { rtol?: number; atol?: number; equalNan?: boolean }): boolean { return ops.allclose(this, other, o); }
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  mm(other: Tensor): Tensor { return ops.mm(this, other); }
  bmm(other: Tensor): Tensor { return ops.bmm(this, other); }
  addmm(mat1: Tensor, mat2: Tensor, o?: { beta?: number; alpha?: number }): Tensor { return ops.addmm(this, mat1, mat2, o); }
  outer(other: Tensor): Tensor { return ops.outer(this, other); }

  // ---- reductions --------------------------------------------------------------------------------
  sum(dim?: Dim, keepdim?: KeepDim): Tensor { return ops.sum(this, dim, keepdim); }
  mean(dim?: Dim, keepdim?: KeepDim): Tensor { return ops.mean(this, dim, keepdim); }
  std(dim?: Dim, o?: VarOptions | boolean): Tensor { return ops.std(this, dim, o); }
  var(dim?: Dim, o?: VarOptions | boolean): Tensor { return ops.variance(this, dim, o); }
  max(): Tensor;
  max(other: Tensor): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(dim?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices { return ops.max(this, dim as number, keepdim); }
  min(): Tensor;
  min(other: Tensor): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(dim?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices { return ops.min(this, dim as number, keepdim); }
  argmax(dim?: number | null, keepdim?: boolean): Tensor { return ops.argmax(this, dim, keepdim); }
  argmin(dim?: number | null, keepdim?: boolean): Tensor { return ops.argmin(this, dim, keepdim); }
  prod(dim?: number | null, keepdim?: boolean): Tensor { return ops.prod(this, dim, keepdim); }
  all(dim?: number | null, keepdim?: boolean): Tensor { return ops.all(this, dim, keepdim); }
  any(dim?: number | null, keepdim?: boolean): Tensor { return ops.any(this, dim, keepdim); }
  norm(p = 2, dim?: Dim, keepdim?: boolean): Tensor { return ops.norm(this, p, dim, keepdim); }
  cumsum(dim: number): Tensor { return ops.cumsum(this, dim); }
  logsumexp(dim: number | number[], keepdim?: boolean): Tensor { return ops.logsumexp(this, dim, keepdim); }
  topk(k: number, dim = -1, o?: { largest?: boolean; sorted?: boolean }): ValuesIndices { return ops.topk(this, k, dim, o); }
  sort(dim = -1, o?: { descending?: boolean }): ValuesIndices { return ops.sort(this, dim, o); }

  // ---- shape and indexing (see shape-ops.ts) --------------------------------------------------------
  view(...shape: SizeArgs): Tensor { return so.view(this, ...shape); }
  viewAs(other: Tensor): Tensor { return so.view(this, other.shape); }
  reshape(...shape: SizeArgs): Tensor { return so.reshape(this, ...shape); }
  reshapeAs(other: Tensor): Tensor { return so.reshape(this, other.shape); }
  expand(...shape: SizeArgs): Tensor { return so.expand(this, ...shape); }
  expandAs(other: Tensor): Tensor { return so.expand(this, other.shape); }
  repeat(...sizes: SizeArgs): Tensor { return so.repeat(this, ...sizes); }
  permute(...dims: SizeArgs): Tensor { return so.permute(this, ...dims); }
  flatten(startDim = 0, endDim = -1): Tensor { return so.flatten(this, startDim, endDim); }
  unflatten(dim: number, sizes: readonly number[]): Tensor { return so.unflatten(this, dim, sizes); }
  transpose(dim0: number, dim1: number): Tensor { return so.transpose(this, dim0, dim1); }
  t(): Tensor { return so.t(this); }
  get T(): Tensor { return so.permute(this, [...Array(this.dim()).keys()].reverse()); }
  squeeze(dim?: number): Tensor { return so.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return so.unsqueeze(this, dim); }
  flip(dims: number | number[]): Tensor { return so.flip(this, dims); }
  roll(shifts: number | number[], dims: number | number[]): Tensor { return so.roll(this, shifts, dims); }
  split(splitSizeOrSections: number | number[], dim = 0): Tensor[] { return so.split(this, splitSizeOrSections, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return so.chunk(this, chunks, dim); }
  unbind(dim = 0): Tensor[] { return so.unbind(this, dim); }
  narrow(dim: number, start: number, length: number): Tensor { return so.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return so.select(this, dim, index); }
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor { return so.slice(this, dim, start, end, step); }
  /** Python's x[...]: see IndexSpec (ints, ':' slices, null, '...', index tensors, masks). */
  index(...specs: IndexSpec[]): Tensor { return so.index(this, ...specs); }
  indexSelect(dim: number, index: Tensor): Tensor { return so.indexSelect(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return so.gather(this, dim, index); }
  scatter(dim: number, index: Tensor, src: Tensor): Tensor { return so.scatter(this, dim, index, src); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return so.scatterAdd(this, dim, index, src); }
  maskedFill(mask: Tensor, value: Scalar | Tensor): Tensor { return so.maskedFill(this, mask, value); }
  maskedSelect(mask: Tensor): Tensor { return so.maskedSelect(this, mask); }
  nonzero(): Tensor { return so.nonzero(this); }
  tril(diagonal = 0): Tensor { return so.tril(this, diagonal); }
  triu(diagonal = 0): Tensor { return so.triu(this, diagonal); }
  softmax(dim: number): Tensor { return wrap(native.softmax(this.#handle(), checkInt(dim, 'dim'), -1)); }
  logSoftmax(dim: number): Tensor { return wrap(native.logSoftmax(this.#handle(), checkInt(dim, 'dim'), -1)); }

  // ---- in place (see inplace.ts): each returns this ---------------------------------------------
  add_(other: TensorOrScalar, o?: { alpha?: number }): this { return ip.add_(this, other, o); }
  sub_(other: TensorOrScalar, o?: { alpha?: number }): this { return ip.sub_(this, other, o); }
  mul_(other: TensorOrScalar): this { return ip.mul_(this, other); }
  div_(other: TensorOrScalar): this { return ip.div_(this, other); }
  pow_(exponent: number): this { return ip.pow_(this, exponent); }
  addcmul_(tensor1: Tensor, tensor2: Tensor, o?: { value?: number }): this { return ip.addcmul_(this, tensor1, tensor2, o); }
  addcdiv_(tensor1: Tensor, tensor2: Tensor, o?: { value?: number }): this { return ip.addcdiv_(this, tensor1, tensor2, o); }
  lerp_(end: Tensor, weight: TensorOrScalar): this { return ip.lerp_(this, end, weight); }
  zero_(): this { return ip.zero_(this); }
  fill_(value: Scalar): this { return ip.fill_(this, value); }
  copy_(src: Tensor): this { return ip.copy_(this, src); }
  clamp_(min?: number | null, max?: number | null): this { return ip.clamp_(this, min, max); }
  relu_(): this { return ip.relu_(this); }
  neg_(): this { return ip.neg_(this); }
  sqrt_(): this { return ip.sqrt_(this); }
  exp_(): this { return ip.exp_(this); }
  maskedFill_(mask: Tensor, value: Scalar | Tensor): this { return ip.maskedFill_(this, mask, value); }
  uniform_(from = 0, to = 1): this { return ip.uniform_(this, from, to); }
  normal_(mean = 0, std = 1): this { return ip.normal_(this, mean, std); }
  bernoulli_(p = 0.5): this { return ip.bernoulli_(this, p); }
  indexPut_(indices: (Tensor | null)[], values: Tensor, accumulate = false): this { so.indexPut_(this, indices, values, accumulate); return this; }
}
