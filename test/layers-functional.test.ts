// The functional forms of issue 11's layers (F.conv1d, F.convTranspose2d, ...) are the modules'
// computation: equal outputs on the golden inputs (test/fixtures/layers.safetensors); clear errors
// for bad arguments; the recurrent and attention layers free their intermediates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { F, nn, type Tensor } from '../src/index.js';

const { tensors: fx, metadata } = torch.loadWithMetadata(new URL('./fixtures/layers.safetensors', import.meta.url).pathname);
const cases = JSON.parse(metadata.cases) as { name: string; module: string; args: unknown[]; options: Record<string, unknown>; fwd?: Record<string, unknown> }[];
const spec = (name: string) => cases.find((c) => c.name === name)!;
type AnyCtor = new (...a: unknown[]) => nn.Module;

/** Each golden case's module, weights loaded, and the functional call that must give its output. */
const FORMS: [string, (m: never, x: Tensor) => Tensor][] = [
  ['conv1d_options', (m: nn.Conv1d, x) => F.conv1d(x, m.weight, m.bias, { stride: 2, padding: 1, dilation: 2, groups: 2 })],
  ['conv1d_same', (m: nn.Conv1d, x) => F.conv1d(x, m.weight, m.bias, { padding: 'same' })],
  ['convt2d_options', (m: nn.ConvTranspose2d, x) => F.convTranspose2d(x, m.weight, null, { stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: 2 })],
  ['maxpool1d_options', (_m, x) => F.maxPool1d(x, 3, { stride: 2, padding: 1, dilation: 2, ceilMode: true })],
  ['avgpool1d_options', (_m, x) => F.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false })],
  ['embedding_padding', (m: nn.Embedding, x) => F.embedding(x, m.weight, { paddingIdx: 0 })],
  ['groupnorm', (m: nn.GroupNorm, x) => F.groupNorm(x, 2, { weight: m.weight, bias: m.bias })],
  ['layernorm', (m: nn.LayerNorm, x) => F.layerNorm(x, [4], { weight: m.weight, bias: m.bias })],
  ['upsample_bilinear_ac', (_m, x) => F.interpolate(x, [5, 7], { mode: 'bilinear', alignCorners: true })],
  ['upsample_nearest_frac', (_m, x) => F.interpolate(x, null, { scaleFactor: 1.7 })],
  ['elu_alpha', (_m, x) => F.elu(x, 0.5)],
  ['hardswish', (_m, x) => F.hardswish(x)],
  ['prelu_channels', (m: nn.PReLU, x) => F.prelu(x, m.weight)],
];
for (const [name, fn] of FORMS) {
  test(`F form of ${name} equals the module`, () => {
    torch.tidy(() => {
      const c = spec(name);
      const m = new (nn as unknown as Record<string, AnyCtor>)[c.module](...c.args, c.options);
      const keys = Object.keys(m.stateDict());
      m.loadStateDict(Object.fromEntries(keys.map((k) => [k, fx[`${name}.state.${k}`]])));
      m.eval();
      const x = fx[`${name}.in.0`];
      assert.ok(fn(m as never, x).equal(m.forward(x)), `${name}: F and module differ`);
      m.dispose();
    });
  });
}

test('F.dropout2d draws the module\'s mask from the same generator; identity in eval or at p=0', () => {
  torch.tidy(() => {
    const x = fx['dropout2d.in.0'];
    const m = new nn.Dropout2d(0.5);
    torch.manualSeed(7);
    const a = m.forward(x);
    torch.manualSeed(7);
    assert.ok(F.dropout2d(x, 0.5).equal(a));
    const zeroed = a.eq(0).all(3).all(2); // whole channels
    assert.ok(a.eq(0).sum().item() === zeroed.sum().item() * 6);
    assert.equal(F.dropout2d(x, 0.5, false), x);
    assert.equal(F.dropout2d(x, 0), x);
    assert.equal(F.dropout2d(x, 1).abs().sum().item(), 0);
  });
});

test('the Embedding padding row gets no gradient; fromPretrained freezes by default', () => {
  torch.tidy(() => {
    const w = torch.randn([5, 3], { requiresGrad: true });
    F.embedding(torch.tensor([[0n, 2n, 0n], [4n, 0n, 2n]]), w, { paddingIdx: 0 }).pow(2).sum().backward();
    assert.deepEqual(Array.from(w.grad!.select(0, 0).data(), Number), [0, 0, 0]);
    assert.ok(w.grad!.select(0, 2).abs().sum().item() > 0);
    const e = nn.Embedding.fromPretrained(torch.eye(4));
    assert.equal(e.weight.requiresGrad, false);
    assert.equal(e.toString(), 'Embedding(4, 4)');
    assert.equal(nn.Embedding.fromPretrained(torch.eye(4), { freeze: false }).weight.requiresGrad, true);
  });
});

