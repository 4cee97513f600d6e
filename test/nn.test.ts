// nn.Module mechanics on the lab's models, against PyTorch where PyTorch has an answer
// (test/fixtures/models.safetensors, made by test/gen/gen_models.py): state-dict keys, named
// modules, load errors; and save/load, train/eval, to(), zeroGrad, apply, containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '../src/index.js';
import { F, models, nn, type Tensor } from '../src/index.js';

const { tensors: fx, metadata } = torch.loadWithMetadata(new URL('./fixtures/models.safetensors', import.meta.url).pathname);
const withPrefix = (prefix: string): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(fx).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));

/** Copies of every state tensor, to check later that nothing changed. */
const snapshot = (m: nn.Module): Record<string, Tensor> =>
  torch.tidy(() => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, torch.keep(t.clone())])));
function assertSameState(m: nn.Module, snap: Record<string, Tensor>, what: string): void {
  const now = m.stateDict();
  assert.deepEqual(Object.keys(now), Object.keys(snap), what);
  for (const [k, t] of Object.entries(now)) assert.ok(t.equal(snap[k]), `${what}: ${k} changed`);
}

/** The module of the gen script with a ModuleList and a ModuleDict. */
class Multi extends nn.Module {
  blocks = new nn.ModuleList([new nn.Linear(4, 4), new nn.ReLU(), new nn.BatchNorm1d(4)]);
  heads = new nn.ModuleDict({ cls: new nn.Linear(4, 3), reg: new nn.Linear(4, 1, { bias: false }) });
  forward(x: Tensor): Tensor {
    for (const m of this.blocks) x = m.forward(x) as Tensor;
    return this.heads.get('cls')!.forward(x) as Tensor;
  }
}

test("stateDict() keys equal PyTorch's state_dict() keys, in order, num_batches_tracked included", () => {
  const cases: [string, nn.Module][] = [
    ['cnn', new models.CNN({ inChannels: 1, imageSize: 28 })],
    ['cnn_bn', new models.CNNWithBN()],
    ['resnet_plain', models.resnet18({ block: models.PlainBlock, width: 4 })],
    ['resnet_residual', models.resnet18({ width: 4 })],
    ['multi', new Multi()],
  ];
  for (const [name, m] of cases) {
    assert.deepEqual(Object.keys(m.stateDict()), JSON.parse(metadata[`keys.${name}`]), name);
    m.dispose();
  }
  assert.ok(JSON.parse(metadata['keys.resnet_residual']).includes('layer2.0.shortcut.1.num_batches_tracked'));
});

test("namedModules() names equal PyTorch's named_modules(); ModuleList / ModuleDict print like PyTorch", () => {
  const net = models.resnet18({ width: 4 });
  assert.deepEqual(net.namedModules().map(([n]) => n), JSON.parse(metadata['named_modules.resnet_residual']));
  assert.equal(net.namedModules()[0][1], net);
  assert.ok(net.namedModules().find(([n]) => n === 'layer3.1.bn2')![1] instanceof nn.BatchNorm2d);
  net.dispose();
  const multi = new Multi();
  assert.equal(multi.toString(), metadata['repr.multi']);
  assert.deepEqual(multi.namedParameters().map(([n]) => n),
    ['blocks.0.weight', 'blocks.0.bias', 'blocks.2.weight', 'blocks.2.bias', 'heads.cls.weight', 'heads.cls.bias', 'heads.reg.weight']);
  assert.deepEqual(multi.heads.keys(), ['cls', 'reg']);
  assert.equal(multi.blocks.length, 3);
  assert.deepEqual(torch.tidy(() => multi.forward(torch.randn([5, 4])).shape), [5, 3]);
  assert.throws(() => multi.blocks.forward(), /ModuleList has no forward/);
  assert.throws(() => multi.heads.set('x', 3 as unknown as nn.Module), TypeError);
  multi.heads.set('extra', new nn.Linear(4, 2));
  assert.ok(multi.namedParameters().some(([n]) => n === 'heads.extra.weight'), 'a module added later is registered');
  multi.dispose();
});

