// Finite-difference gradient checks (torch.autograd.gradcheck's method) of the nn ops and a few
// tensor ops, in float64. For a random upstream gradient g, the analytic gradient of
// sum(f(x) * g) with respect to each input (from backward) is compared element by element with the
// central difference (f(x + eps e_j) - f(x - eps e_j)) . g / (2 eps), evaluated under noGrad.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { F, type Tensor } from '../src/index.js';

const EPS = 1e-6;
const RTOL = 1e-6;
const ATOL = 1e-8;
// The checks run thousands of tiny ops: intra-op threads only add wake-up latency (and make the
// run time hostage to the machine's load), so use one.
torch.setNumThreads(1);

type Fn = (xs: Tensor[]) => Tensor;

/**
 * Checks d/dx_i sum(fn(xs) * gout) for every i in `wrt` (float64 inputs). Other inputs (targets,
 * running stats) are passed through unchanged.
 */
function gradcheck(fn: Fn, xs: Tensor[], wrt: number[], o: { eps?: number; rtol?: number; atol?: number } = {}): void {
  const eps = o.eps ?? EPS;
  const rtol = o.rtol ?? RTOL;
  const atol = o.atol ?? ATOL;
  for (const i of wrt) assert.equal(xs[i].dtype, 'float64', `input ${i} must be float64`);

  // Analytic: one backward with a random upstream gradient.
  const leaves = xs.map((x, i) => (wrt.includes(i) ? x.detach().clone().requiresGrad_(true) : x));
  const out = fn(leaves);
  assert.equal(out.dtype, 'float64', `output dtype ${out.dtype}, expected float64`);
  assert.ok(out.requiresGrad, 'output does not require grad');
  const gout = torch.randn([...out.shape], { dtype: 'float64' });
  out.backward(gout);

  // Numeric: perturb one element at a time, in place in a buffer the input tensor shares.
  const bufs = xs.map((x, i) => (wrt.includes(i) ? Float64Array.from(x.contiguous().data() as Float64Array) : null));
  const base = xs.map((x, i) => (bufs[i] ? torch.fromBuffer(bufs[i]!, [...x.shape]) : x));
  const g0 = Float64Array.from(gout.data() as Float64Array);
  const f = (): number =>
    torch.noGrad(() =>
      torch.tidy(() => {
        const y = fn(base).contiguous().data() as Float64Array;
        let s = 0;
        for (let k = 0; k < y.length; k++) s += y[k] * g0[k];
        return s;
      }),
    );

  const failures: string[] = [];
  for (const i of wrt) {
    const g = leaves[i].grad;
    if (g) assert.deepEqual([...g.shape], [...xs[i].shape], `grad ${i}: shape [${g.shape}] != input shape [${xs[i].shape}]`);
    const analytic = g ? (g.contiguous().data() as Float64Array) : new Float64Array(xs[i].numel());
    const buf = bufs[i]!;
    let nBad = 0;
    let worst = 0;
    for (let j = 0; j < buf.length; j++) {
      const x0 = buf[j];
      buf[j] = x0 + eps;
      const fp = f();
      buf[j] = x0 - eps;
      const fm = f();
      buf[j] = x0;
      const numeric = (fp - fm) / (2 * eps);
      const err = Math.abs(analytic[j] - numeric);
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        nBad++;
        worst = Math.max(worst, err);
        if (nBad <= 5) failures.push(`input ${i}[${j}]: analytic ${analytic[j]} numeric ${numeric}`);
      }
    }
    if (nBad) failures.push(`input ${i}: ${nBad}/${buf.length} elements differ, max |err| ${worst.toExponential(3)}`);
  }
  if (failures.length) assert.fail(`gradient mismatch (rtol ${rtol}, atol ${atol}):\n  ${failures.join('\n  ')}`);
}

