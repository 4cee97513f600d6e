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

test('a process exiting with zero-copy tensors still alive exits cleanly', async () => {
  // Regression: tensors freed during static destruction at exit ran fromBuffer's storage deleter
  // against already-destroyed state (double free, abort).
  const { spawnSync } = await import('node:child_process');
  const entry = new URL('../src/index.ts', import.meta.url).pathname;
  const script = `import * as torch from '${entry}';
for (let k = 0; k < 50; k++) { const b = torch.fromBuffer(new Uint8Array(200000).fill(k), [200000]); b.sum().dispose(); }
console.log('done');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /done/);
});
