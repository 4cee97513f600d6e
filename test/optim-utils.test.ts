// nn.utils.clipGradNorm_ / clipGradValue_ against PyTorch 1.13 (test/fixtures/optim.safetensors), and
// optim.findLr on small synthetic problems (curve shape, suggestion, state restored, memory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { F, nn, optim, type Tensor } from '../src/index.js';
import { assertClose } from './assert-tensor.js';
import { steepest } from '../src/train/find-lr.js';

torch.setNumThreads(1); // tiny tensors: more threads only add contention (this file runs in its own process)
const { tensors: fx, metadata } = torch.loadWithMetadata(new URL('./fixtures/optim.safetensors', import.meta.url).pathname);
const G = [0, 1, 2, 3].map((i) => fx[`clip.g${i}`]);

/** Leaf tensors whose .grad are copies of the fixture's gradients. */
function withGrads(): Tensor[] {
  return torch.tidy(() => G.map((g) => {
    const p = torch.keep(torch.zerosLike(g).requiresGrad_());
    p.grad = g.clone();
    return p;
  }));
}

for (const c of JSON.parse(metadata.clip_cases) as { name: string; maxNorm: number; normType: number | 'inf' }[]) {
  test(`clipGradNorm_ ${c.name}: the total norm and the clipped gradients equal PyTorch's`, () => {
    const ps = withGrads();
    const total = nn.utils.clipGradNorm_(ps, c.maxNorm, { normType: c.normType === 'inf' ? Infinity : c.normType });
    assertClose(total, fx[`clip.${c.name}.total`], { rtol: 1e-6, atol: 0, what: 'total norm' });
    torch.tidy(() => ps.forEach((p, i) => assertClose(p.grad!, fx[`clip.${c.name}.g${i}`], { rtol: 1e-6, atol: 1e-9, what: `g${i}` })));
    torch.dispose([ps, total]);
  });
}

for (const c of JSON.parse(metadata.clipv_cases) as { name: string; clipValue: number }[]) {
  test(`clipGradValue_ ${c.name} equals PyTorch's`, () => {
    const ps = withGrads();
    nn.utils.clipGradValue_(ps, c.clipValue);
    torch.tidy(() => ps.forEach((p, i) => assert.ok(p.grad!.equal(fx[`clipv.${c.name}.g${i}`]), `g${i}`)));
    torch.dispose(ps);
  });
}

test('clipGradNorm_: no grads, a single tensor, \'inf\', non-finite norms, no leaked tensors', () => {
  const w = torch.ones([3], { requiresGrad: true });
  assert.equal(nn.utils.clipGradNorm_([w], 1).item(), 0);
  w.grad = torch.tensor([3, 4, 0]);
  const before = torch.memory().numTensors;
  torch.tidy(() => {
    assertClose(nn.utils.clipGradNorm_(w, 1, { normType: 'inf' }), torch.tensor(4));
  });
  assert.equal(torch.memory().numTensors, before);
  torch.tidy(() => assertClose(w.grad!, torch.tensor([3, 4, 0]).mul(1 / (4 + 1e-6)), { rtol: 1e-6 }));
  w.grad = torch.tensor([NaN, 1, 1]);
  assert.throws(() => nn.utils.clipGradNorm_([w], 1, { errorIfNonfinite: true }), { name: 'TorchError', message: /non-finite/ });
  assert.ok(Number.isNaN(nn.utils.clipGradNorm_([w], 1).item()));
  assert.throws(() => nn.utils.clipGradNorm_([w], 1, { norm_type: 2 } as never), /unknown option 'norm_type'/);
  assert.throws(() => nn.utils.clipGradValue_([w, 3 as never], 1), /parameters\[1\]: expected a Tensor/);
});

// ---- findLr ----------------------------------------------------------------------------------------
/** y = x·w* + 0.1·noise, 4 batches of 32, standardized inputs (so SGD diverges past lr ≈ 1). */
function regressionData(): [Tensor, Tensor][] {
  torch.manualSeed(0);
  return torch.tidy(() => {
    const wStar = torch.randn([8, 1]);
    return [0, 1, 2, 3].map(() => {
      const x = torch.randn([32, 8]);
      return [torch.keep(x), torch.keep(x.matmul(wStar).add(torch.randn([32, 1]).mul(0.1)))] as [Tensor, Tensor];
    });
  });
}

function snapshot(model: nn.Module): Tensor[] {
  return torch.tidy(() => model.parameters().map((p) => torch.keep(p.detach().clone())));
}