// ---- inputs (seeded per check) -------------------------------------------------------------------
const rn = (...shape: number[]): Tensor => torch.randn(shape, { dtype: 'float64' });
/** Values in [0.5, 1.5) (positive bases / divisors / weights). */
const pos = (...shape: number[]): Tensor => torch.rand(shape, { dtype: 'float64' }).add(0.5);
/** Distinct values >= 0.1 apart (no ties: max pooling stays differentiable under the perturbation). */
function distinct(...shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.randperm(n).to('float64').mul(0.1).sub(0.05 * n).reshape(shape);
}
const ints = (high: number, ...shape: number[]): Tensor => torch.randint(0, high, shape);
const idx = (v: number[]): Tensor => torch.tensor(v, { dtype: 'int64' });

let seed = 1000;
/** One node:test per check, in its own tidy() and with its own seed. */
function check(name: string, make: () => Tensor[], fn: Fn, wrt: number[], o?: { eps?: number; rtol?: number; atol?: number }): void {
  const s = seed++;
  test(name, () => {
    const before = torch.memory().numTensors;
    torch.tidy(() => {
      torch.manualSeed(s);
      gradcheck(fn, make(), wrt, o);
    });
    assert.equal(torch.memory().numTensors, before, 'tensors leaked out of tidy()');
  });
}

// ---- F.conv2d --------------------------------------------------------------------------------
check('conv2d default', () => [rn(2, 3, 5, 5), rn(4, 3, 3, 3), rn(4)], ([x, w, b]) => F.conv2d(x, w, b), [0, 1, 2]);
check('conv2d stride2 pad1', () => [rn(1, 2, 6, 6), rn(3, 2, 3, 3), rn(3)],
  ([x, w, b]) => F.conv2d(x, w, b, { stride: 2, padding: 1 }), [0, 1, 2]);
check('conv2d groups2 asym stride/padding', () => [rn(2, 4, 5, 6), rn(6, 2, 3, 2), rn(6)],
  ([x, w, b]) => F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 0], groups: 2 }), [0, 1, 2]);
check('conv2d depthwise no bias', () => [rn(1, 3, 5, 5), rn(3, 1, 3, 3)],
  ([x, w]) => F.conv2d(x, w, null, { groups: 3, padding: 1 }), [0, 1]);
check('conv2d dilation2 padding same', () => [rn(1, 2, 6, 6), rn(2, 2, 3, 3), rn(2)],
  ([x, w, b]) => F.conv2d(x, w, b, { dilation: 2, padding: 'same' }), [0, 1, 2]);
check('conv2d padding same even kernel', () => [rn(1, 2, 5, 5), rn(2, 2, 4, 4), rn(2)],
  ([x, w, b]) => F.conv2d(x, w, b, { padding: 'same' }), [0, 1, 2]);

// ---- pooling -----------------------------------------------------------------------------------
check('maxPool2d k2', () => [distinct(2, 2, 6, 6)], ([x]) => F.maxPool2d(x, 2), [0]);
check('maxPool2d k3 s2 p1', () => [distinct(1, 2, 7, 7)], ([x]) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }), [0]);
check('maxPool2d asym ceilMode', () => [distinct(1, 2, 7, 6)],
  ([x]) => F.maxPool2d(x, [2, 3], { stride: [2, 2], ceilMode: true }), [0]);
check('maxPool2d dilation2', () => [distinct(1, 2, 7, 7)], ([x]) => F.maxPool2d(x, 2, { stride: 1, dilation: 2 }), [0]);
check('avgPool2d k2', () => [rn(2, 2, 6, 6)], ([x]) => F.avgPool2d(x, 2), [0]);
check('avgPool2d k3 s2 p1', () => [rn(1, 2, 7, 7)], ([x]) => F.avgPool2d(x, 3, { stride: 2, padding: 1 }), [0]);
check('avgPool2d countIncludePad=false', () => [rn(1, 2, 7, 7)],
  ([x]) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), [0]);
check('avgPool2d ceilMode pad nocount', () => [rn(1, 2, 7, 7)],
  ([x]) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [0]);
check('adaptiveAvgPool2d 1', () => [rn(2, 3, 5, 5)], ([x]) => F.adaptiveAvgPool2d(x, 1), [0]);
check('adaptiveAvgPool2d uneven', () => [rn(1, 2, 7, 7)], ([x]) => F.adaptiveAvgPool2d(x, [3, 2]), [0]);

