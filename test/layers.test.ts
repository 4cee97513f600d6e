// The layers issue 11 adds against PyTorch (test/fixtures/layers.safetensors, made by
// test/gen/gen_layers.py): for every case, the initial weights after the same manualSeed, then
// with PyTorch's (perturbed) state_dict loaded, the outputs and the gradients of the inputs and
// of every parameter, print(module) and the state_dict keys; dropout masks in training mode
// come from the same generator draws. Then each functional form against its module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { nn, type Tensor } from '../src/index.js';
import { assertClose } from './assert-tensor.js';

const { tensors: fx, metadata } = torch.loadWithMetadata(new URL('./fixtures/layers.safetensors', import.meta.url).pathname);
interface Case {
  name: string;
  seed: number;
  module: string;
  args: unknown[];
  options: Record<string, unknown>;
  inputs: string[];
  fwd: Record<string, unknown>;
  outputs: boolean[];
  train: boolean;
  dtype: 'float32' | 'float64';
  repr: string;
  stateKeys: string[];
  rtol: number;
  atol: number;
}
const cases = JSON.parse(metadata.cases) as Case[];
type AnyCtor = new (...a: unknown[]) => nn.Module<(...a: never[]) => unknown>;

const LAYERS = ['Conv1d', 'ConvTranspose2d', 'MaxPool1d', 'AvgPool1d', 'Dropout2d', 'Embedding', 'LayerNorm', 'GroupNorm', 'Upsample',
  'Unflatten', 'Softmax', 'LogSoftmax', 'Sigmoid', 'Tanh', 'SiLU', 'ELU', 'Hardswish', 'PReLU', 'LSTM', 'GRU', 'MultiheadAttention',
  'TransformerEncoderLayer'];

test('the fixture has every case: 79, covering each new layer, float64 for the composed ones, training-mode dropout', () => {
  assert.equal(cases.length, 79, 'case count (a shrunken fixture must fail)');
  assert.deepEqual([...new Set(cases.map((c) => c.module))].sort(), [...LAYERS].sort());
  for (const m of ['ConvTranspose2d', 'GroupNorm', 'Upsample', 'ELU', 'LSTM', 'GRU', 'MultiheadAttention', 'TransformerEncoderLayer']) {
    assert.ok(cases.some((c) => c.module === m && c.dtype === 'float64'), `${m}: a float64 case`);
  }
  for (const m of ['Dropout2d', 'LSTM', 'GRU', 'MultiheadAttention', 'TransformerEncoderLayer']) {
    assert.ok(cases.some((c) => c.module === m && c.train), `${m}: a training-mode case`);
  }
});

/** Nested outputs ([out, [h, c]], [out, weights | null]) as a flat list, null kept. */
const flatten = (o: unknown): (Tensor | null)[] => (Array.isArray(o) ? o.flatMap(flatten) : [o as Tensor | null]);

function forward(c: Case, m: nn.Module<(...a: never[]) => unknown>, inputs: (Tensor | [Tensor, Tensor])[], fwd: Record<string, unknown>): unknown {
  const f = m.forward.bind(m) as (...a: unknown[]) => unknown;
  if (c.module === 'MultiheadAttention') return f(...inputs, fwd);
  if (c.module === 'TransformerEncoderLayer') return f(inputs[0], fwd.srcMask ?? null, fwd.srcKeyPaddingMask ?? null);
  return f(...inputs);
}

for (const c of cases) {
  test(`${c.name}: ${c.module}(${JSON.stringify(c.args).slice(1, -1)}) ${JSON.stringify(c.options)} matches PyTorch (init, output, gradients, print)`, () => {
    torch.tidy(() => {
      const Cls = (nn as unknown as Record<string, AnyCtor>)[c.module];
      torch.manualSeed(c.seed);
      // "module:GELU" stands for a module instance (TransformerEncoderLayer's activation)
      const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) =>
        [k, typeof v === 'string' && v.startsWith('module:') ? new (nn as unknown as Record<string, AnyCtor>)[v.slice(7)]() : v]));
      const m = new Cls(...c.args, options);
      const init = m.stateDict();
      assert.deepEqual(Object.keys(init), c.stateKeys);
      for (const k of c.stateKeys) assertClose(init[k], fx[`${c.name}.init.${k}`], { rtol: 1e-6, atol: 1e-7, what: `${c.name} init ${k}` });
      assert.equal(m.toString(), c.repr);
      if (c.dtype === 'float64') m.to('float64');
      m.loadStateDict(Object.fromEntries(c.stateKeys.map((k) => [k, fx[`${c.name}.state.${k}`]])));
      m.train(c.train);

      const diff = new Map<string, Tensor>();
      const inputs: (Tensor | [Tensor, Tensor])[] = [];
      c.inputs.forEach((spec, i) => {
        if (spec === 'pair') {
          const p = [0, 1].map((j) => fx[`${c.name}.in.${i}.${j}`].clone().requiresGrad_()) as [Tensor, Tensor];
          p.forEach((t, j) => diff.set(`${i}.${j}`, t));
          inputs.push(p);
        } else if (spec.startsWith('=')) {
          inputs.push(inputs[Number(spec.slice(1))]);
        } else {
          const t = fx[`${c.name}.in.${i}`].clone();
          if (spec === 't') diff.set(String(i), t.requiresGrad_());
          inputs.push(t);
        }
      });
      const fwd = Object.fromEntries(Object.entries(c.fwd).map(([k, v]) => [k, v === 'tensor' ? fx[`${c.name}.fwd.${k}`] : v]));
      torch.manualSeed(c.seed + 1);
      const outs = flatten(forward(c, m, inputs, fwd));
      assert.deepEqual(outs.map((o) => o !== null), c.outputs, 'outputs present');
      const tol = { rtol: c.rtol, atol: c.atol };
      let loss: Tensor | null = null;
      outs.forEach((o, j) => {
        if (!o) return;
        assertClose(o.detach(), fx[`${c.name}.out.${j}`], { ...tol, what: `${c.name} output ${j}` });
        const term = o.mul(fx[`${c.name}.gout.${j}`]).sum();
        loss = loss ? loss.add(term) : term;
      });
      (loss as Tensor | null)?.backward();
      for (const [key, t] of diff) assertClose(t.grad!, fx[`${c.name}.grad.in.${key}`], { ...tol, what: `${c.name} grad input ${key}` });
      for (const [k, p] of m.namedParameters()) {
        const expected = fx[`${c.name}.grad.${k}`];
        assert.ok(expected, `${c.name}: PyTorch has a gradient for ${k}`);
        assertClose(p.grad!, expected, { ...tol, what: `${c.name} grad ${k}` });
      }
      for (const k of c.stateKeys) {
        const after = fx[`${c.name}.after.${k}`];
        if (after) assertClose(m.stateDict()[k], after, { ...tol, what: `${c.name} ${k} after forward` });
      }
      m.dispose();
    });
  });
}
