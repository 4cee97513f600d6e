// Issue 14: F.maxPool2d's 2×2 / stride 2 fast path (native/fast_pool.cc) against ATen's own kernel
// (F.maxPool2dWithIndices still calls at::max_pool2d_with_indices): values, gradients bit for bit,
// ties, NaN, -inf, odd sizes, float64, unbatched input, grad_fn's name, double backward, and the
// cases that must fall back to ATen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { F, nn, type Tensor } from '../src/index.js';

const bits = (t: Tensor): number[] => Array.from(t.contiguous().flatten().tolist() as number[]);

/** Forward and backward of fast (F.maxPool2d) and reference (ATen's with-indices op) on the same input and upstream gradient. */
function both(make: () => Tensor, o: Parameters<typeof F.maxPool2d>[2] = {}, k: number | [number, number] = 2) {
  return torch.tidy(() => {
    const x1 = make().requiresGrad_(true);
    const x2 = x1.detach().clone().requiresGrad_(true);
    const y1 = F.maxPool2d(x1, k, o);
    const [y2, idx] = F.maxPool2dWithIndices(x2, k, o);
    const g = torch.randn(y1.shape, { dtype: y1.dtype });
    y1.backward(g);
    y2.backward(g);
    return { y1: bits(y1), y2: bits(y2), g1: bits(x1.grad!), g2: bits(x2.grad!), idx: bits(idx), gradFn: y1.gradFn, shape: y1.shape };
  });
}

function assertSame(r: { y1: unknown[]; y2: unknown[]; g1: number[]; g2: number[] }, what: string) {
  assert.deepEqual(r.y1, r.y2, `${what}: values`);
  assert.deepEqual(r.g1, r.g2, `${what}: input gradients`);
}

test('2x2 stride 2: values and gradients equal ATen bit for bit (random, odd sizes, float64, unbatched)', () => {
  torch.manualSeed(0);
  const cases: Array<[string, () => Tensor]> = [
    ['random 4x3x8x8', () => torch.randn([4, 3, 8, 8])],
    ['odd 2x2x7x9', () => torch.randn([2, 2, 7, 9])],
    ['float64 2x3x6x6', () => torch.randn([2, 3, 6, 6], { dtype: 'float64' })],
    ['unbatched 3x5x4', () => torch.randn([3, 5, 4])],
    ['after relu (ties at 0)', () => torch.randn([2, 4, 10, 10]).relu()],
  ];
  for (const [name, make] of cases) {
    const r = both(make);
    assertSame(r, name);
    assert.equal(r.gradFn, 'MaxPool2DWithIndicesBackward0', `${name}: grad_fn as PyTorch's`);
  }
  assert.deepEqual(both(() => torch.randn([2, 2, 7, 9])).shape, [2, 2, 3, 4]);
});

test('ties go to the first maximum, NaN wins (the last NaN), -inf windows keep the first index', () => {
  // one 4x4 plane: windows [[1,1],[1,1]], [[-inf,-inf],[-inf,-inf]], [[0,nan],[nan,2]], [[3,5],[5,4]]
  const plane = [
    1, 1, -Infinity, -Infinity,
    1, 1, -Infinity, -Infinity,
    0, NaN, 3, 5,
    NaN, 2, 5, 4,
  ];
  const r = both(() => torch.tensor(plane).view(1, 1, 4, 4));
  assert.deepEqual(r.y1.map(String), ['1', '-Infinity', 'NaN', '5']);
  assertSame({ ...r, y1: r.y1.map(String), y2: r.y2.map(String) }, 'special values');
  // ATen's indices: first max (0), first element (2), last NaN (12), first 5 (11)
  assert.deepEqual(r.idx, [0, 2, 12, 11]);
  const gIdx = r.g1.map((v, i) => (v !== 0 ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(gIdx, [0, 2, 11, 12], 'the gradient lands on the winners');
});

test('no-grad and inference mode give the same values; the MaxPool2d layer takes the same path', () => {
  torch.manualSeed(1);
  const x = torch.randn([2, 3, 6, 6]);
  const ref = bits(F.maxPool2dWithIndices(x, 2)[0]);
  assert.deepEqual(torch.noGrad(() => bits(F.maxPool2d(x, 2))), ref);
  assert.deepEqual(torch.inferenceMode(() => bits(F.maxPool2d(x, 2))), ref);
  assert.deepEqual(bits(new nn.MaxPool2d(2).forward(x)), ref);
  assert.deepEqual(bits(new nn.MaxPool2d(2, { stride: 2 }).forward(x)), ref);
});

test('double backward (create_graph) goes through ATen\'s differentiable backward', () => {
  torch.manualSeed(2);
  const x = torch.randn([1, 2, 4, 4], { dtype: 'float64' }).requiresGrad_(true);
  const y = F.maxPool2d(x, 2);
  y.pow(2).sum().backward(undefined, { createGraph: true });
  const gx = x.grad!;
  const first = gx.detach().clone();
  gx.sum().backward(); // accumulates d(sum gx)/dx into x.grad
  const ggx = x.grad!.detach().sub(first);
  // d/dx sum(2·y·[x is its window's max]) = 2 at the winners, 0 elsewhere
  const winners = bits(F.maxPool2dWithIndices(x.detach(), 2)[1]);
  const expected = new Array(32).fill(0);
  winners.forEach((w, o) => { expected[Math.floor(o / 4) * 16 + w] = 2; });
  // (ggx = accumulated - first: float64 rounding of the subtraction only)
  bits(ggx).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `second derivative at ${i}: ${v} vs ${expected[i]}`));
});

test('other poolings and layouts fall back to ATen with the same results as before', () => {
  torch.manualSeed(3);
  const cases: Array<[string, () => Tensor, Parameters<typeof F.maxPool2d>[2], number | [number, number]]> = [
    ['kernel 3 stride 2 padding 1', () => torch.randn([2, 2, 7, 7]), { stride: 2, padding: 1 }, 3],
    ['ceil mode', () => torch.randn([1, 2, 7, 7]), { ceilMode: true }, 2],
    ['stride 1', () => torch.randn([1, 2, 6, 6]), { stride: 1 }, 2],
    ['dilation 2', () => torch.randn([1, 2, 7, 7]), { stride: 2, dilation: 2 }, 2],
    ['channels_last', () => torch.randn([2, 8, 6, 6]).contiguous({ memoryFormat: 'channels_last' }), {}, 2],
    ['non-contiguous', () => torch.randn([2, 6, 6, 3]).permute(0, 3, 1, 2), {}, 2],
    ['1x2 kernel', () => torch.randn([1, 1, 4, 4]), { stride: 2 }, [1, 2]],
  ];
  for (const [name, make, o, k] of cases) assertSame(both(make, o, k), name);
});