test('bad arguments are clear errors naming the problem', () => {
  torch.tidy(() => {
    const x3 = torch.randn([2, 3, 5]);
    const cases: [() => unknown, RegExp][] = [
      [() => F.conv1d(torch.randn([1, 2, 3, 4]), torch.randn([2, 2, 3])), /conv1d: expected 2D \(unbatched\) or 3D \(batched\) input, got 4D/],
      [() => F.conv1d(x3, torch.randn([2, 3, 3]), null, { stride: [1, 2] as never }), /stride: expected an int or a 1-element array/],
      [() => F.convTranspose2d(torch.randn([1, 3, 4, 4]), torch.randn([2, 2, 3, 3])), /input has 3 channels, the weight expects 2/],
      [() => F.convTranspose2d(torch.randn([1, 2, 4, 4]), torch.randn([2, 2, 3, 3]), null, { outputPadding: 1 }), /outputPadding must be smaller/],
      [() => F.embedding(torch.tensor([0.5]), torch.randn([3, 2])), /embedding: expected indices of dtype int64 or int32, got float32/],
      [() => new nn.Embedding(3, 2, { paddingIdx: 3 }), /Padding_idx must be within num_embeddings/],
      [() => new nn.Embedding(3, 2, { sparse: true }), /sparse are not supported/],
      [() => F.groupNorm(x3, 2), /divisible by num_groups, but got input of shape \[2, 3, 5\] and num_groups=2/],
      [() => F.interpolate(torch.randn([1, 1, 2, 2]), [3, 3], { scaleFactor: 2 }), /only one of size or scale_factor should be defined/],
      [() => F.interpolate(x3, null, { scaleFactor: 2, mode: 'bilinear' }), /bilinear mode needs 4D input/],
      [() => F.interpolate(torch.randn([1, 1, 2, 2]), null, { scaleFactor: 2, alignCorners: true }), /align_corners option can only be set/],
      [() => F.prelu(x3, torch.ones([2])), /Found parameter numbers = 2 and channel size = 3/],
      [() => new nn.LSTM(4, 8).forward(x3), /input.size\(-1\) must be equal to input_size. Expected 4, got 5/],
      [() => new nn.LSTM(5, 8).forward(x3, [torch.zeros([1, 2, 8]), torch.zeros([1, 2, 8])]), /Expected hidden size \(1, 3, 8\), got \[1, 2, 8\]/],
      [() => new nn.GRU(5, 8).forward(torch.randn([5])), /Expected input to be 2-D or 3-D but received 1-D tensor/],
      [() => new nn.LSTM(5, 8, { numLayers: 0 }), /num_layers must be greater than zero/],
      [() => new nn.MultiheadAttention(8, 3), /embed_dim must be divisible by num_heads/],
      [() => new nn.MultiheadAttention(8, 2, { kdim: 4 }).forward(torch.randn([3, 1, 8]), torch.randn([5, 1, 4]), torch.randn([4, 1, 8])), /key shape \[5, 1, 4\] does not match value shape \[4, 1, 8\]/],
      [() => new nn.MultiheadAttention(8, 2).forward(x3, x3, x3), /was expecting embedding dimension of 8, but got 5/],
      [() => { const q = torch.randn([4, 2, 8]); return new nn.MultiheadAttention(8, 2).forward(q, q, q, { attnMask: torch.zeros([3, 4]) }); },
        /The shape of the 2D attn_mask is \[3, 4\], but should be \(4, 4\)/],
      [() => new nn.TransformerEncoderLayer(8, 2, { activation: 'tanh' as never }), /activation should be relu\/gelu, not string tanh/],
      [() => new nn.Upsample({ scaleFactor: 2, mode: 'bicubic' as never }), /mode: expected 'nearest' or 'bilinear'/],
      [() => new nn.Unflatten(1), /missing required argument 'unflattenedSize'/],
    ];
    cases.forEach(([fn, re], i) => assert.throws(fn, re, `case ${i}: ${String(re)}`));
  });
});

