// Malformed calls, part 2 (part 1, with the error model, is bad-input.test.ts): out-of-range
// indices and dims, wrong argument types, autograd misuse, scopes, creation/nn options, safetensors files, and memory the tensor does not own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../src/index.js';
import { F, Tensor } from '../src/index.js';
import {
  bad, checkError, child, dir, file, FF, healthTest, IDX, RANGE, RT, st, T, TYPE, VAL,
} from './bad-input.helpers.js';

// ---- out-of-range indices and dims -------------------------------------------------------------------
bad('index: select(0, 5) on [3, 4]', () => torch.ones([3, 4]).select(0, 5), IDX, /select\(\): index 5 out of range for tensor of size \[3, 4\] at dimension 0/);
bad('index: select(1, -5) on [3, 4]', () => torch.ones([3, 4]).select(1, -5), IDX, /index -5 out of range for tensor of size \[3, 4\] at dimension 1/);
bad('index: select on a 0-dim tensor', () => torch.scalarTensor(1).select(0, 0), IDX, /select\(\) cannot be applied to a 0-dim tensor/);
bad('index: x.index(3) on [3]', () => torch.ones([3]).index(3), IDX, /index 3 out of range for tensor of size \[3\] at dimension 0/);
bad('index: x.index(tensor [0, 7])', () => torch.ones([3]).index(torch.tensor([0n, 7n])), IDX, /index 7 is out of bounds for dimension 0 with size 3/);
bad('index: x.index([5]) (number list)', () => torch.ones([3]).index([5]), IDX, /index 5 is out of bounds for dimension 0 with size 3/);
bad('index: x.index(0, 0) on 1-D', () => torch.ones([3]).index(0, 0), RANGE, /^index: too many indices for tensor of dimension 1/);
bad('index: mask of the wrong shape', () => torch.ones([3]).index(torch.ones([4]).gt(0)), IDX, /The shape of the mask \[4\] at index 0 does not match the shape of the indexed tensor \[3\]/);
bad('index: slice "a:b"', () => torch.ones([3]).index('a:b'), TYPE, /^index: cannot parse slice 'a:b'/);
bad('index: slice "::-1"', () => torch.ones([3]).index('::-1'), RANGE, /^slice: step must be greater than zero, got -1/);
bad('index: two ellipses', () => torch.ones([3]).index('...', '...'), TYPE, /^index: only one ellipsis \(\.\.\.\) is allowed/);
bad('index: x.index(true)', () => T.ones([3]).index(true), TYPE, /^index: unsupported index boolean true/);
bad('index: gather index 3 of size 3', () => torch.ones([3]).gather(0, torch.tensor([3n])), RT, /index 3 is out of bounds for dimension 0 with size 3/);
bad('index: gather with an index of another rank', () => torch.ones([3, 3]).gather(0, torch.tensor([0n])), RT, /Index tensor must have the same number of dimensions as input tensor/);
bad('index: scatterAdd index 5 of size 3', () => torch.zeros([3]).scatterAdd(0, torch.tensor([5n]), torch.ones([1])), RT, /index 5 is out of bounds for dimension 0 with size 3/);
bad('index: indexSelect index 3 of size 3', () => torch.ones([3]).indexSelect(0, torch.tensor([3n])), IDX, /index out of range in self/);
bad('index: indexSelect with a 2-D index', () => torch.ones([3]).indexSelect(0, torch.tensor([[0n]])), IDX, /Index is supposed to be a vector/);
bad('index: indexPut_ index 9 of size 3', () => torch.ones([3]).indexPut_([torch.tensor([9n])], torch.ones([1])), IDX, /index 9 is out of bounds for dimension 0 with size 3/);
bad('index: narrow(0, 2, 5) on [3]', () => torch.ones([3]).narrow(0, 2, 5), RT, /start \(2\) \+ length \(5\) exceeds dimension size \(3\)/);
bad('index: slice step 0', () => torch.ones([3]).slice(0, 0, 1, 0), RANGE, /^slice: step must be greater than zero, got 0/);
bad('index: crossEntropy target 5 with 3 classes', () => F.crossEntropy(torch.ones([2, 3]), torch.tensor([0n, 5n])), IDX, /Target 5 is out of bounds/);
bad('index: oneHot class 5 with 3 classes', () => F.oneHot(torch.tensor([5n]), 3), RT, /Class values must be smaller than num_classes/);
bad('index: item() of 3 elements', () => torch.ones([3]).item(), RT, /a Tensor with 3 elements cannot be converted to Scalar/);
bad('index: topk(5) of 3 elements', () => torch.ones([3]).topk(5), RT, /selected index k out of range/);
bad('dim: sum(2) on 2-D', () => torch.ones([2, 3]).sum(2), IDX, /Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/);
bad('dim: sum(-3) on 2-D', () => torch.ones([2, 3]).sum(-3), IDX, /Dimension out of range \(expected to be in range of \[-2, 1\], but got -3\)/);
bad('dim: sum([0, 0])', () => torch.ones([2, 3]).sum([0, 0]), RT, /dim 0 appears multiple times in the list of dims/);
bad('dim: sum(0.5)', () => torch.ones([2, 3]).sum(0.5), RANGE, /^dim: expected an integer, got 0\.5/);
bad('dim: x.softmax(5)', () => torch.ones([2, 3]).softmax(5), IDX, /Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)/);
bad('dim: F.logSoftmax(x, -3)', () => F.logSoftmax(torch.ones([2, 3]), -3), IDX, /but got -3\)/);
bad('dim: x.softmax(0.5)', () => torch.ones([2, 3]).softmax(0.5), RANGE, /^dim: /);
bad('dim: transpose(0, 2) on 2-D', () => torch.ones([2, 3]).transpose(0, 2), IDX, /but got 2\)/);
bad('dim: squeeze(3) on 2-D', () => torch.ones([2, 3]).squeeze(3), IDX, /but got 3\)/);
bad('dim: unsqueeze(4) on 2-D', () => torch.ones([2, 3]).unsqueeze(4), IDX, /expected to be in range of \[-3, 2\], but got 4\)/);
bad('dim: cat along dim 3 of 1-D', () => torch.cat([torch.ones([2]), torch.ones([2])], 3), IDX, /but got 3\)/);
bad('dim: size(1) of 1-D', () => torch.ones([3]).size(1), RANGE, /^dim: Dimension out of range \(expected to be in range of \[-1, 0\], but got 1\)/);
bad('dim: argmax() of an empty tensor', () => torch.ones([0]).argmax(), IDX, /Expected reduction dim to be specified for input\.numel\(\) == 0/);

