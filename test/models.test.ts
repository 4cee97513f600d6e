// The lab's models against PyTorch (test/fixtures/models.safetensors, made by
// test/gen/gen_models.py): logits, loss, every gradient and BatchNorm's running statistics in train
// and eval mode, initial weights after manualSeed, print(model) text, parameter counts; nn.summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { F, models, nn, type Tensor } from '../src/index.js';
import { assertClose } from './assert-tensor.js';

const { tensors: fx, metadata } = torch.loadWithMetadata(new URL('./fixtures/models.safetensors', import.meta.url).pathname);

/** The fixture tensors under `prefix`, with the prefix removed (a state dict). */
function withPrefix(prefix: string): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(fx).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

// Tolerances, |ours - PyTorch| <= atol + rtol·|PyTorch|. Both sides run the same libtorch 1.13
// kernels in float32; the fixtures were made with 1 thread, and with setNumThreads(1) every value
// here is bit-identical. With more threads, libtorch splits the reductions of conv / BatchNorm
// backward differently (about 1 ulp, 6e-8 relative, per operation; forward values stay identical).
// The 2-conv CNN stays within 1e-5 / 1e-6. Networks with BatchNorm get rtol 1e-4 / atol 1e-5: the
// gradients summed back through up to 20 conv + BatchNorm layers drift ~10x more, and a conv bias
// feeding a train-mode BatchNorm has a gradient that is mathematically 0 (BN subtracts the batch
// mean), so both sides hold rounding noise of ~1e-6 there. Measured worst case: 0.12 of the
// tolerance with 2 to 16 threads.
const SHALLOW = { rtol: 1e-5, atol: 1e-6 };
const DEEP = { rtol: 1e-4, atol: 1e-5 };

type Mode = 'train' | 'eval';
/** One forward + backward from the fixture's starting state dict, checked against PyTorch. */
function checkGolden(name: string, model: nn.Module, x: Tensor, mode: Mode, tol: { rtol: number; atol: number }): void {
  torch.tidy(() => {
    model.loadStateDict(withPrefix(`${name}.sd.`));
    model.zeroGrad();
    model.train(mode === 'train');
    const logits = model.forward(x) as Tensor;
    assertClose(logits.detach(), fx[`${name}.${mode}.logits`], { ...tol, what: `${name} ${mode} logits` });
    const loss = F.crossEntropy(logits, fx.y);
    assertClose(loss.detach(), fx[`${name}.${mode}.loss`], { ...tol, what: `${name} ${mode} loss` });
    loss.backward();
    const params = model.namedParameters();
    assert.equal(params.length, Object.keys(withPrefix(`${name}.${mode}.grad.`)).length);
    for (const [k, p] of params) assertClose(p.grad!, fx[`${name}.${mode}.grad.${k}`], { ...tol, what: `${name} ${mode} grad ${k}` });
    if (mode === 'train') {
      const after = withPrefix(`${name}.train.after.`);
      const buffers = model.namedBuffers();
      assert.equal(buffers.length, Object.keys(after).length);
      for (const [k, b] of buffers) {
        if (b.dtype === 'int64') assert.ok(b.equal(after[k]), `${name} ${k}: ${b} vs ${after[k]}`);
        else assertClose(b, after[k], { ...tol, what: `${name} running stat ${k}` });
      }
    } else {
      // eval mode: running statistics are read, never written
      for (const [k, b] of model.namedBuffers()) assert.ok(b.equal(fx[`${name}.sd.${k}`]), `${name} eval changed ${k}`);
    }
  });
}

test('CNN (1×28×28 Fashion-MNIST shape): logits, loss, gradients match PyTorch; eval mode is the same network', () => {
  const cnn = new models.CNN({ inChannels: 1, imageSize: 28 });
  checkGolden('cnn', cnn, fx.x28, 'train', SHALLOW);
  torch.tidy(() => {
    cnn.eval();
    assertClose(cnn.forward(fx.x28).detach(), fx['cnn.train.logits'], { ...SHALLOW, what: 'eval logits' });
  });
  cnn.dispose();
});

test('CNNWithBN (3×32×32): train and eval mode, gradients and running stats match PyTorch', () => {
  const net = new models.CNNWithBN();
  checkGolden('cnn_bn', net, fx.x32, 'train', DEEP);
  checkGolden('cnn_bn', net, fx.x32, 'eval', DEEP);
  net.dispose();
});

