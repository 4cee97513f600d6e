// The loss modules and their functional forms against PyTorch (test/fixtures/losses.safetensors,
// made by test/gen/gen_losses.py): every loss with each of its options and reductions, outputs and
// gradients w.r.t. input (and target where PyTorch differentiates it), print(module) and
// state_dict keys; then PyTorch's errors for bad arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { F, nn, type Tensor } from '../src/index.js';
import { assertClose } from './assert-tensor.js';

const { tensors: fx, metadata } = torch.loadWithMetadata(new URL('./fixtures/losses.safetensors', import.meta.url).pathname);
interface Case {
  name: string;
  module: keyof typeof LOSSES;
  options: Record<string, unknown>;
  targetGrad: boolean;
  repr: string;
  stateKeys: string[];
  rtol: number;
  atol: number;
}
const cases = JSON.parse(metadata.cases) as Case[];

type LossClass = new (...args: never[]) => nn.Module<(input: Tensor, target: Tensor) => Tensor>;
type LossFn = (input: Tensor, target: Tensor, options?: never) => Tensor;
/** Each module with its functional form. */
const LOSSES = {
  CrossEntropyLoss: [nn.CrossEntropyLoss, F.crossEntropy],
  NLLLoss: [nn.NLLLoss, F.nllLoss],
  MSELoss: [nn.MSELoss, F.mseLoss],
  L1Loss: [nn.L1Loss, F.l1Loss],
  SmoothL1Loss: [nn.SmoothL1Loss, F.smoothL1Loss],
  HuberLoss: [nn.HuberLoss, F.huberLoss],
  BCELoss: [nn.BCELoss, F.binaryCrossEntropy],
  BCEWithLogitsLoss: [nn.BCEWithLogitsLoss, F.binaryCrossEntropyWithLogits],
  KLDivLoss: [nn.KLDivLoss, F.klDiv],
} as unknown as Record<string, [LossClass, LossFn]>;

test('the fixture has every case: 82, covering each loss and each of its options', () => {
  assert.equal(cases.length, 82, 'case count (a shrunken fixture must fail)');
  const covered = new Map<string, Set<string>>();
  for (const c of cases) {
    const s = covered.get(c.module) ?? new Set<string>();
    for (const [k, v] of Object.entries(c.options)) s.add(k === 'reduction' ? `reduction=${String(v)}` : k);
    if (c.targetGrad) s.add('targetGrad');
    covered.set(c.module, s);
  }
  const reductions = ['reduction=mean', 'reduction=sum', 'reduction=none'];
  const expected: Record<string, string[]> = {
    CrossEntropyLoss: [...reductions, 'weight', 'ignoreIndex', 'labelSmoothing', 'targetGrad'],
    NLLLoss: [...reductions, 'weight', 'ignoreIndex'],
    MSELoss: [...reductions, 'targetGrad'],
    L1Loss: [...reductions, 'targetGrad'],
    SmoothL1Loss: [...reductions, 'beta', 'targetGrad'],
    HuberLoss: [...reductions, 'delta', 'targetGrad'],
    BCELoss: [...reductions, 'weight', 'targetGrad'],
    BCEWithLogitsLoss: [...reductions, 'weight', 'posWeight', 'targetGrad'],
    KLDivLoss: [...reductions, 'reduction=batchmean', 'logTarget', 'targetGrad'],
  };
  assert.deepEqual([...covered.keys()].sort(), Object.keys(expected).sort());
  for (const [m, keys] of Object.entries(expected)) {
    for (const k of keys) assert.ok(covered.get(m)!.has(k), `${m}: no case for ${k}`);
  }
  assert.ok(cases.some((c) => c.module === 'CrossEntropyLoss' && c.targetGrad), 'probability targets');
});

/** The case's options with its tensor options filled in from the fixture. */
function optionsOf(c: Case): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, v === 'tensor' ? fx[`${c.name}.${k}`] : v]));
}