// ---- wrong argument types ------------------------------------------------------------------------
bad('type: relu("abc")', () => T.relu('abc'), TYPE, /^input: expected a Tensor, got string abc/);
bad('type: relu({})', () => T.relu({}), TYPE, /^input: expected a Tensor, got an object/);
bad('type: relu(null)', () => T.relu(null), TYPE, /^input: expected a Tensor, got null/);
bad('type: relu(undefined)', () => T.relu(undefined), TYPE, /^input: expected a Tensor, got undefined/);
bad('type: relu(object with Tensor.prototype)', () => T.relu(Object.create(Tensor.prototype)), TYPE, /^input: expected a Tensor, got an object/);
bad('type: matmul(x, number[][])', () => T.matmul(torch.ones([2, 2]), [[1, 2], [3, 4]]), TYPE, /^other: expected a Tensor, got an array/);
bad('type: add(x, "abc")', () => T.add(torch.ones([2]), 'abc'), TYPE, /^other: expected a number or boolean, got string abc/);
bad('type: add(x, null)', () => T.add(torch.ones([2]), null), TYPE, /^other: expected a number or boolean, got null/);
bad('type: cat([1, 2, 3])', () => T.cat([1, 2, 3]), TYPE, /^tensors\[0\]: expected a Tensor, got number 1/);
bad('type: cat(tensor) (not a list)', () => T.cat(torch.ones([2])), TYPE, /^tensors: expected an array of Tensors/);
bad('type: transpose("a", 1)', () => T.ones([2, 2]).transpose('a', 1), TYPE, /^dim0: expected an integer, got string a/);
bad('type: fill_("x")', () => T.ones([2]).fill_('x'), TYPE, /^value: expected a number or boolean, got string x/);
bad('type: full([2], 1n)', () => T.full([2], 1n), TYPE, /^fillValue: expected a number or boolean, got bigint 1/);
bad('type: requiresGrad: "yes"', () => T.zeros([2], { requiresGrad: 'yes' }), TYPE, /^requiresGrad: expected a boolean, got string yes/);
bad('type: backward retainGraph "yes"', () => T.ones([2], { requiresGrad: true }).sum().backward(null, { retainGraph: 'yes' }), TYPE, /^retainGraph: expected a boolean, got string yes/);
bad('type: dropout p "0.5"', () => FF.dropout(torch.ones([2]), '0.5'), TYPE, /^p: expected a number, got string 0\.5/);
bad('type: keep(5)', () => T.keep(5), TYPE, /^keep: expected a Tensor, got number 5/);
bad('type: manualSeed("1")', () => T.manualSeed('1'), TYPE, /^seed: expected an integer, got string 1/);
bad('type: select(0, 2**60)', () => torch.ones([3]).select(0, 2 ** 60), RANGE, /^index: /);
bad('type: clamp("a", 1)', () => T.ones([2]).clamp('a', 1), TYPE, /^min: /);
bad('type: layerNorm eps "x"', () => FF.layerNorm(torch.ones([2, 3]), [3], { eps: 'x' }), TYPE, /^eps: /);
bad('type: layerNorm normalizedShape [NaN]', () => F.layerNorm(torch.ones([2, 3]), [NaN]), RANGE, /^normalizedShape: /);
bad('type: addmm beta "x"', () => T.addmm(torch.ones([2, 2]), torch.ones([2, 2]), torch.ones([2, 2]), { beta: 'x' }), TYPE, /^beta: /);
bad('type: F.pad(x, 3)', () => FF.pad(torch.ones([2]), 3), TYPE, /^pad: /);
bad('type: conv2d options null', () => FF.conv2d(torch.ones([1, 1, 4, 4]), torch.ones([1, 1, 3, 3]), null, null), TYPE, /^conv2d: expected an options object/);
bad('type: indexPut_(tensor, values) (indices not a list)', () => T.ones([3]).indexPut_(torch.tensor([0n]), torch.ones([1])), TYPE, /^indices: /);
bad('type: indexPut_([null], values)', () => torch.ones([3]).indexPut_([null], torch.ones([1])), TYPE, /^indices/);
bad('type: zeros([2], {requires_grad: true}) (unknown option)', () => T.zeros([2], { requires_grad: true }), TYPE, /requires_grad/);
bad('type: arange(0, "5")', () => T.arange(0, '5'), TYPE, /^end: expected a number, got string 5/);