// ---- F.batchNorm (training: batch statistics; the running stats do not affect the output) ------
check('batchNorm train 4d', () => [rn(4, 3, 3, 3), pos(3), rn(3)],
  ([x, w, b]) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true, eps: 1e-5 }), [0, 1, 2]);
check('batchNorm train 2d with running stats', () => [rn(6, 4), rn(4).mul(0.1), pos(4), pos(4), rn(4)],
  // fresh copies of the running stats per call: training mode updates them in place
  ([x, rm, rv, w, b]) => F.batchNorm(x, rm.clone(), rv.clone(), { weight: w, bias: b, training: true, momentum: 0.3, eps: 1e-3 }),
  [0, 3, 4]);
check('batchNorm train no affine', () => [rn(3, 2, 2, 2)], ([x]) => F.batchNorm(x, null, null, { training: true }), [0]);
check('batchNorm eval', () => [rn(4, 3, 2, 2), rn(3).mul(0.1), pos(3), pos(3), rn(3)],
  ([x, rm, rv, w, b]) => F.batchNorm(x, rm, rv, { weight: w, bias: b, training: false }), [0, 3, 4]);

// ---- F.linear and activations ---------------------------------------------------------------------
check('linear 2d', () => [rn(3, 4), rn(5, 4), rn(5)], ([x, w, b]) => F.linear(x, w, b), [0, 1, 2]);
check('linear 3d', () => [rn(2, 3, 4), rn(5, 4), rn(5)], ([x, w, b]) => F.linear(x, w, b), [0, 1, 2]);
check('linear 1d no bias', () => [rn(4), rn(5, 4)], ([x, w]) => F.linear(x, w), [0, 1]);
check('relu', () => [rn(3, 5)], ([x]) => F.relu(x), [0]);
check('leakyRelu default', () => [rn(3, 5)], ([x]) => F.leakyRelu(x), [0]);
check('leakyRelu 0.2', () => [rn(3, 5)], ([x]) => F.leakyRelu(x, 0.2), [0]);
check('gelu none', () => [rn(3, 5).mul(2)], ([x]) => F.gelu(x), [0]);
check('gelu tanh', () => [rn(3, 5).mul(2)], ([x]) => F.gelu(x, { approximate: 'tanh' }), [0]);
check('softmax dim1', () => [rn(3, 5)], ([x]) => F.softmax(x, 1), [0]);
check('softmax 3d dim0', () => [rn(3, 2, 4)], ([x]) => F.softmax(x, 0), [0]);
check('logSoftmax dim1', () => [rn(3, 5)], ([x]) => F.logSoftmax(x, 1), [0]);
check('logSoftmax 3d dim-1', () => [rn(2, 3, 4).mul(3)], ([x]) => F.logSoftmax(x, -1), [0]);

// ---- losses ---------------------------------------------------------------------------------------
check('crossEntropy mean', () => [rn(4, 5), ints(5, 4)], ([x, t]) => F.crossEntropy(x, t), [0]);
check('crossEntropy sum', () => [rn(4, 5), ints(5, 4)], ([x, t]) => F.crossEntropy(x, t, { reduction: 'sum' }), [0]);
check('crossEntropy none', () => [rn(4, 5), ints(5, 4)], ([x, t]) => F.crossEntropy(x, t, { reduction: 'none' }), [0]);
check('crossEntropy labelSmoothing', () => [rn(4, 5), ints(5, 4)],
  ([x, t]) => F.crossEntropy(x, t, { labelSmoothing: 0.1 }), [0]);
check('crossEntropy weight', () => [rn(4, 5), ints(5, 4), pos(5)], ([x, t, w]) => F.crossEntropy(x, t, { weight: w }), [0]);
check('crossEntropy weight + labelSmoothing', () => [rn(5, 4), ints(4, 5), pos(4)],
  ([x, t, w]) => F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.2 }), [0]);
check('crossEntropy weight + labelSmoothing + ignoreIndex', () => [rn(6, 4), idx([0, 3, 1, 3, 2, 0]), pos(4)],
  ([x, t, w]) => F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.2, ignoreIndex: 3 }), [0]);
check('crossEntropy labelSmoothing sum weight', () => [rn(4, 3), ints(3, 4), pos(3)],
  ([x, t, w]) => F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.3, reduction: 'sum' }), [0]);