for (const c of cases) {
  test(`${c.name}: ${c.module} ${JSON.stringify(c.options)} matches PyTorch (output, gradients, print, state_dict)`, () => {
    torch.tidy(() => {
      const [Loss, fn] = LOSSES[c.module];
      const opts = optionsOf(c);
      // ce_positional_weight: PyTorch's positional weight, nn.CrossEntropyLoss(w, reduction='sum')
      const { weight, ...rest } = opts;
      const module = c.name.includes('positional') ? new Loss(weight as never, rest as never) : new Loss(opts as never);
      assert.equal(module.toString(), c.repr);
      assert.deepEqual(Object.keys(module.stateDict()), c.stateKeys);

      const x = fx[`${c.name}.input`].clone().requiresGrad_();
      const t = fx[`${c.name}.target`].clone().requiresGrad_(c.targetGrad);
      const out = module.forward(x, t);
      const tol = { rtol: c.rtol, atol: c.atol };
      assertClose(out.detach(), fx[`${c.name}.out`], { ...tol, what: `${c.name} output` });
      out.backward(fx[`${c.name}.gout`]);
      assertClose(x.grad!, fx[`${c.name}.grad.input`], { ...tol, what: `${c.name} grad input` });
      if (c.targetGrad) assertClose(t.grad!, fx[`${c.name}.grad.target`], { ...tol, what: `${c.name} grad target` });
      // The functional form is the same computation.
      const functional = fn(x.detach(), t.detach(), opts as never);
      assert.ok(functional.equal(out.detach()), `${c.name}: F and module differ`);
    });
  });
}

test('losses print as PyTorch prints them, hold weight / posWeight as buffers, and move with .to()', () => {
  torch.tidy(() => {
    const w = torch.tensor([1, 2, 3]);
    const ce = new nn.CrossEntropyLoss(w, { labelSmoothing: 0.1 });
    assert.equal(ce.toString(), 'CrossEntropyLoss()');
    assert.equal(ce.weight, w);
    assert.deepEqual(ce.buffers(), [w]);
    ce.to('float64');
    assert.equal(w.dtype, 'float64', 'the weight buffer is cast in place, as register_buffer tensors are');
    const bce = new nn.BCEWithLogitsLoss({ posWeight: torch.tensor([2]) });
    assert.deepEqual(Object.keys(bce.stateDict()), ['pos_weight']);
    assert.equal(new nn.KLDivLoss({ reduction: 'batchmean', logTarget: true }).toString(), 'KLDivLoss()');
    const huber = new nn.HuberLoss('sum', 2);
    assert.equal(huber.reduction, 'sum');
    assert.equal(huber.delta, 2);
    assert.equal(new nn.HuberLoss({ delta: 0.5 }).delta, 0.5);
    ce.dispose();
    bce.dispose();
  });
});

test('a loss weight loaded from a PyTorch state_dict gives PyTorch\'s loss', () => {
  torch.tidy(() => {
    const ce = new nn.CrossEntropyLoss({ weight: torch.zeros([5]) });
    ce.loadStateDict({ weight: fx['ce_weight_mean.weight'] });
    const out = ce.forward(fx['ce_weight_mean.input'], fx['ce_weight_mean.target']);
    assertClose(out, fx['ce_weight_mean.out'], { rtol: 1e-5, atol: 1e-6, what: 'ce_weight_mean from a state dict' });
    assert.throws(() => ce.loadStateDict({}), /Missing key\(s\) in state_dict: "weight"/);
    ce.dispose();
  });
});

test('loss forward is typed (input, target) => Tensor and works inside a training step', () => {
  torch.manualSeed(0);
  const model = new nn.Linear(4, 3);
  const lossFn = new nn.CrossEntropyLoss();
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.5 });
  const x = torch.randn([32, 4]);
  const y = x.narrow(1, 0, 3).argmax(1);
  const losses: number[] = [];
  for (let i = 0; i < 20; i++) {
    losses.push(torch.tidy(() => {
      opt.zeroGrad();
      const loss: Tensor = lossFn.forward(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    }));
  }
  assert.ok(losses[19] < losses[0] * 0.7, `loss fell: ${losses[0]} -> ${losses[19]}`);
  torch.dispose([x, y]);
  model.dispose();
});