// ---- autograd misuse ----------------------------------------------------------------------------------
bad('autograd: backward on a non-scalar without gradient', () => torch.ones([2], { requiresGrad: true }).mul(2).backward(), RT, /grad can be implicitly created only for scalar outputs/);
bad('autograd: backward twice without retainGraph', () => {
  const y = torch.ones([2], { requiresGrad: true }).sigmoid().sum();
  y.backward();
  y.backward();
}, RT, /Trying to backward through the graph a second time.*retain_graph=True/s);
bad('autograd: backward on a tensor without grad', () => torch.ones([2]).sum().backward(), RT, /element 0 of tensors does not require grad and does not have a grad_fn/);
bad('autograd: backward gradient of the wrong shape', () => torch.ones([2], { requiresGrad: true }).mul(2).backward(torch.ones([3])), RT, /invalid gradient at index 0 - got \[3\] but expected shape compatible with \[2\]/);
bad('autograd: add_ on a leaf requiring grad', () => torch.ones([2], { requiresGrad: true }).add_(1), RT, /a leaf Variable that requires grad is being used in an in-place operation/);
bad('autograd: fill_ on a leaf requiring grad', () => torch.ones([2], { requiresGrad: true }).fill_(3), RT, /a leaf Variable that requires grad is being used in an in-place operation/);
bad('autograd: modifying a saved tensor in place', () => {
  const b = torch.ones([2], { requiresGrad: true }).sigmoid();
  b.mul_(2);
  b.sum().backward();
}, RT, /one of the variables needed for gradient computation has been modified by an inplace operation/);
bad('autograd: grad of the wrong shape', () => { torch.ones([2], { requiresGrad: true }).grad = torch.ones([3]); }, RT, /assigned grad has shape \[3\] but the tensor has shape \[2\]/);
bad('autograd: grad = number[]', () => { T.ones([2], { requiresGrad: true }).grad = [1, 2]; }, TYPE, /^grad: expected a Tensor, got an array/);
bad('autograd: requiresGrad = false on a non-leaf', () => { torch.ones([2], { requiresGrad: true }).mul(2).requiresGrad = false; }, RT, /you can only change requires_grad flags of leaf variables/);
bad('autograd: retainGrad on a tensor without grad', () => torch.ones([2]).retainGrad(), RT, /can't retain_grad on Tensor that has requires_grad=False/);

// ---- scopes ----------------------------------------------------------------------------------------
bad('scope: tidy(async fn)', () => torch.tidy((async () => torch.ones([2])) as () => unknown), TYPE, /^tidy: the function returned a Promise; scopes cannot span an await/);
bad('scope: tidy(42)', () => T.tidy(42), TYPE, /^tidy: expected a function/);
bad('scope: noGrad(async fn)', () => torch.noGrad((async () => 1) as () => unknown), TYPE, /^noGrad: the function returned a Promise/);
test('scope: tidy(async fn) whose body fails after an await does not kill the process', () => {
  const r = child(`try { torch.tidy(async () => { const a = torch.ones([2]); await null; return a.add(1); }); } catch (e) { console.log('sync', e.constructor.name); }
await new Promise((r) => setTimeout(r, 100)); console.log('alive');`);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /sync TypeError[\s\S]*alive/);
});