test("a bad loadStateDict throws PyTorch's TorchError text listing every problem and changes nothing", () => {
  const cnn = new models.CNN({ inChannels: 1, imageSize: 28 });
  const before = snapshot(cnn);
  const bad: Record<string, Tensor> = { ...withPrefix('cnn.sd.') };
  delete bad['out.bias'];
  bad['conv.3.weight'] = torch.zeros([32, 16, 5, 5]);
  bad['out.weight'] = torch.zeros([10, 2048]);
  bad['extra.weight'] = torch.zeros(3);
  assert.throws(() => cnn.loadStateDict(bad), (e: unknown) => {
    assert.ok(e instanceof torch.TorchError);
    assert.equal(e.message, metadata['error.load']);
    assert.deepEqual((e as unknown as { missingKeys: string[] }).missingKeys, ['out.bias']);
    assert.deepEqual((e as unknown as { unexpectedKeys: string[] }).unexpectedKeys, ['extra.weight']);
    return true;
  });
  assertSameState(cnn, before, 'after the failed load');
  // each problem alone also throws and changes nothing, even when the other keys are fine
  for (const key of ['out.bias', 'conv.0.weight']) {
    const one = { ...withPrefix('cnn.sd.') };
    delete one[key];
    assert.throws(() => cnn.loadStateDict(one), new RegExp(`Missing key\\(s\\) in state_dict: "${key.replace('.', '\\.')}"`));
    assertSameState(cnn, before, `missing ${key}`);
  }
  assert.throws(() => cnn.loadStateDict({ ...withPrefix('cnn.sd.'), 'conv.0.weight': torch.zeros([16, 1, 3]) }), /size mismatch for conv\.0\.weight/);
  assertSameState(cnn, before, 'shape mismatch');
  // strict: false loads what matches and reports the rest (shape mismatches still throw, as in PyTorch)
  const partial: Record<string, Tensor> = { ...withPrefix('cnn.sd.'), extra: torch.zeros(1) };
  delete partial['out.bias'];
  assert.deepEqual(cnn.loadStateDict(partial, { strict: false }), { missingKeys: ['out.bias'], unexpectedKeys: ['extra'] });
  torch.dispose(before);
  cnn.dispose();
});