check('crossEntropy k-dim', () => [rn(2, 3, 2, 2), ints(3, 2, 2, 2)], ([x, t]) => F.crossEntropy(x, t), [0]);
check('crossEntropy probability targets + labelSmoothing', () => [rn(3, 4), F.softmax(rn(3, 4), 1)],
  ([x, t]) => F.crossEntropy(x, t, { labelSmoothing: 0.1 }), [0]);
check('nllLoss mean', () => [rn(4, 5), ints(5, 4)], ([x, t]) => F.nllLoss(x, t), [0]);
check('nllLoss none', () => [rn(4, 5), ints(5, 4)], ([x, t]) => F.nllLoss(x, t, { reduction: 'none' }), [0]);
check('nllLoss weight', () => [rn(4, 5), ints(5, 4), pos(5)], ([x, t, w]) => F.nllLoss(x, t, { weight: w }), [0]);
check('nllLoss ignoreIndex', () => [rn(5, 3), idx([0, 2, 1, 2, 0])], ([x, t]) => F.nllLoss(x, t, { ignoreIndex: 2 }), [0]);
check('nllLoss k-dim sum', () => [rn(2, 3, 2, 2), ints(3, 2, 2, 2)], ([x, t]) => F.nllLoss(x, t, { reduction: 'sum' }), [0]);
check('mseLoss mean', () => [rn(3, 4), rn(3, 4)], ([a, b]) => F.mseLoss(a, b), [0, 1]);
check('mseLoss sum', () => [rn(3, 4), rn(3, 4)], ([a, b]) => F.mseLoss(a, b, { reduction: 'sum' }), [0, 1]);
check('mseLoss none', () => [rn(2, 3, 2), rn(2, 3, 2)], ([a, b]) => F.mseLoss(a, b, { reduction: 'none' }), [0, 1]);

// ---- matmul and pointwise ------------------------------------------------------------------------
check('matmul 2d', () => [rn(3, 4), rn(4, 5)], ([a, b]) => torch.matmul(a, b), [0, 1]);
check('matmul batched broadcast', () => [rn(2, 1, 3, 4), rn(3, 4, 2)], ([a, b]) => torch.matmul(a, b), [0, 1]);
check('matmul 1d-3d', () => [rn(4), rn(2, 4, 3)], ([a, b]) => torch.matmul(a, b), [0, 1]);
check('matmul transposed input', () => [rn(4, 3), rn(4, 5)], ([a, b]) => torch.matmul(a.transpose(-2, -1), b), [0, 1]);
check('addmm beta alpha', () => [rn(5), rn(3, 4), rn(4, 5)], ([c, a, b]) => torch.addmm(c, a, b, { beta: 0.5, alpha: 2 }), [0, 1, 2]);
check('mul + div broadcast', () => [rn(3, 1), rn(1, 4), pos(4)], ([a, b, c]) => a.mul(b).div(c), [0, 1, 2]);
check('pow tensor-tensor', () => [pos(3, 4), rn(3, 4)], ([a, b]) => torch.pow(a, b), [0, 1]);
check('sigmoid tanh exp chain', () => [rn(3, 4)], ([x]) => x.sigmoid().add(x.tanh()).mul(x.mul(0.5).exp()), [0]);
check('sqrt log rsqrt', () => [pos(3, 4)], ([x]) => x.sqrt().add(x.log()).sub(x.rsqrt()), [0]);
check('std var', () => [rn(3, 5)], ([x]) => x.std(1).add(x.var(0, { correction: 0 }).sum()), [0]);

// ---- the checker itself -------------------------------------------------------------------------
test('gradcheck detects a wrong gradient', () => {
  torch.tidy(() => {
    torch.manualSeed(1);
    // x * x.detach(): backward gives x, the true derivative of x^2 is 2x.
    assert.throws(() => gradcheck(([x]) => x.mul(x.detach()), [rn(2, 3)], [0]), /gradient mismatch/);
    // and a function the analytic gradient misses (detach), to catch a checker that compares nothing
    assert.throws(() => gradcheck(([x]) => x.add(x.detach().mul(2)), [rn(2, 3)], [0]), /gradient mismatch/);
  });
});