test('LSTM, GRU, MultiheadAttention and TransformerEncoderLayer free every intermediate tensor', () => {
  torch.manualSeed(0);
  const lstm = new nn.LSTM(4, 6, 2, { bidirectional: true });
  const gru = new nn.GRU(4, 6);
  const mha = new nn.MultiheadAttention(4, 2);
  const tel = new nn.TransformerEncoderLayer(4, 2, 8);
  const x = torch.randn([5, 3, 4]);
  const run = (): Tensor[] => {
    const [o, [h, c]] = lstm.forward(x);
    const [g, hg] = gru.forward(x);
    const [a, w] = mha.forward(x, x, x);
    return [o, h, c, g, hg, a, w!, tel.forward(x)];
  };
  torch.tidy(run); // warm up
  const before = torch.memory().numTensors;
  const outs = run();
  assert.equal(torch.memory().numTensors, before + outs.length, 'only the outputs remain');
  torch.dispose(outs);
  assert.equal(torch.memory().numTensors, before);
});

test('the doc comments\' examples run and give what they state', () => {
  torch.tidy(() => {
    torch.manualSeed(0);
    const conv = new nn.Conv1d(16, 33, 3, { stride: 2 });
    assert.deepEqual(conv.forward(torch.randn([20, 16, 50])).shape, [20, 33, 24]);
    assert.deepEqual(new nn.ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1, outputPadding: 1 }).forward(torch.randn([1, 16, 5, 7])).shape, [1, 8, 10, 14]);
    assert.deepEqual(new nn.MaxPool1d(3, { stride: 2 }).forward(torch.randn([2, 4, 9])).shape, [2, 4, 4]);
    assert.deepEqual(new nn.AvgPool1d(3, { stride: 2 }).forward(torch.randn([2, 4, 9])).shape, [2, 4, 4]);
    assert.deepEqual(new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true }).forward(torch.randn([1, 2, 3, 4])).shape, [1, 2, 6, 8]);
    const logits = torch.randn([4, 5]);
    assert.ok(new nn.Softmax(1).forward(logits).sum(1).sub(1).abs().max().item() < 1e-6);
    assert.ok(new nn.LogSoftmax(1).forward(logits).exp().sum(1).sub(1).abs().max().item() < 1e-6);
    assert.ok(new nn.Sigmoid().forward(logits).equal(logits.sigmoid()));
    assert.ok(new nn.Tanh().forward(logits).equal(logits.tanh()));
    assert.equal(new nn.ELU(0.5).toString(), 'ELU(alpha=0.5)');
    assert.deepEqual(new nn.PReLU(16).weight.shape, [16]);
    assert.equal(new nn.Dropout2d(0.2).toString(), 'Dropout2d(p=0.2, inplace=False)');
    assert.deepEqual(new nn.Unflatten(1, [2, 5]).forward(torch.zeros([3, 10])).shape, [3, 2, 5]);
    const emb = new nn.Embedding(10, 3, { paddingIdx: 0 });
    assert.deepEqual(emb.forward(torch.tensor([[0n, 2n]])).shape, [1, 2, 3]);
    assert.equal(new nn.LayerNorm([10, 10], { elementwiseAffine: false }).toString(), 'LayerNorm((10, 10), eps=1e-05, elementwise_affine=False)');
    assert.equal(new nn.GroupNorm(4, 32).toString(), 'GroupNorm(4, 32, eps=1e-05, affine=True)');
    const lstm = new nn.LSTM(10, 20, 2);
    const [out, [h, c]] = lstm.forward(torch.randn([5, 3, 10]));
    assert.deepEqual([out.shape, h.shape, c.shape], [[5, 3, 20], [2, 3, 20], [2, 3, 20]]);
    const [gout, gh] = new nn.GRU(10, 20, { batchFirst: true }).forward(torch.randn([3, 5, 10]));
    assert.deepEqual([gout.shape, gh.shape], [[3, 5, 20], [1, 3, 20]]);
    const x = torch.randn([2, 7, 16]);
    const [y, w] = new nn.MultiheadAttention(16, 4, { batchFirst: true }).forward(x, x, x);
    assert.deepEqual([y.shape, w!.shape], [[2, 7, 16], [2, 7, 7]]);
    assert.deepEqual(new nn.TransformerEncoderLayer(32, 8, { batchFirst: true }).forward(torch.rand([4, 10, 32])).shape, [4, 10, 32]);
    assert.deepEqual(F.embedding(torch.tensor([1n, 3n]), torch.randn([5, 2])).shape, [2, 2]);
  });
});

