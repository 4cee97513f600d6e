// A small sequence model, Embedding -> LSTM -> Linear, ported from PyTorch as written (issue 11):
// the same initial weights after manualSeed(0), its first Adam steps' losses equal PyTorch's on the
// same data (test/fixtures/layers.safetensors, made by test/gen/gen_layers.py's seq_model), and it
// learns the synthetic task (the label is the sequence's first token, so the LSTM must carry it
// through up to 7 later steps) to a stated accuracy on held-out sequences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { F, nn, optim, type Tensor } from '../src/index.js';
import { assertClose } from './assert-tensor.js';

const { tensors: fx, metadata } = torch.loadWithMetadata(new URL('./fixtures/layers.safetensors', import.meta.url).pathname);
const SEQ = JSON.parse(metadata.seqModel) as { vocab: number; embed: number; hidden: number; classes: number; batch: number; lr: number; steps: number };

/** The PyTorch model of gen_layers.py, line for line. */
class SeqModel extends nn.Module {
  emb = new nn.Embedding(SEQ.vocab, SEQ.embed, { paddingIdx: 0 });
  lstm = new nn.LSTM(SEQ.embed, SEQ.hidden, { batchFirst: true });
  fc = new nn.Linear(SEQ.hidden, SEQ.classes);
  forward(x: Tensor): Tensor {
    const [out] = this.lstm.forward(this.emb.forward(x));
    return this.fc.forward(out.select(1, -1));
  }
}

const accuracy = (model: SeqModel, x: Tensor, y: Tensor): number =>
  torch.tidy(() => torch.noGrad(() => model.forward(x).argmax(1).eq(y).float().mean().item()));

test('Embedding -> LSTM -> Linear: PyTorch\'s init and first losses, then 98% accuracy on held-out sequences', () => {
  const [xtrain, ytrain, xtest, ytest] = ['xtrain', 'ytrain', 'xtest', 'ytest'].map((k) => fx[`seqmodel.${k}`]);
  torch.manualSeed(0);
  const model = new SeqModel();
  assert.equal(model.toString(), [
    'SeqModel(',
    `  (emb): Embedding(${SEQ.vocab}, ${SEQ.embed}, padding_idx=0)`,
    `  (lstm): LSTM(${SEQ.embed}, ${SEQ.hidden}, batch_first=True)`,
    `  (fc): Linear(in_features=${SEQ.hidden}, out_features=${SEQ.classes}, bias=True)`,
    ')'].join('\n'));
  const state = model.stateDict();
  for (const [k, v] of Object.entries(state)) assertClose(v, fx[`seqmodel.init.${k}`], { rtol: 1e-6, atol: 1e-7, what: `init ${k}` });
  model.loadStateDict(Object.fromEntries(Object.keys(state).map((k) => [k, fx[`seqmodel.init.${k}`]])));

  const opt = new optim.Adam(model.parameters(), { lr: SEQ.lr });
  const n = xtrain.shape[0];
  const step = (i: number): number => torch.tidy(() => {
    const start = (i * SEQ.batch) % n;
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(xtrain.narrow(0, start, SEQ.batch)), ytrain.narrow(0, start, SEQ.batch));
    loss.backward();
    opt.step();
    return loss.item();
  });
  const first = Array.from({ length: SEQ.steps }, (_, i) => step(i));
  assertClose(torch.tensor(first, { dtype: 'float64' }), fx['seqmodel.losses'], { rtol: 1e-5, atol: 1e-6, what: 'first losses' });

  const before = accuracy(model, xtest, ytest);
  for (let i = SEQ.steps; i < 240; i++) step(i);
  const after = accuracy(model, xtest, ytest);
  assert.ok(before < 0.5, `accuracy after ${SEQ.steps} steps: ${before}`);
  assert.ok(after >= 0.98, `held-out accuracy after 240 steps (30 epochs of 512 sequences): ${after}`);
  console.log(`seq model: held-out accuracy ${before.toFixed(3)} after ${SEQ.steps} steps, ${after.toFixed(3)} after 240`);
  model.dispose();
});
