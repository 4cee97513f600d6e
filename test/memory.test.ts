// Deterministic memory: 2000 training steps of the notebook's CNN inside tidy() end with exactly
// the live-tensor count seen after step 1 (RSS over the same loop is recorded by bench/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { F } from '../src/index.js';
import { createCNN, RawSGD } from '../examples/raw-cnn.js';

test('2000 CNN training steps in tidy keep the live-tensor count flat', () => {
  torch.manualSeed(0);
  const cnn = createCNN({ inChannels: 1, imageSize: 16 });
  const opt = new RawSGD(cnn.params, 0.01, 0.9);
  const x = torch.randn([4, 1, 16, 16]);
  const y = torch.randint(0, 10, [4]);
  const step = (): number => torch.tidy(() => {
    opt.zeroGrad();
    const loss = F.crossEntropy(cnn.forward(x), y);
    loss.backward();
    opt.step();
    return loss.item() as number;
  });
  const first = step();
  const afterFirst = torch.memory();
  let last = first;
  for (let i = 1; i < 2000; i++) last = step();
  const end = torch.memory();
  assert.equal(end.numTensors, afterFirst.numTensors);
  assert.equal(end.numBytes, afterFirst.numBytes);
  assert.ok(last < first, `the loss should fall while memory stays flat (${first} -> ${last})`);
});

test('tensors dropped outside any scope are reclaimed by the GC safety net', async () => {
  if (typeof global.gc !== 'function') return; // needs --expose-gc; the deterministic paths are tested above
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) {
      global.gc!();
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await settle(); // let garbage from earlier tests go first
  const before = torch.memory().numTensors;
  for (let i = 0; i < 1000; i++) torch.ones([10]);
  assert.equal(torch.memory().numTensors, before + 1000);
  await settle();
  assert.equal(torch.memory().numTensors, before);
});