for (const [name, block] of [['resnet_plain', models.PlainBlock], ['resnet_residual', models.ResidualBlock]] as const) {
  test(`resnet18 with ${block.name} (width 4): train and eval mode, every gradient and running stat match PyTorch`, () => {
    const net = models.resnet18({ block, width: 4 });
    checkGolden(name, net, fx.x32, 'train', DEEP);
    checkGolden(name, net, fx.x32, 'eval', DEEP);
    net.dispose();
  });
}

test('initial weights equal PyTorch after the same manualSeed: Linear, Conv2d, BatchNorm2d, a whole CNN, ResNets', () => {
  const same = (m: nn.Module, prefix: string) => {
    const want = withPrefix(prefix);
    const got = m.stateDict();
    assert.deepEqual(Object.keys(got), Object.keys(want), prefix);
    for (const [k, t] of Object.entries(got)) assert.ok(t.equal(want[k]), `${prefix}${k} differs`);
    m.dispose();
  };
  torch.manualSeed(0);
  same(new nn.Linear(20, 7), 'init.linear.');
  torch.manualSeed(1);
  same(new nn.Conv2d(3, 8, 3), 'init.conv.');
  torch.manualSeed(2);
  same(new nn.BatchNorm2d(8), 'init.bn.');
  torch.manualSeed(0);
  same(new models.CNN({ inChannels: 1, imageSize: 28 }), 'cnn.sd.');
  for (const [name, block] of [['resnet_plain', models.PlainBlock], ['resnet_residual', models.ResidualBlock]] as const) {
    torch.manualSeed(0);
    const net = models.resnet18({ block, width: 4 });
    torch.tidy(() => {
      const sums = torch.stack(Object.values(net.stateDict()).map((t) => t.double().sum()));
      assertClose(sums, fx[`init.${name}.sums`], { rtol: 1e-12, atol: 1e-12, what: `${name} init sums` });
    });
    net.dispose();
  }
});

test("toString() equals PyTorch's print(model): CNN, CNNWithBN, full-width ResNet-18 with both blocks", () => {
  assert.equal(new models.CNN().toString(), metadata['repr.cnn']);
  assert.equal(new models.CNNWithBN().toString(), metadata['repr.cnn_bn']);
  for (const [key, block] of [['plain18', models.PlainBlock], ['residual18', models.ResidualBlock]] as const) {
    const net = models.resnet18({ block });
    assert.equal(net.toString(), metadata[`repr.${key}`], key);
    assert.equal(net.parameters().reduce((a, p) => a + p.numel(), 0), Number(metadata[`params.${key}`]));
    net.dispose();
  }
  assert.match(metadata['repr.residual18'], /\(shortcut\): Sequential\(\)/);
});

test('the models run on 1×28×28 and other image sizes; ResNet pools adaptively when the final map is not 4×4', () => {
  torch.tidy(() => {
    const r = models.resnet18({ inChannels: 1, width: 2, numClasses: 7 }).eval();
    assert.deepEqual(r.forward(torch.zeros([2, 1, 28, 28])).shape, [2, 7]);
    assert.deepEqual(r.forward(torch.zeros([2, 1, 64, 48])).shape, [2, 7]); // final map 8×6
    // on a 4×4 final map avgPool2d(4) (the notebook's) and adaptiveAvgPool2d(1) agree anyway
    const cnn = new models.CNN({ inChannels: 1, imageSize: [28, 20], numClasses: 3 });
    assert.equal(cnn.out.inFeatures, 32 * 7 * 5);
    assert.deepEqual(cnn.forward(torch.zeros([2, 1, 28, 20])).shape, [2, 3]);
    r.dispose();
    cnn.dispose();
  });
  assert.throws(() => new models.ResNet(models.PlainBlock, [2, 2, 2]), RangeError);
  assert.throws(() => models.resnet18({ width: 0 }), RangeError);
  assert.throws(() => new models.CNN({ imageSize: 2 }), RangeError);
});

test('ResidualBlock: identity shortcut when shapes match, 1×1 conv + BN when stride or channels change', () => {
  assert.equal(new models.ResidualBlock(8, 8, 1).shortcut.length, 0);
  assert.equal(new models.ResidualBlock(8, 16, 1).shortcut.length, 2);
  const down = new models.ResidualBlock(8, 8, 2);
  assert.ok(down.shortcut.at(0) instanceof nn.Conv2d && down.shortcut.at(1) instanceof nn.BatchNorm2d);
  torch.tidy(() => {
    // with conv2's weight zeroed, bn2 gives its bias (0): the block is relu(x) for an identity shortcut
    const b = new models.ResidualBlock(4, 4);
    nn.init.zeros_(b.conv2.weight);
    const x = torch.randn([2, 4, 6, 6]);
    assert.ok(b.eval().forward(x).equal(F.relu(x)));
    b.dispose();
  });
});

