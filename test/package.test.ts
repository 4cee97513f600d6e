// The published entry point: `import * as torch from 'torchlab'` resolves to the compiled dist/
// (with .d.ts) through package.json "exports", and is the same API as src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

test("import 'torchlab' gives the compiled, typed package", async () => {
  const torch = await import('torchlab');
  assert.ok(existsSync(new URL('../dist/index.d.ts', import.meta.url)));
  const x = torch.tidy(() => torch.ones([2, 2]).mul(3).sum());
  assert.equal(x.item(), 12);
  assert.equal(typeof torch.F.conv2d, 'function');
  x.dispose();
});

test("subpaths: torchlab/nn, /nn/functional, /optim, /models, /data, /utils, /utils/data, /distributed", async () => {
  const nn = await import('torchlab/nn');
  const F = await import('torchlab/nn/functional');
  const optim = await import('torchlab/optim');
  const models = await import('torchlab/models');
  const data = await import('torchlab/data');
  const utils = await import('torchlab/utils');
  const utilsData = await import('torchlab/utils/data');
  const dist = await import('torchlab/distributed');
  assert.equal(typeof dist.initProcessGroup, 'function');
  assert.equal(typeof nn.parallel.DistributedDataParallel, 'function');
  assert.equal(typeof data.DistributedSampler, 'function');
  assert.equal(typeof data.DataLoader, 'function');
  assert.equal(typeof utils.makeGrid, 'function');
  assert.equal(utils.data.randomSplit, utilsData.randomSplit); // torch.utils.data
  assert.equal(utilsData.DataLoader, data.DataLoader);
  assert.equal(typeof nn.Linear, 'function');
  assert.equal(typeof F.crossEntropy, 'function');
  assert.equal(typeof optim.SGD, 'function');
  assert.equal(typeof models.resnet18, 'function');
});