// ---- creation arguments and options ---------------------------------------------------------------
bad('create: new Tensor()', () => new (Tensor as any)(), TYPE, /^Tensor: use torch\.tensor\(\), torch\.zeros\(\)/);
bad('create: randint(5, 5, [2])', () => torch.randint(5, 5, [2]), RANGE, /^randint: expected low < high, got low=5, high=5/);
bad('create: randint(0, [2]) (high 0)', () => torch.randint(0, [2]), RANGE, /^randint: expected low < high, got low=0, high=0/);
bad('create: randint(0, 5.5, [2])', () => torch.randint(0, 5.5, [2]), RANGE, /^high: expected an integer, got 5\.5/);
bad('create: linspace(0, 1, -1)', () => torch.linspace(0, 1, -1), RANGE, /^linspace: steps must be non-negative, got -1/);
bad('create: linspace(0, 1, 2.5)', () => torch.linspace(0, 1, 2.5), RANGE, /^steps: expected an integer, got 2\.5/);
bad('create: arange(0, 5, 0)', () => torch.arange(0, 5, 0), RANGE, /^arange: step must be nonzero/);
bad('create: arange(Infinity)', () => torch.arange(Infinity), RANGE, /^arange: start and end must be finite/);
bad('create: arange(0, 5, -1)', () => torch.arange(0, 5, -1), RT, /upper bound and larger bound inconsistent with step sign/);
bad('create: randperm(-1)', () => torch.randperm(-1), RANGE, /^randperm: n must be non-negative, got -1/);
bad('create: eye(-1)', () => torch.eye(-1), RANGE, /^eye: sizes must be non-negative/);
bad('create: manualSeed(1.5)', () => torch.manualSeed(1.5), RANGE, /^seed: expected an integer, got 1\.5/);
bad('create: setNumThreads(0)', () => torch.setNumThreads(0), RANGE, /^setNumThreads: n must be >= 1, got 0/);
bad('nn: dropout p = -0.1', () => F.dropout(torch.ones([2]), -0.1), RANGE, /dropout probability has to be between 0 and 1, but got -0\.1/);
bad('nn: dropout p = 1.5', () => F.dropout(torch.ones([2]), 1.5), RANGE, /dropout probability has to be between 0 and 1, but got 1\.5/);
bad('nn: dropout p = NaN', () => F.dropout(torch.ones([2]), NaN), RT, /dropout probability has to be between 0 and 1, but got nan/);
bad('nn: bernoulli_(NaN)', () => torch.ones([2]).bernoulli_(NaN), RT, /bernoulli_ expects p to be in \[0, 1\], but got p=nan/);
bad('nn: normal_(0, -1)', () => torch.ones([2]).normal_(0, -1), RANGE, /^normal_: std must be non-negative, got -1/);
bad('nn: uniform_(1, 0)', () => torch.ones([2]).uniform_(1, 0), RT, /uniform_ expects to return a \[from, to\) range, but found from=1 > to=0/);
bad('nn: clamp() with no bounds', () => torch.ones([2]).clamp(), TYPE, /^clamp: at least one of 'min' or 'max' must not be None/);
bad('nn: clamp_(null, null)', () => torch.ones([2]).clamp_(null, null), TYPE, /^clamp_: at least one of 'min' or 'max' must not be None/);
bad('nn: conv2d padding "full"', () => FF.conv2d(torch.ones([1, 1, 4, 4]), torch.ones([1, 1, 3, 3]), null, { padding: 'full' }), TYPE, /^padding: expected an int, a pair, 'same' or 'valid', got 'full'/);
bad('nn: conv2d padding "same" with stride 2', () => F.conv2d(torch.ones([1, 1, 4, 4]), torch.ones([1, 1, 3, 3]), null, { padding: 'same', stride: 2 }), RT, /padding='same' is not supported for strided convolutions/);
bad('nn: conv2d padding -1', () => F.conv2d(torch.ones([1, 1, 4, 4]), torch.ones([1, 1, 3, 3]), null, { padding: -1 }), RT, /negative padding is not supported/);
bad('nn: conv2d stride 0', () => F.conv2d(torch.ones([1, 1, 4, 4]), torch.ones([1, 1, 3, 3]), null, { stride: 0 }), RT, /non-positive stride is not supported/);
bad('nn: conv2d groups 0', () => F.conv2d(torch.ones([1, 2, 4, 4]), torch.ones([1, 2, 3, 3]), null, { groups: 0 }), RT, /non-positive groups is not supported/);
bad('nn: mseLoss reduction "avg"', () => FF.mseLoss(torch.ones([2]), torch.ones([2]), { reduction: 'avg' }), TYPE, /^reduction: expected 'none', 'mean' or 'sum', got string avg/);
bad('nn: crossEntropy reduction "avg"', () => FF.crossEntropy(torch.ones([2, 3]), torch.tensor([0n, 1n]), { reduction: 'avg' }), TYPE, /^reduction: expected 'none', 'mean' or 'sum', got string avg/);
bad('nn: crossEntropy labelSmoothing 2', () => F.crossEntropy(torch.ones([2, 3]), torch.tensor([0n, 1n]), { labelSmoothing: 2 }), RANGE, /^labelSmoothing: must be in \[0, 1\], got 2/);
bad('nn: crossEntropy weight of the wrong size', () => F.crossEntropy(torch.ones([2, 3]), torch.tensor([0n, 1n]), { weight: torch.ones([5]) }), RT, /weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: \[5\]/);
bad('nn: gelu approximate "fast"', () => FF.gelu(torch.ones([2]), { approximate: 'fast' }), TYPE, /^approximate: expected 'none' or 'tanh', got string fast/);
bad('nn: pad mode "mirror"', () => FF.pad(torch.ones([1, 2, 2]), [1, 1], { mode: 'mirror' }), TYPE, /^mode: unknown padding mode 'mirror'/);
bad('nn: div roundingMode "ceil"', () => T.div(torch.ones([2]), 2, { roundingMode: 'ceil' }), TYPE, /^roundingMode: expected 'trunc' or 'floor', got ceil/);
bad('nn: batchNorm eval without running stats', () => F.batchNorm(torch.ones([2, 3]), null, null), TYPE, /^batchNorm: runningMean and runningVar are required when training is false/);
bad('nn: batchNorm training on one sample per channel', () => F.batchNorm(torch.ones([1, 3]), null, null, { training: true }), VAL, /Expected more than 1 value per channel when training/);