test('nn.summary: ResNet-18 for CIFAR has 11,173,962 parameters and 18 weight layers (21 conv/linear modules)', () => {
  const net = models.resnet18();
  const s = nn.summary(net, [1, 3, 32, 32]);
  assert.equal(s.totalParams, 11173962);
  assert.equal(s.trainableParams, 11173962);
  assert.equal(s.weightLayers, 18);
  assert.equal(s.weightModules, 21);
  assert.equal(s.rows.reduce((a, r) => a + r.params, 0), 11173962);
  assert.deepEqual(s.rows[0], { name: 'conv1', type: 'Conv2d', outputShape: [1, 64, 32, 32], params: 1728 });
  assert.deepEqual(s.rows.at(-1), { name: 'linear', type: 'Linear', outputShape: [1, 10], params: 5130 });
  assert.deepEqual(s.rows.find((r) => r.name === 'layer4.0.shortcut.0')?.outputShape, [1, 512, 4, 4]);
  assert.ok(!s.rows.some((r) => r.type === 'Sequential'), 'containers are left out');
  const text = s.toString();
  assert.match(text, /Total params: 11,173,962/);
  assert.match(text, /layer1\.0 \(ResidualBlock\) +\[1, 64, 32, 32\] +0/);
  assert.match(text, /Weight layers \(conv \+ linear on the longest path\): 18/);
  net.dispose();

  const plain = models.resnet18({ block: models.PlainBlock });
  const p = nn.summary(plain, [1, 3, 32, 32]);
  assert.deepEqual([p.totalParams, p.weightLayers, p.weightModules], [Number(metadata['params.plain18']), 18, 18]);
  plain.dispose();
  const cnn = new models.CNNWithBN();
  const c = nn.summary(cnn, [2, 3, 32, 32]);
  assert.deepEqual([c.totalParams, c.weightLayers, c.rows.length], [25674, 3, 9]);
  assert.deepEqual(c.rows.map((r) => r.outputShape![1]), [16, 16, 16, 16, 32, 32, 32, 32, 10]);
  cnn.dispose();
  // a module used twice: a row per call, its parameters counted once, two layers deep
  const fc = new nn.Linear(3, 3);
  const tied = nn.summary(new nn.Sequential(fc, new nn.ReLU(), fc), [2, 3]);
  assert.deepEqual([tied.rows.map((r) => r.name), tied.totalParams, tied.weightLayers, tied.weightModules], [['0', '1', '0'], 12, 2, 1]);
  fc.dispose();
});

test('nn.summary leaves the model as it was: modes, running stats, RNG, forward methods, memory', () => {
  const net = models.resnet18({ width: 4 });
  net.layer2.eval(); // a mixed state, to be kept as is
  net.layer1.at(0).requiresGrad_(false);
  const modes = net.modules().map((m) => m.training);
  const stats = torch.tidy(() => net.buffers().map((b) => torch.keep(b.clone())));
  const live = torch.memory().numTensors;
  torch.manualSeed(3);
  const s = nn.summary(net, [2, 3, 32, 32]);
  const next = torch.randn(4);
  torch.manualSeed(3);
  assert.ok(torch.randn(4).equal(next), 'summary drew random numbers');
  assert.equal(torch.memory().numTensors, live + 2, 'only the two randn tensors are new');
  assert.deepEqual(net.modules().map((m) => m.training), modes);
  net.buffers().forEach((b, i) => assert.ok(b.equal(stats[i]), 'a buffer changed'));
  assert.ok(net.modules().every((m) => !Object.hasOwn(m, 'forward')), 'forward left wrapped');
  assert.equal(s.trainableParams, s.totalParams - 2 * 144 - 2 * 8);
  assert.match(s.toString(), /Non-trainable params: 304/);
  assert.throws(() => nn.summary(net, [2, 5, 32, 32]), torch.TorchError); // wrong channels: libtorch's error
  assert.ok(net.modules().every((m) => !Object.hasOwn(m, 'forward')), 'forward left wrapped after an error');
  assert.deepEqual(net.modules().map((m) => m.training), modes);
  torch.dispose(stats);
  net.dispose();
});
