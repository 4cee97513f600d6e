// Core behaviour against PyTorch's own output (test/fixtures/core.safetensors, made by
// test/gen/gen_core.py): seed parity, printing, and a CNN's loss, gradients and SGD steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { createCNN, RawSGD } from '../examples/raw-cnn.js';
import { assertClose } from './assert-tensor.js';

const { tensors: fx, metadata } = torch.loadWithMetadata(new URL('./fixtures/core.safetensors', import.meta.url).pathname);

test('seed parity: randn(3, 4) after manualSeed(0) equals PyTorch exactly', () => {
  torch.manualSeed(0);
  const x = torch.randn([3, 4]);
  assert.ok(x.equal(fx['rng.randn_3x4']), `got ${x}`);
});

test('seed parity: rand, randperm, randint, a sequence of draws, normal_ and uniform_', () => {
  torch.manualSeed(0);
  assert.ok(torch.rand(5).equal(fx['rng.rand_5']));
  torch.manualSeed(0);
  assert.ok(torch.randperm(10).equal(fx['rng.randperm_10']));
  torch.manualSeed(0);
  assert.ok(torch.randint(0, 10, [6]).equal(fx['rng.randint_0_10_6']));
  torch.manualSeed(0);
  assert.ok(torch.cat([torch.randn(2), torch.rand(3), torch.randn(17)]).equal(fx['rng.sequence']));
  torch.manualSeed(123);
  const nu = torch.cat([torch.empty(4).normal_(1, 2), torch.empty(4).uniform_(-3, 3)]);
  assert.ok(nu.equal(fx['rng.normal_uniform']));
});

test('getRngState / setRngState replay the same numbers', () => {
  torch.manualSeed(5);
  const state = torch.getRngState();
  const a = torch.randn(6);
  torch.setRngState(state);
  assert.ok(torch.randn(6).equal(a));
});

test('toString prints exactly like PyTorch', () => {
  for (const [name, text] of Object.entries(metadata)) {
    if (!name.startsWith('repr.') || name === 'repr.requires_grad' || name === 'repr.grad_fn') continue;
    assert.equal(fx[name].toString(), text, name);
  }
  const rg = fx['repr.requires_grad'].clone().requiresGrad_();
  assert.equal(rg.toString(), metadata['repr.requires_grad']);
  assert.equal(rg.mul(2).toString(), metadata['repr.grad_fn']);
});

test('the notebook CNN: logits, loss, every gradient and two SGD+momentum steps match PyTorch', () => {
  const cnn = createCNN({ inChannels: 3, imageSize: 32 });
  const names = ['w1', 'b1', 'w2', 'b2', 'w3', 'b3'];
  torch.noGrad(() => cnn.params.forEach((p, i) => p.copy_(fx[`cnn.${names[i]}`])));
  const logits = cnn.forward(fx['cnn.x']);
  assertClose(logits.detach(), fx['cnn.logits'], { rtol: 1e-5, atol: 1e-6, what: 'logits' });
  const loss = torch.F.crossEntropy(logits, fx['cnn.y']);
  assertClose(loss.detach(), fx['cnn.loss'], { what: 'loss' });
  loss.backward();
  cnn.params.forEach((p, i) => assertClose(p.grad!, fx[`cnn.grad.${names[i]}`], { rtol: 1e-5, atol: 1e-6, what: `grad ${names[i]}` }));
  const opt = new RawSGD(cnn.params, 0.01, 0.9);
  opt.step();
  opt.zeroGrad();
  torch.F.crossEntropy(cnn.forward(fx['cnn.x']), fx['cnn.y']).backward();
  opt.step();
  cnn.params.forEach((p, i) => assertClose(p.detach(), fx[`cnn.after2.${names[i]}`], { rtol: 1e-5, atol: 1e-6, what: `after 2 steps ${names[i]}` }));
});

test('tidy frees what it created, keeps the result and kept tensors, and nests', () => {
  const before = torch.memory().numTensors;
  let kept: torch.Tensor | undefined;
  const out = torch.tidy(() => {
    const a = torch.ones([3]);
    kept = torch.keep(a.mul(3));
    const inner = torch.tidy(() => [a.add(1), torch.zeros(2)] as const);
    assert.equal(inner[0].isDisposed, false);
    return { sum: inner[0].add(inner[1].sum()), list: [a.neg()] };
  });
  assert.equal(torch.memory().numTensors, before + 3); // sum, list[0], kept
  assert.deepEqual(out.sum.toArray(), [2, 2, 2]);
  assert.deepEqual(out.list[0].toArray(), [-1, -1, -1]);
  assert.deepEqual(kept!.toArray(), [3, 3, 3]);
  torch.dispose([out, kept]);
  assert.equal(torch.memory().numTensors, before);
  assert.equal(out.sum.isDisposed, true);
  assert.throws(() => out.sum.add(1), { name: 'TypeError', message: /disposed/ });
});

