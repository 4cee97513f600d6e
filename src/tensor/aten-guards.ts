// Checks for the generated ops whose libtorch 1.13 kernels crash the process (segfault, SIGFPE)
// on arguments they never validate: found by test/aten-fuzz.test.ts. Each guard receives the call's
// values in schema order (after overload resolution and defaults) and throws a TypeError before
// the kernel runs; the dispatcher prefixes it with the op's name. These are the only hand-written
// lines per op in the generated layer: the checks PyTorch's kernels should have made.
import type { Tensor } from './tensor.js';

type Guard = (v: unknown[]) => void;
const fail = (msg: string): never => {
  throw new TypeError(msg);
};
const shape = (t: unknown): readonly number[] => (t as Tensor).shape;
const ints = (x: unknown): number[] => (typeof x === 'number' ? [x] : (x as number[]));
// Sizes past 2^31 overflow the kernels' int64 size arithmetic (INT64_MIN / -1 is a SIGFPE).
const LIMIT = 2 ** 31;
function positive(x: unknown, name: string): void {
  if (ints(x).some((d) => d <= 0 || d >= LIMIT)) fail(`${name} must be in [1, 2^31), got ${JSON.stringify(x)}`);
}
function nonNegative(x: unknown, name: string): void {
  if (ints(x).some((d) => d < 0 || d >= LIMIT)) fail(`${name} must be in [0, 2^31), got ${JSON.stringify(x)}`);
}
function dims(t: unknown, name: string, allowed: number[]): void {
  if (!allowed.includes(shape(t).length)) fail(`${name} must have ${allowed.join(' or ')} dimensions, got ${shape(t).length}`);
}

// lstm_cell(input, hx[2], w_ih, w_hh, b_ih?, b_hh?): the kernel indexes hx[1] and multiplies
// without checking any shape.
function rnnCell(gates: number, hxCount: number): Guard {
  return (v) => {
    const [input, hx, wIh, wHh, bIh, bHh] = v as [Tensor, Tensor | Tensor[], Tensor, Tensor, Tensor | null, Tensor | null];
    const hs = Array.isArray(hx) ? hx : [hx];
    if (hs.length !== hxCount) fail(`hx must hold ${hxCount} tensors, got ${hs.length}`);
    dims(input, 'input', [1, 2]);
    dims(wIh, 'w_ih', [2]);
    dims(wHh, 'w_hh', [2]);
    const [g, i] = shape(wIh);
    const h = shape(wHh)[1];
    const batch = shape(input).length === 2 ? [shape(input)[0]] : [];
    if (g !== gates * h || shape(wHh)[0] !== g) fail(`w_ih and w_hh must be [${gates}*hidden, *], got ${shape(wIh)} and ${shape(wHh)}`);
    if (shape(input)[shape(input).length - 1] !== i) fail(`input size ${shape(input)} does not match w_ih ${shape(wIh)}`);
    for (const t of hs) if (shape(t).join() !== [...batch, h].join()) fail(`hidden state must be [${[...batch, h]}], got [${shape(t)}]`);
    for (const b of [bIh, bHh]) if (b && shape(b).join() !== String(g)) fail(`biases must be [${g}], got [${shape(b)}]`);
  };
}

// The unchecked convolution kernels behind conv2d / conv3d (thnn_conv2d, slow_conv3d):
// (self, weight, kernel_size, bias, stride, padding).
function slowConv(n: number): Guard {
  return (v) => {
    const [input, weight, kernel, bias, stride, padding] = v;
    dims(input, 'input', [n + 1, n + 2]);
    dims(weight, 'weight', [n + 2]);
    const k = ints(kernel);
    if (k.length !== 1 && k.length !== n) fail(`kernel_size must have ${n} values`);
    positive(k, 'kernel_size');
    const cin = shape(input)[shape(input).length - n - 1];
    if (shape(weight)[1] !== cin) fail(`weight [${shape(weight)}] does not fit ${cin} input channels`);
    if (bias && shape(bias as Tensor).join() !== String(shape(weight)[0])) fail(`bias must be [${shape(weight)[0]}]`);
    positive(stride, 'stride');
    nonNegative(padding, 'padding');
  };
}