// ---- safetensors files -----------------------------------------------------------------------------
bad('load: truncated to 3 bytes', () => torch.load(file('short.safetensors', Buffer.from([1, 2, 3]))), RT, /not a valid safetensors file: file is 3 bytes, shorter than the 8-byte header length/);
bad('load: header length beyond the file', () => torch.load(file('len.safetensors', Buffer.from([255, 255, 255, 255, 255, 255, 255, 255, 0, 0]))), RT, /header length \d+ exceeds the file size 10/);
bad('load: header not JSON', () => torch.load(file('json.safetensors', Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('abcd')]))), RT, /header is not JSON/);
bad('load: unsupported dtype C64', () => torch.load(file('dtype.safetensors', st({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, Buffer.alloc(8)))), RT, /tensor 'a' has unsupported dtype "C64"/);
bad('load: negative shape', () => torch.load(file('shape.safetensors', st({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, Buffer.alloc(4)))), RT, /tensor 'a' has a bad shape/);
bad('load: data_offsets past the data', () => torch.load(file('off.safetensors', st({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, Buffer.alloc(8)))), RT, /data_offsets \[0,16\] outside the 8-byte data section/);
bad('load: byte count not matching the shape', () => torch.load(file('size.safetensors', st({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8)))), RT, /tensor 'a' of shape \[3\] \(float32\) needs 12 bytes, the file gives 8/);
bad('load: a saved file cut short', () => {
  const bytes = torch.serialize({ a: torch.ones([4]) });
  return torch.load(file('cut.safetensors', bytes.subarray(0, bytes.length - 3)));
}, RT, /tensor 'a' has data_offsets \[0,16\] outside the 13-byte data section/);
bad('load: non-string metadata', () => torch.loadWithMetadata(file('meta.safetensors', st({ __metadata__: { a: 1 } }))), RT, /metadata/);
test('load: a missing file -> ENOENT naming the path', () => {
  const p = join(dir, 'missing.safetensors');
  assert.throws(() => torch.load(p), (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && e.message.includes(p));
});
bad('load: load(null)', () => T.load(null), TYPE, /^path: expected a file path string, got null/);
test('load: a tensor named "__proto__" is kept (or rejected)', () => {
  const raw = Buffer.from('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(raw.length));
  torch.tidy(() => {
    let keys: string[] = [];
    try {
      keys = Object.keys(torch.deserialize(Buffer.concat([len, raw, Buffer.alloc(4)])).tensors);
    } catch (e) {
      checkError(e, RT, /__proto__/);
      return;
    }
    assert.deepEqual(keys, ['__proto__']);
  });
});
test('load: load(0) (a number, read as a file descriptor) -> TypeError naming path', () => {
  const r = child(`try { torch.load(0); console.log('returned'); } catch (e) { console.log('threw', e.constructor.name, e.message); }`);
  assert.match(r.out, /threw TypeError path/);
});
test('save: into a missing directory -> ENOENT, no temp file left', () => {
  torch.tidy(() => {
    const p = join(dir, 'no-such-dir', 'x.safetensors');
    assert.throws(() => torch.save({ a: torch.ones([1]) }, p), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  });
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
});

// ---- memory the tensor does not own --------------------------------------------------------------------
test('buffer: fromBuffer over a resizable ArrayBuffer, then shrunk, does not crash', () => {
  const r = child(`const ab = new ArrayBuffer(1 << 24, { maxByteLength: 1 << 26 }); const f = new Float32Array(ab);
let t; try { t = torch.fromBuffer(f, [f.length]); } catch (e) { console.log('threw', e.constructor.name); process.exit(0); }
ab.resize(0); console.log('sum', t.sum().item());`);
  assert.equal(r.signal, null, `child killed by ${r.signal}`);
  assert.equal(r.status, 0, r.out);
});
test('buffer: tensor() of a view over a SharedArrayBuffer copies it (or names the problem)', () => {
  torch.tidy(() => {
    try {
      assert.deepEqual(torch.tensor(new Float32Array(new SharedArrayBuffer(8))).toArray(), [0, 0]);
    } catch (e) {
      checkError(e, TYPE, /^data: .*SharedArrayBuffer/);
    }
  });
});

// ---- the process survived all of the above (last test) ---------------------------------------------------
healthTest();