test('bad loss arguments: unknown options name the valid ones; PyTorch\'s value errors', () => {
  torch.tidy(() => {
    const x = torch.rand([3, 2]);
    const t = torch.rand([3, 2]);
    const unknown = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof TypeError && re.test(e.message));
    unknown(() => new nn.CrossEntropyLoss({ label_smoothing: 0.1 } as never),
      /^CrossEntropyLoss: unknown option 'label_smoothing'; valid options: weight, ignoreIndex, reduction, labelSmoothing$/);
    unknown(() => new nn.CrossEntropyLoss(torch.ones([2]), { weight: torch.ones([2]) } as never), /multiple values for argument 'weight'/);
    unknown(() => new nn.MSELoss('sum' as never), /MSELoss: takes at most 0 positional arguments/);
    unknown(() => new nn.SmoothL1Loss({ delta: 1 } as never), /valid options: reduction, beta$/);
    unknown(() => new nn.KLDivLoss({ log_target: true } as never), /valid options: reduction, logTarget$/);
    unknown(() => F.smoothL1Loss(x, t, { betta: 1 } as never), /^smoothL1Loss: unknown option 'betta'/);
    unknown(() => F.huberLoss(x, t, { beta: 1 } as never), /^huberLoss: unknown option 'beta'; valid options: reduction, delta$/);
    unknown(() => F.binaryCrossEntropy(x, t, { posWeight: t } as never), /^binaryCrossEntropy: unknown option 'posWeight'/);
    unknown(() => F.klDiv(x, t, { logtarget: true } as never), /^klDiv: unknown option 'logtarget'/);
    unknown(() => F.crossEntropy(x, t, { ignore_index: 1 } as never), /^crossEntropy: unknown option 'ignore_index'/);
    unknown(() => F.binaryCrossEntropyWithLogits(x, t, { pos_weight: t } as never), /unknown option 'pos_weight'/);
    unknown(() => new nn.BCELoss('weights' as never), /weight: expected a Tensor or null/);
    assert.throws(() => new nn.L1Loss({ reduction: 'avg' as never }), { name: 'TypeError', message: /reduction: expected 'none', 'mean' or 'sum'/ });
    assert.throws(() => F.klDiv(x, t, { reduction: 'avg' as never }), { name: 'TypeError', message: "reduction: expected 'none', 'batchmean', 'mean' or 'sum', got string avg" });
    assert.throws(() => new nn.KLDivLoss({ reduction: 'avg' as never }), { name: 'TypeError', message: /'batchmean'/ });
    assert.throws(() => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 }), RangeError);
    assert.throws(() => F.smoothL1Loss(x, t, { beta: -1 }), { name: 'TorchError', message: 'smooth_l1_loss does not support negative values for beta.' });
    assert.throws(() => F.huberLoss(x, t, { delta: 0 }), { name: 'TorchError', message: 'huber_loss does not support non-positive values for delta.' });
    assert.throws(() => F.binaryCrossEntropy(x.add(1), t), { name: 'TorchError', message: 'all elements of input should be between 0 and 1' });
    assert.throws(() => F.binaryCrossEntropy(x.narrow(1, 0, 1).squeeze(1), x.narrow(1, 0, 1)), (e: torch.TorchError) =>
      e.kind === 'ValueError' && e.message === 'Using a target size (torch.Size([3, 1])) that is different to the input size ' +
      '(torch.Size([3])) is deprecated. Please ensure they have the same size.');
    assert.throws(() => F.binaryCrossEntropyWithLogits(x, t.narrow(1, 0, 1)), (e: torch.TorchError) =>
      e.kind === 'ValueError' && e.message === 'Target size (torch.Size([3, 1])) must be the same as input size (torch.Size([3, 2]))');
    const disposed = torch.rand([2]);
    disposed.dispose();
    assert.throws(() => F.smoothL1Loss(disposed, t), { name: 'TypeError', message: /disposed/ });
  });
});

test('BCE at saturated inputs: finite values (logs clamped at -100) and finite input gradients, as PyTorch', () => {
  torch.tidy(() => {
    const x = torch.tensor([0, 1, 0, 1], { requiresGrad: true });
    const t = torch.tensor([1, 0, 0, 1]);
    const loss = F.binaryCrossEntropy(x, t, { reduction: 'none' });
    assert.deepEqual(Array.from(loss.data() as Float32Array), [100, 100, 0, 0]);
    loss.sum().backward();
    assert.deepEqual(Array.from(x.grad!.data() as Float32Array), [-1e12, 1e12, 0, 0].map(Math.fround));
  });
});

test('composed losses free their intermediates (no tensors left but the result)', () => {
  const x = torch.rand([8, 4], { requiresGrad: true });
  const t = torch.rand([8, 4], { requiresGrad: true });
  const before = torch.memory().numTensors;
  const outs = [F.smoothL1Loss(x, t), F.huberLoss(x, t), F.binaryCrossEntropy(x, t), F.klDiv(x.log(), t, { reduction: 'batchmean' })];
  assert.equal(torch.memory().numTensors, before + outs.length + 1, 'one result each (and x.log())');
  torch.dispose([...outs, x, t]);
});