// slow_conv_transpose2d / 3d(self, weight, kernel_size, bias, stride, padding, output_padding,
// dilation): a kernel_size that does not match the weight segfaults (2d) or aborts (3d).
function slowConvTranspose(n: number): Guard {
  return (v) => {
    const [input, weight, kernel, bias, stride, padding, outPadding, dilation] = v;
    dims(input, 'input', [n + 1, n + 2]);
    dims(weight, 'weight', [n + 2]);
    const k = ints(kernel);
    const kk = k.length === 1 ? Array(n).fill(k[0]) : k;
    if (shape(weight).slice(2).join() !== kk.join()) fail(`kernel_size ${kk} does not match weight [${shape(weight)}]`);
    const cin = shape(input)[shape(input).length - n - 1];
    if (shape(weight)[0] !== cin) fail(`weight [${shape(weight)}] does not fit ${cin} input channels`);
    if (bias && shape(bias as Tensor).join() !== String(shape(weight)[1])) fail(`bias must be [${shape(weight)[1]}]`);
    positive(stride, 'stride');
    positive(dilation, 'dilation');
    nonNegative(padding, 'padding');
    nonNegative(outPadding, 'output_padding');
  };
}

export const GUARDS: ReadonlyMap<string, Guard> = new Map<string, Guard>([
  ['lstm_cell', rnnCell(4, 2)],
  ['native_channel_shuffle', (v) => {
    positive(v[1], 'groups');
    if (shape(v[0]).length < 2) fail('self must have a channel dimension (at least 2 dimensions)');
    // an empty input divides by zero in the kernel (PyTorch crashes too)
    if ((v[0] as Tensor).numel() === 0) fail('self must not be empty');
    if (shape(v[0])[1] % (v[1] as number) !== 0) fail(`channels ${shape(v[0])[1]} are not divisible by groups ${v[1]}`);
  }],
  // align_tensors([]) reads the first tensor of an empty list
  ['align_tensors', (v) => {
    if ((v[0] as unknown[]).length === 0) fail('tensors must not be empty');
  }],
  // col2im(self, output_size, kernel_size, dilation, padding, stride)
  ['col2im', (v) => {
    positive(v[1], 'output_size');
    positive(v[2], 'kernel_size');
    positive(v[3], 'dilation');
    nonNegative(v[4], 'padding');
    positive(v[5], 'stride');
  }],
  ['thnn_conv2d', slowConv(2)],
  ['slow_conv3d', slowConv(3)],
  ['slow_conv3d_forward', slowConv(3)],
  ['slow_conv_transpose2d', slowConvTranspose(2)],
  ['slow_conv_transpose3d', slowConvTranspose(3)],
  // max_unpool2d(self, indices, output_size): the kernel writes at indices unchecked
  ['max_unpool2d', (v) => {
    const [input, indices, out] = v as [Tensor, Tensor, number[]];
    dims(input, 'self', [3, 4]);
    if (indices.dtype !== 'int64') fail(`indices must be int64, got ${indices.dtype}`);
    if (shape(indices).join() !== shape(input).join()) fail(`indices [${shape(indices)}] must have the shape of self [${shape(input)}]`);
    positive(out, 'output_size');
    const size = ints(out).reduce((a, b) => a * b, 1);
    if (!indices.numel()) return;
    const lo = indices.min(), hi = indices.max();
    const bad = Number(lo.item()) < 0 || Number(hi.item()) >= size;
    lo.dispose();
    hi.dispose();
    if (bad) fail(`indices must be in [0, ${size})`);
  }],
  // reflection_pad1d(self, padding[2]): each pad must be smaller than the padded dimension
  // (deviation: PyTorch also takes negative pads, which crop; refused here, as the kernel's
  // handling of them is what crashes)
  ['reflection_pad1d', (v) => {
    dims(v[0], 'self', [2, 3]);
    const p = ints(v[1]);
    const w = shape(v[0])[shape(v[0]).length - 1];
    if (p.length !== 2 || p.some((x) => x < 0 || x >= w)) fail(`padding ${JSON.stringify(v[1])} must be 2 values in [0, ${w})`);
  }],
]);
