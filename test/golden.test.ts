// Golden op tests: every case in test/fixtures/golden_ops.safetensors (PyTorch 1.13 reference
// results made by test/gen/gen_golden.py) is replayed through torchlab and compared, outputs and
// input gradients, within the case's tolerances. See test/gen/README.md for the layout and
// test/gen/golden_ops.py for what each op name / argument means on the PyTorch side.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';
import { F, type Tensor } from '../src/index.js';
import type { IndexSpec } from '../src/tensor/shape-ops.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/golden_ops.safetensors', import.meta.url));

interface CaseSpec {
  name: string;
  op: string;
  nin: number;
  nout: number;
  grad: boolean[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  args: Record<string, any>;
  rtol: number;
  atol: number;
  goutAll: boolean;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Args = Record<string, any>;
type OpFn = (ins: Tensor[], a: Args) => Tensor | Tensor[];

const { tensors: FX, metadata } = torch.loadWithMetadata(FIXTURE);
const CASES: CaseSpec[] = JSON.parse(metadata.cases);
after(() => torch.dispose(FX));

// ---- op table: torchlab op name -> torchlab call (mirrors test/gen/golden_ops.py) -------------
/** Second operand: the JS number {"scalar": x} or tensor input 1. */
const other = (ins: Tensor[], a: Args): Tensor | number => ('scalar' in a ? a.scalar : ins[1]);
/** Present optional args only (absent key = torchlab's default). */
function pick(a: Args, ...keys: string[]): Args {
  const o: Args = {};
  for (const k of keys) if (k in a) o[k] = a[k];
  return o;
}

function indexSpec(spec: unknown[], ins: Tensor[]): IndexSpec[] {
  return spec.map((s): IndexSpec => {
    if (s === ':' || s === '...' || s === null || typeof s === 'number') return s as IndexSpec;
    const o = s as { tensor?: number; slice?: (number | null)[] };
    if (o.tensor !== undefined) return ins[o.tensor];
    if (o.slice !== undefined) {
      const [start, end, step] = o.slice;
      return { start, end, step: step ?? 1 };
    }
    throw new Error(`bad index spec element ${JSON.stringify(s)}`);
  });
}

const OPS: Record<string, OpFn> = {};
for (const n of ['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'sigmoid', 'tanh', 'relu'] as const) {
  OPS[n] = (ins) => torch[n](ins[0]);
}
OPS.add = (ins, a) => torch.add(ins[0], other(ins, a), pick(a, 'alpha'));
OPS.sub = (ins, a) => torch.sub(ins[0], other(ins, a), pick(a, 'alpha'));
for (const n of ['mul', 'div', 'pow', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
  OPS[n] = (ins, a) => torch[n](ins[0], other(ins, a));
}
OPS.maximum = (ins) => torch.maximum(ins[0], ins[1]);
OPS.minimum = (ins) => torch.minimum(ins[0], ins[1]);
OPS.where = (ins) => torch.where(ins[0], ins[1], ins[2]);
OPS.clamp = (ins, a) => torch.clamp(ins[0], a.min ?? null, a.max ?? null);

// reductions
OPS.sum = (ins, a) => ('dim' in a ? torch.sum(ins[0], a.dim, { keepdim: a.keepdim ?? false }) : torch.sum(ins[0]));
OPS.mean = (ins, a) => ('dim' in a ? torch.mean(ins[0], a.dim, { keepdim: a.keepdim ?? false }) : torch.mean(ins[0]));
OPS.max = (ins, a) => ('dim' in a ? [...torch.max(ins[0], a.dim, a.keepdim ?? false)] : torch.max(ins[0]));
OPS.min = (ins, a) => ('dim' in a ? [...torch.min(ins[0], a.dim, a.keepdim ?? false)] : torch.min(ins[0]));
OPS.argmax = (ins, a) => ('dim' in a ? torch.argmax(ins[0], a.dim, a.keepdim ?? false) : torch.argmax(ins[0]));
OPS.argmin = (ins, a) => ('dim' in a ? torch.argmin(ins[0], a.dim, a.keepdim ?? false) : torch.argmin(ins[0]));
OPS.std = (ins, a) => torch.std(ins[0], a.dim ?? null, { correction: a.correction ?? 1, keepdim: a.keepdim ?? false });
OPS.var = (ins, a) => torch.var(ins[0], a.dim ?? null, { correction: a.correction ?? 1, keepdim: a.keepdim ?? false });

// linear algebra
OPS.matmul = (ins) => torch.matmul(ins[0], ins[1]);
OPS.mm = (ins) => torch.mm(ins[0], ins[1]);
OPS.bmm = (ins) => torch.bmm(ins[0], ins[1]);
OPS.addmm = (ins, a) => torch.addmm(ins[0], ins[1], ins[2], pick(a, 'beta', 'alpha'));

// shape
OPS.view = (ins, a) => ins[0].view(a.shape);
OPS.reshape = (ins, a) => ins[0].reshape(a.shape);
OPS.flatten = (ins, a) => torch.flatten(ins[0], a.startDim ?? 0, a.endDim ?? -1);
OPS.permute = (ins, a) => ins[0].permute(a.dims);
OPS.transpose = (ins, a) => ins[0].transpose(a.dim0, a.dim1);
OPS.contiguous = (ins) => ins[0].contiguous();
OPS.squeeze = (ins, a) => ('dim' in a ? ins[0].squeeze(a.dim) : ins[0].squeeze());
OPS.unsqueeze = (ins, a) => ins[0].unsqueeze(a.dim);
OPS.expand = (ins, a) => ins[0].expand(a.shape);
OPS.cat = (ins, a) => torch.cat(ins, a.dim ?? 0);
OPS.stack = (ins, a) => torch.stack(ins, a.dim ?? 0);
OPS.split = (ins, a) => torch.split(ins[0], a.splitSizeOrSections, a.dim ?? 0);
OPS.chunk = (ins, a) => torch.chunk(ins[0], a.chunks, a.dim ?? 0);

// indexing
OPS.narrow = (ins, a) => ins[0].narrow(a.dim, a.start, a.length);
OPS.indexSelect = (ins, a) => torch.indexSelect(ins[0], a.dim, ins[1]);
OPS.gather = (ins, a) => torch.gather(ins[0], a.dim, ins[1]);
OPS.maskedFill = (ins, a) => ins[0].maskedFill(ins[1], a.value);
OPS.select = (ins, a) => ins[0].select(a.dim, a.index);
OPS.slice = (ins, a) => torch.slice(ins[0], a.dim, a.start ?? null, a.end ?? null, a.step ?? 1);
OPS.index = (ins, a) => ('spec' in a ? ins[0].index(...indexSpec(a.spec, ins)) : ins[0].index(ins[1]));
OPS.oneHot = (ins, a) => F.oneHot(ins[0], a.numClasses ?? -1);

// nn.functional
OPS['F.conv2d'] = (ins, a) => F.conv2d(ins[0], ins[1], ins[2] ?? null, pick(a, 'stride', 'padding', 'dilation', 'groups'));
OPS['F.maxPool2d'] = (ins, a) => F.maxPool2d(ins[0], a.kernelSize, pick(a, 'stride', 'padding', 'dilation', 'ceilMode'));
OPS['F.avgPool2d'] = (ins, a) => F.avgPool2d(ins[0], a.kernelSize, pick(a, 'stride', 'padding', 'ceilMode', 'countIncludePad'));
OPS['F.adaptiveAvgPool2d'] = (ins, a) => F.adaptiveAvgPool2d(ins[0], a.outputSize);
// inputs x, runningMean, runningVar[, weight, bias]; outputs y and the (mutated) running stats
OPS['F.batchNorm'] = (ins, a) => [
  F.batchNorm(ins[0], ins[1], ins[2], { weight: ins[3] ?? null, bias: ins[4] ?? null, ...pick(a, 'training', 'momentum', 'eps') }),
  ins[1],
  ins[2],
];
OPS['F.linear'] = (ins) => F.linear(ins[0], ins[1], ins[2] ?? null);
OPS['F.relu'] = (ins) => F.relu(ins[0]);
OPS['F.leakyRelu'] = (ins, a) => ('negativeSlope' in a ? F.leakyRelu(ins[0], a.negativeSlope) : F.leakyRelu(ins[0]));
OPS['F.gelu'] = (ins, a) => F.gelu(ins[0], pick(a, 'approximate'));
OPS['F.softmax'] = (ins, a) => F.softmax(ins[0], a.dim);
OPS['F.logSoftmax'] = (ins, a) => F.logSoftmax(ins[0], a.dim);
OPS['F.crossEntropy'] = (ins, a) =>
  F.crossEntropy(ins[0], ins[1], { weight: ins[2] ?? null, ...pick(a, 'reduction', 'ignoreIndex', 'labelSmoothing') });
OPS['F.nllLoss'] = (ins, a) => F.nllLoss(ins[0], ins[1], { weight: ins[2] ?? null, ...pick(a, 'reduction', 'ignoreIndex') });
OPS['F.mseLoss'] = (ins, a) => F.mseLoss(ins[0], ins[1], pick(a, 'reduction'));
OPS['F.dropout'] = (ins, a) => F.dropout(ins[0], a.p ?? 0.5, a.training ?? true);

// in place: the output is the (mutated) input 0 as the call returns it
OPS.add_ = (ins, a) => ins[0].add_(other(ins, a), pick(a, 'alpha'));
OPS.mul_ = (ins, a) => ins[0].mul_(other(ins, a));
OPS.addcmul_ = (ins, a) => ins[0].addcmul_(ins[1], ins[2], pick(a, 'value'));
OPS.addcdiv_ = (ins, a) => ins[0].addcdiv_(ins[1], ins[2], pick(a, 'value'));
OPS.lerp_ = (ins, a) => ins[0].lerp_(ins[1], 'weight' in a ? a.weight : ins[2]);
OPS.zero_ = (ins) => ins[0].zero_();
OPS.fill_ = (ins, a) => ins[0].fill_(a.value);
OPS.copy_ = (ins) => ins[0].copy_(ins[1]);
OPS.clamp_ = (ins, a) => ins[0].clamp_(a.min ?? null, a.max ?? null);
OPS.maskedFill_ = (ins, a) => ins[0].maskedFill_(ins[1], a.value);

// ---- comparison -------------------------------------------------------------------------------
type Flat = ArrayLike<number> | BigInt64Array;
/** Elements as numbers (float16/bfloat16 widened to float32); int64 stays a BigInt64Array. */
function flat(t: Tensor): Flat {
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') return t.float().data() as Float32Array;
  return t.data() as Flat;
}

/** Asserts `got` matches `want` in shape, dtype and values (|a-b| <= atol + rtol*|b|, NaN == NaN). */
function assertClose(got: Tensor, want: Tensor, rtol: number, atol: number, what: string): void {
  assert.deepEqual([...got.shape], [...want.shape], `${what}: shape [${got.shape}] != expected [${want.shape}]`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype ${got.dtype} != expected ${want.dtype}`);
  const g = flat(got);
  const w = flat(want);
  const exact = !torch.isFloatingPoint(want.dtype);
  const bad: string[] = [];
  let nBad = 0;
  let maxErr = 0;
  for (let i = 0; i < w.length; i++) {
    const a = g[i];
    const b = w[i];
    let ok: boolean;
    if (exact) {
      ok = a === b;
    } else {
      const x = a as number;
      const y = b as number;
      const err = Math.abs(x - y);
      ok = (Number.isNaN(x) && Number.isNaN(y)) || x === y || err <= atol + rtol * Math.abs(y);
      if (!ok) maxErr = Math.max(maxErr, Number.isNaN(err) ? Infinity : err);
    }
    if (!ok) {
      nBad++;
      if (bad.length < 6) bad.push(`[${i}] got ${a} expected ${b}`);
    }
  }
  if (nBad) {
    assert.fail(
      `${what}: ${nBad}/${w.length} elements differ` +
        (exact ? ' (exact compare)' : ` (rtol ${rtol}, atol ${atol}, max |err| ${maxErr.toExponential(3)})`) +
        `: ${bad.join('; ')}`,
    );
  }
}

// ---- the cases ----------------------------------------------------------------------------------
function runCase(c: CaseSpec): void {
  const fn = OPS[c.op];
  assert.ok(fn, `no torchlab mapping for op '${c.op}'`);
  const fx = (k: string): Tensor => {
    const t = FX[`${c.name}.${k}`];
    assert.ok(t, `fixture lacks tensor ${c.name}.${k}`);
    return t;
  };
  // Fresh leaves (clones: in-place ops and batchNorm's running stats mutate their inputs).
  const leaves = Array.from({ length: c.nin }, (_, i) => fx(`in.${i}`).clone().requiresGrad_(c.grad[i]));
  const callIns = [...leaves];
  if (c.args.transposeInput) callIns[0] = callIns[0].transpose(-2, -1);
  const args = { ...c.args };
  delete args.transposeInput;

  const anyGrad = c.grad.some(Boolean);
  const run = (): Tensor | Tensor[] => fn(callIns, args);
  const res = anyGrad ? run() : torch.noGrad(run);
  const outs = Array.isArray(res) ? res : [res];
  assert.equal(outs.length, c.nout, `number of outputs ${outs.length} != expected ${c.nout}`);
  outs.forEach((o, k) => assertClose(o, fx(`out.${k}`), c.rtol, c.atol, `out.${k}`));

  if (!anyGrad) return;
  if (c.goutAll) {
    // grads of sum_k (out.k * gout.k)
    let total: Tensor | null = null;
    outs.forEach((o, k) => {
      const s = o.mul(fx(`gout.${k}`)).sum();
      total = total === null ? s : total.add(s);
    });
    (total as Tensor | null)!.backward();
  } else {
    outs[0].backward(fx('gout.0'));
  }
  leaves.forEach((leaf, i) => {
    if (!c.grad[i]) return;
    const g = leaf.grad ?? torch.zerosLike(leaf);
    assertClose(g, fx(`grad.${i}`), c.rtol, c.atol, `grad.${i}`);
  });
}

for (const c of CASES) {
  test(`${c.name} [${c.op}]`, () => {
    const before = torch.memory().numTensors;
    torch.tidy(() => runCase(c));
    assert.equal(torch.memory().numTensors, before, 'tensors leaked out of tidy()');
  });
}