test('tidy frees tensors even when fn throws', () => {
  const before = torch.memory().numTensors;
  assert.throws(() => torch.tidy(() => {
    torch.ones([4]);
    throw new Error('boom');
  }), /boom/);
  assert.equal(torch.memory().numTensors, before);
});

test('memory() counts bytes per device, sharing counted once', () => {
  const m0 = torch.memory();
  const a = torch.zeros([256], { dtype: 'float64' });
  const view = a.view(16, 16);
  const m1 = torch.memory();
  assert.equal(m1.numTensors - m0.numTensors, 2);
  assert.equal(m1.numBytes - m0.numBytes, 2048);
  assert.equal(m1.devices.cpu.numBytes - (m0.devices.cpu?.numBytes ?? 0), 2048);
  torch.dispose([a, view]);
});

test('noGrad / enableGrad and requiresGrad propagation', () => {
  const w = torch.ones([2], { requiresGrad: true });
  const y = torch.noGrad(() => w.mul(2));
  assert.equal(y.requiresGrad, false);
  const z = torch.noGrad(() => torch.enableGrad(() => w.mul(2)));
  assert.equal(z.requiresGrad, true);
  assert.equal(z.gradFn, 'MulBackward0');
  assert.equal(torch.isGradEnabled(), true);
  assert.throws(() => torch.noGrad((async () => 1) as () => unknown), /Promise/);
  assert.equal(torch.isGradEnabled(), true);
});

test('autograd: retainGrad, grad accumulation, detach, gradient argument', () => {
  const x = torch.tensor([1, 2, 3], { requiresGrad: true });
  const h = x.mul(x);
  h.retainGrad();
  h.backward(torch.tensor([1, 1, 1]), { retainGraph: true });
  h.backward(torch.tensor([1, 1, 1]));
  assert.deepEqual(x.grad!.toArray(), [4, 8, 12]);
  assert.deepEqual(h.grad!.toArray(), [2, 2, 2]);
  x.grad = null;
  assert.equal(x.grad, null);
  assert.equal(h.detach().requiresGrad, false);
  assert.equal(x.isLeaf, true);
  assert.equal(h.isLeaf, false);
});

test('safetensors: every dtype round-trips through save/load, atomically', async () => {
  const { mkdtempSync, readdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/torchlab-st-`);
  const dtypes: torch.DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
  const named: Record<string, torch.Tensor> = {};
  for (const d of dtypes) named[d] = torch.arange(6).reshape(2, 3).to(d);
  named.scalar = torch.tensor(2.5);
  named.empty = torch.zeros([0, 4]);
  const path = `${dir}/w.safetensors`;
  torch.save(named, path, { note: 'hello' });
  assert.deepEqual(readdirSync(dir), ['w.safetensors']);
  const { tensors, metadata: md } = torch.loadWithMetadata(path);
  assert.equal(md.note, 'hello');
  for (const [k, t] of Object.entries(named)) assert.ok(tensors[k].equal(t), k);
});

test('fromBuffer shares memory with the typed array; tensor() copies', () => {
  const buf = new Float32Array([1, 2, 3, 4]);
  const shared = torch.fromBuffer(buf, [2, 2]);
  const copied = torch.tensor(buf);
  buf[0] = 42;
  assert.equal(shared.index(0, 0).item(), 42);
  assert.equal(copied.index(0).item(), 1);
  torch.noGrad(() => shared.mul_(2));
  assert.equal(buf[3], 8);
});

test('dtypes and devices', () => {
  const x = torch.tensor([[1, 2], [3, 4]]);
  assert.equal(x.dtype, 'float32');
  assert.equal(x.device, 'cpu');
  assert.equal(x.to('float64').dtype, 'float64');
  assert.equal(torch.tensor([1n, 2n]).dtype, 'int64');
  assert.equal(torch.arange(3).dtype, 'int64');
  assert.equal(torch.arange(0, 1, 0.25).dtype, 'float32');
  assert.deepEqual(x.half().toArray(), [[1, 2], [3, 4]]);
  assert.equal(typeof torch.cuda.isAvailable(), 'boolean');
  if (!torch.cuda.isAvailable()) assert.throws(() => x.to('cuda'), torch.TorchError);
  assert.equal(torch.getNumThreads() >= 1, true);
});