test('F.multiHeadAttentionForward is the module\'s computation, packed and separate projection weights', () => {
  torch.tidy(() => {
    for (const name of ['mha_kv', 'mha_kdim_vdim']) {
      const c = spec(name);
      const m = new nn.MultiheadAttention(...(c.args as [number, number]), c.options);
      const keys = Object.keys(m.stateDict());
      m.loadStateDict(Object.fromEntries(keys.map((k) => [k, fx[`${name}.state.${k}`]])));
      m.eval();
      const [q, k, v] = [0, 1, 2].map((i) => fx[`${name}.in.${i}`]);
      const fwd = Object.fromEntries(Object.keys(c.fwd ?? {}).map((k) => [k, (c.fwd as Record<string, unknown>)[k] === 'tensor' ? fx[`${name}.fwd.${k}`] : (c.fwd as Record<string, unknown>)[k]]));
      const [a, wa] = m.forward(q, k, v, fwd);
      const [b, wb] = F.multiHeadAttentionForward(q, k, v, m.embedDim, m.numHeads, m.inProjWeight, m.inProjBias, null, null, false, 0,
        m.outProj.weight, m.outProj.bias, { ...fwd, training: false, useSeparateProjWeight: m.inProjWeight === null,
          qProjWeight: m.qProjWeight, kProjWeight: m.kProjWeight, vProjWeight: m.vProjWeight });
      assert.ok(a.equal(b) && wa!.equal(wb!), `${name}: F and module differ`);
      m.dispose();
    }
    assert.throws(() => F.multiHeadAttentionForward(torch.randn([2, 1, 4]), torch.randn([2, 1, 4]), torch.randn([2, 1, 4]), 4, 2, null, null, null, null,
      false, 0, torch.randn([4, 4]), null), /use_separate_proj_weight is False but in_proj_weight is None/);
  });
});

test('arguments PyTorch takes positionally are positional here, or by name; never both', () => {
  torch.tidy(() => {
    const same = (a: { toString(): string }, b: { toString(): string }): void => assert.equal(a.toString(), b.toString());
    same(new nn.LSTM(3, 4, 2, true, true, 0.5, true, 2), new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true, dropout: 0.5, bidirectional: true, projSize: 2 }));
    assert.equal(new nn.LSTM({ inputSize: 3, hiddenSize: 4 }).toString(), 'LSTM(3, 4)');
    same(new nn.GRU(3, 4, 2, false), new nn.GRU(3, 4, { numLayers: 2, bias: false }));
    same(new nn.LayerNorm([3, 4], 1e-3, false), new nn.LayerNorm([3, 4], { eps: 1e-3, elementwiseAffine: false }));
    same(new nn.GroupNorm(2, 4, 1e-3, false), new nn.GroupNorm(2, 4, { eps: 1e-3, affine: false }));
    same(new nn.MultiheadAttention(8, 2, 0.1, false, { batchFirst: true }), new nn.MultiheadAttention({ embedDim: 8, numHeads: 2, dropout: 0.1, bias: false, batchFirst: true }));
    same(new nn.TransformerEncoderLayer(8, 2, 16, 0.2, 'gelu'), new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.2, activation: 'gelu' }));
    same(new nn.PReLU(3, 0.1), new nn.PReLU({ numParameters: 3, init: 0.1 }));
    same(new nn.Upsample([3, 4], null, 'bilinear'), new nn.Upsample({ size: [3, 4], mode: 'bilinear' }));
    assert.equal(new nn.Upsample(null, 2.5).toString(), 'Upsample(scale_factor=2.5, mode=nearest)');
    same(new nn.ELU(0.5, true), new nn.ELU({ alpha: 0.5, inplace: true }));
    same(new nn.Softmax(-1), new nn.Softmax({ dim: -1 }));
    same(new nn.Unflatten(1, [2, 3]), new nn.Unflatten({ dim: 1, unflattenedSize: [2, 3] }));
    assert.throws(() => new nn.LSTM(3, 4, 2, { numLayers: 3 } as never), { name: 'TypeError', message: "LSTM: got multiple values for argument 'numLayers'" });
    assert.throws(() => new nn.GRU(3, 4, { projSize: 2 } as never), { name: 'TypeError', message: /GRU: unknown option 'projSize'/ });
    assert.throws(() => new nn.MultiheadAttention(8, 2, 0.1, true, false as never), { name: 'TypeError', message: /MultiheadAttention: takes at most 4 positional arguments/ });
    assert.throws(() => new nn.LSTM(3, 4, { projSize: 4 }), { name: 'RangeError', message: 'proj_size has to be smaller than hidden_size' });
  });
});