test('findLr on linear regression: the loss falls, then explodes; a sensible suggestion; state restored', () => {
  const data = regressionData();
  torch.manualSeed(1);
  const model = new nn.Linear(8, 1);
  const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  torch.tidy(() => { // one real step first, so there is optimizer state to restore
    F.mseLoss(model.forward(data[0][0]), data[0][1]).backward();
    opt.step();
  });
  const params = snapshot(model);
  const buf = torch.tidy(() => torch.keep((opt.stateDict().state[0].momentumBuffer as Tensor).clone()));
  const tensorsBefore = torch.memory().numTensors;

  const r = optim.findLr(model, data, opt, (out, y) => F.mseLoss(out, y), { startLr: 1e-5, endLr: 10, numIter: 100 });

  assert.equal(torch.memory().numTensors, tensorsBefore, 'findLr leaves no tensors behind');
  assert.ok(r.diverged, 'the loss should explode before lr = 10');
  assert.ok(r.lrs.length < 100 && r.lrs.length > 50, `stopped at iteration ${r.lrs.length}`);
  assert.equal(r.lrs[0], 1e-5);
  const ratio = (10 / 1e-5) ** (1 / 99);
  r.lrs.forEach((lr, i) => assert.ok(Math.abs(lr / (1e-5 * ratio ** i) - 1) < 1e-12, `lr ${i}`));
  const minIdx = r.losses.indexOf(Math.min(...r.losses));
  const min = r.losses[minIdx];
  assert.ok(min < 0.5 * r.losses[0], `the smoothed loss falls (${r.losses[0]} -> ${min})`);
  assert.ok(Math.min(...r.rawLosses) < 0.1 * r.rawLosses[0], 'the raw loss falls tenfold');
  assert.ok(r.losses[r.losses.length - 1] > 5 * min, 'and ends above divergeThreshold × the best');
  assert.ok(minIdx < r.losses.length - 1 && r.lrs[minIdx] > 1e-3 && r.lrs[minIdx] < 3, `best loss at lr ${r.lrs[minIdx]}`);
  assert.ok(r.suggestedLr! > 1e-3 && r.suggestedLr! < 1, `suggested lr ${r.suggestedLr}`);
  assert.ok(r.suggestedLr! < r.lrs[minIdx], 'the steepest point comes before the minimum');
  assert.equal(r.rawLosses.length, r.losses.length);

  model.parameters().forEach((p, i) => assert.ok(p.equal(params[i]), `parameter ${i} restored`));
  assert.equal(opt.paramGroups[0].lr, 0.05, 'lr restored');
  assert.ok(torch.tidy(() => (opt.stateDict().state[0].momentumBuffer as Tensor).equal(buf)), 'momentum buffer restored');
  assert.equal(model.weight.grad, null);
  torch.dispose([data, params, buf]);
  model.dispose();
  opt.dispose();
});

test('findLr suggestion: the steepest fall before the smoothed minimum, never the recovery after a blow-up', () => {
  const lrs = Array.from({ length: 60 }, (_, i) => 1e-5 * 1.26 ** i);
  // Flat, a gentle dip (steepest from i = 39 to 40), a blow-up to 5 at i = 46..50, then a steep fall while it recovers.
  const losses = lrs.map((_, i) => (i <= 38 ? 2.3 : i <= 45 ? 2.3 - 0.02 * (i - 38) - (i === 40 ? 0.05 : i > 40 ? 0.05 : 0)
    : i <= 50 ? 5 : 5 - 0.3 * (i - 50)));
  assert.equal(steepest(lrs, losses), lrs[39], 'the steepest fall (2.28 → 2.21) is from i = 39 to 40');
  // fastai's range alone (n/10 .. n-5) would pick the recovery (a fall of 0.3 per point at i ≥ 50).
  const minIdx = losses.indexOf(Math.min(...losses));
  assert.equal(minIdx, 45);
  // A sweep that only rises suggests nothing; one point suggests nothing; two falling points, the first.
  assert.equal(steepest(lrs, lrs.map((_, i) => 2 + i)), null);
  assert.equal(steepest([1e-3], [2]), null);
  assert.equal(steepest([1e-3, 1e-2], [2, 1]), 1e-3);
  // NaN at the end (the step that blew up) is ignored for the minimum.
  assert.equal(steepest(lrs.slice(0, 47), [...losses.slice(0, 46), NaN]), lrs[39]);
});

test('findLr on a small MLP with Adam (fresh optimizer: no state afterwards), and a one-shot iterator', () => {
  torch.manualSeed(2);
  const batches = torch.tidy(() => [0, 1, 2].map(() => {
    const x = torch.randn([64, 4]);
    const y = x.index(':', 0).mul(x.index(':', 1)).gt(0).long();
    return [torch.keep(x), torch.keep(y)] as [Tensor, Tensor];
  }));
  const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 2));
  const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const r = optim.findLr(model, batches, opt, F.crossEntropy, { startLr: 1e-6, endLr: 100, numIter: 80 });
  const min = Math.min(...r.losses);
  assert.ok(min < r.losses[0] - 0.05, `the loss falls (${r.losses[0]} -> ${min})`);
  assert.ok(r.diverged, 'Adam at lr 100 diverges');
  assert.ok(r.suggestedLr! > 1e-5 && r.suggestedLr! < 1, `suggested lr ${r.suggestedLr}`);
  assert.equal(opt.state.size, 0);
  assert.equal(opt.paramGroups[0].lr, 3e-3);
  // a one-shot iterator that runs out stops the test early instead of looping forever
  const short = optim.findLr(model, batches.values(), opt, F.crossEntropy, { numIter: 10 });
  assert.equal(short.lrs.length, 3);
  assert.throws(() => optim.findLr(model, [], opt, F.crossEntropy), /no batches/);
  assert.throws(() => optim.findLr(model, batches, opt, F.crossEntropy, { startLr: 1, endLr: 0.1 }), /startLr < endLr/);
  torch.dispose(batches);
  model.dispose();
});