test('save / load round trip through a safetensors file, and loading PyTorch-made weights', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchlab-nn-'));
  try {
    const a = models.resnet18({ width: 4 });
    a.loadStateDict(withPrefix('resnet_residual.sd.')); // non-trivial running stats and num_batches_tracked
    const path = join(dir, 'resnet.safetensors');
    a.save(path);
    torch.manualSeed(99);
    const b = models.resnet18({ width: 4 });
    assert.ok(!b.conv1.weight.equal(a.conv1.weight));
    b.load(path);
    assertSameState(b, a.stateDict(), 'loaded');
    assert.equal(b.layer1.at(0) instanceof models.ResidualBlock, true);
    assert.equal((b.bn1.numBatchesTracked!.item()), 3);
    assert.equal(b.bn1.numBatchesTracked!.dtype, 'int64');
    // same outputs after the round trip
    torch.tidy(() => assert.ok(a.eval().forward(fx.x32).equal(b.eval().forward(fx.x32))));
    // a file with a different architecture is refused, and b stays as it was
    const cnnPath = join(dir, 'cnn.safetensors');
    new models.CNN().save(cnnPath);
    assert.throws(() => b.load(cnnPath), torch.TorchError);
    assertSameState(b, a.stateDict(), 'after refusing a CNN file');
    a.dispose();
    b.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('train() / eval() reach every submodule; BatchNorm and Dropout follow the mode', () => {
  const net = models.resnet18({ width: 2 });
  assert.ok(net.modules().every((m) => m.training));
  assert.equal(net.eval(), net);
  assert.ok(net.modules().every((m) => !m.training));
  net.train();
  assert.ok(net.modules().every((m) => m.training));
  net.layer3.train(false);
  assert.deepEqual(net.namedModules().filter(([, m]) => !m.training).map(([n]) => n).slice(0, 3), ['layer3', 'layer3.0', 'layer3.0.conv1']);
  assert.ok(net.layer4.training && net.linear.training);
  torch.tidy(() => {
    const bn = net.bn1;
    const nbt = bn.numBatchesTracked!.item();
    net.forward(torch.randn([2, 3, 8, 8]));
    assert.equal(bn.numBatchesTracked!.item(), (nbt as number) + 1);
    assert.equal(net.layer3.at(0).namedBuffers()[2][1].item(), 0, 'an eval-mode BatchNorm keeps its counter');
    const drop = new nn.Sequential(new nn.Dropout(0.5));
    const x = torch.ones([100]);
    assert.ok(!drop.forward(x).equal(x));
    assert.ok(drop.eval().forward(x).equal(x));
  });
  net.dispose();
});

test("to('float64') casts parameters and buffers in place (same Tensor objects); int64 counters stay", () => {
  const net = new models.CNNWithBN({ inChannels: 1, imageSize: 8 });
  const params = net.parameters();
  const bufs = net.buffers();
  const w = torch.tidy(() => torch.keep(net.conv.at(0).parameters()[0].clone()));
  assert.equal(net.to('float64'), net);
  assert.ok(net.parameters().every((p, i) => p === params[i] && p.dtype === 'float64' && p.requiresGrad && p.isLeaf));
  assert.deepEqual(net.buffers().map((b) => b.dtype), ['float64', 'float64', 'int64', 'float64', 'float64', 'int64']);
  assert.ok(net.buffers().every((b, i) => b === bufs[i]));
  assert.ok(params[0].equal(w.double()), 'values are kept');
  torch.tidy(() => {
    const y = net.forward(torch.randn([2, 1, 8, 8], { dtype: 'float64' }));
    assert.equal(y.dtype, 'float64');
    y.sum().backward();
    assert.equal(params[0].grad!.dtype, 'float64');
  });
  net.to('float32');
  assert.ok(params[0].dtype === 'float32' && params[0].equal(w));
  assert.throws(() => torch.tidy(() => net.forward(torch.randn([2, 1, 8, 8], { dtype: 'float64' }))), torch.TorchError);
  w.dispose();
  net.dispose();
});

test('zeroGrad clears every gradient (to null, or zeros with setToNone: false); backward accumulates', () => {
  const cnn = new models.CNN({ inChannels: 1, imageSize: 8 });
  const step = () => torch.tidy(() => F.crossEntropy(cnn.forward(fx.x28.narrow(2, 0, 8).narrow(3, 0, 8)), fx.y).backward());
  assert.ok(cnn.parameters().every((p) => p.grad === null));
  step();
  const g1 = torch.tidy(() => cnn.parameters().map((p) => torch.keep(p.grad!.clone())));
  step();
  cnn.parameters().forEach((p, i) => assert.ok(torch.tidy(() => p.grad!.allclose(g1[i].mul(2))), 'accumulated'));
  cnn.zeroGrad({ setToNone: false });
  assert.ok(cnn.parameters().every((p) => torch.tidy(() => p.grad !== null && p.grad.abs().sum().item() === 0)));
  cnn.zeroGrad();
  assert.ok(cnn.parameters().every((p) => p.grad === null));
  torch.dispose(g1);
  cnn.dispose();
});

test('apply visits children first, then the module; it can re-initialize weights', () => {
  const cnn = new models.CNN();
  const seen: string[] = [];
  cnn.apply((m) => seen.push(m.constructor.name));
  assert.deepEqual(seen, ['Conv2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'MaxPool2d', 'Sequential', 'Linear', 'CNN']);
  cnn.apply((m) => {
    if (m instanceof nn.Conv2d) nn.init.constant_(m.weight, 0.5);
  });
  assert.ok(torch.tidy(() => (cnn.conv.at(3) as nn.Conv2d).weight.eq(0.5).all().item()));
  assert.ok(torch.tidy(() => !cnn.out.weight.eq(0.5).all().item()));
  cnn.dispose();
});

test('Sequential: indexing (negative too), length, iteration, append, bad items', () => {
  const seq = new models.CNNWithBN().conv;
  assert.equal(seq.length, 8);
  assert.ok(seq.at(0) instanceof nn.Conv2d);
  assert.ok(seq.at(1) instanceof nn.BatchNorm2d);
  assert.ok(seq.at(-1) instanceof nn.MaxPool2d);
  assert.equal(seq.at(-8), seq.at(0));
  assert.throws(() => seq.at(8), RangeError);
  assert.throws(() => seq.at(-9), RangeError);
  assert.deepEqual([...seq].map((m) => m.constructor.name),
    ['Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d']);
  assert.deepEqual(seq.namedChildren().map(([n]) => n), ['0', '1', '2', '3', '4', '5', '6', '7']);
  seq.append(new nn.Flatten());
  assert.deepEqual(torch.tidy(() => seq.forward(torch.randn([2, 3, 8, 8])).shape), [2, 32 * 2 * 2]);
  assert.throws(() => seq.append({} as nn.Module), TypeError);
  assert.equal(new nn.Sequential().toString(), 'Sequential()');
  seq.dispose();
});

test('shared modules are listed once (parameters, namedModules) but keep every stateDict key', () => {
  torch.tidy(() => {
    const l = new nn.Linear(2, 2);
    const s = new nn.Sequential(l, new nn.ReLU(), l);
    assert.equal(s.parameters().length, 2);
    assert.deepEqual(s.namedModules().map(([n]) => n), ['', '0', '1']);
    assert.deepEqual(Object.keys(s.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']);
    s.dispose();
  });
});

test('Module.to converts gradients with their parameters', () => {
  torch.tidy(() => {
    const l = new nn.Linear(3, 2);
    l.forward(torch.ones([1, 3])).sum().backward();
    l.to('float64');
    assert.equal(l.weight.dtype, 'float64');
    assert.equal(l.weight.grad!.dtype, 'float64');
    assert.deepEqual(l.bias!.grad!.toArray(), [1, 1]);
    l.dispose();
  });
});
