// Child process for test/train-resume.test.ts: trains the notebook's CNN on the first 1000
// Fashion-MNIST images into a run directory, so that the parent can SIGKILL it mid-epoch and resume.
//   node --import tsx test/helpers/train-resume-child.ts <runDir> <seeded|global> [--resume] [--slow-from-epoch N]
// seeded: CNNWithBN (BN buffers), SGD+momentum, StepLR, a DataLoader with its own seed.
// global: CNN, SGD+momentum+nesterov, StepLR, an unseeded DataLoader (order from the global RNG, set by
//         torch.manualSeed) and a random flip (also the global RNG).
// --slow-from-epoch N sleeps 100 ms after each step from epoch N on (the computation is unchanged), so
// that the parent's kill lands mid-epoch.
import * as torch from '../../src/index.js';
import { optim, data, models, type nn } from '../../src/index.js';
import * as train from '../../src/train/index.js';

torch.setNumThreads(1);
const [runDir, variant] = process.argv.slice(2);
const resume = process.argv.includes('--resume');
const slowIdx = process.argv.indexOf('--slow-from-epoch');
const slowFrom = slowIdx > 0 ? Number(process.argv[slowIdx + 1]) : Infinity;
if (!runDir || (variant !== 'seeded' && variant !== 'global')) throw new Error('usage: train-resume-child.ts <runDir> <seeded|global> [--resume]');

torch.manualSeed(2024);
const full = new data.FashionMNIST({ train: true });
const ds = new data.TensorDataset(torch.keep(full.data.narrow(0, 0, 1000)), torch.keep(full.targets.narrow(0, 0, 1000)));
const fullTest = new data.FashionMNIST({ train: false });
const testDs = new data.TensorDataset(torch.keep(fullTest.data.narrow(0, 0, 200)), torch.keep(fullTest.targets.narrow(0, 0, 200)));
torch.dispose([full.data, full.targets, fullTest.data, fullTest.targets]);

let model: nn.Module;
let loader: data.DataLoader;
let optimizer: optim.Optimizer;
if (variant === 'seeded') {
  model = new models.CNNWithBN({ inChannels: 1, imageSize: 28 });
  loader = new data.DataLoader(ds, { batchSize: 50, shuffle: true, seed: 7, transform: new data.ToTensor() });
  optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
} else {
  model = new models.CNN({ inChannels: 1, imageSize: 28 });
  loader = new data.DataLoader(ds, { batchSize: 50, shuffle: true, transform: new data.Compose([new data.ToTensor(), new data.RandomHorizontalFlip()]) });
  optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true });
}
const scheduler = new optim.lrScheduler.StepLR(optimizer, 1, { gamma: 0.7 });
const testLoader = new data.DataLoader(testDs, { batchSize: 100, transform: new data.ToTensor() });

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const run = await train.fit(model, loader, optimizer, {
  epochs: 4, device: 'cpu', scheduler, testLoader, runDir, resume, progress: false,
  config: { model: model.constructor.name, variant, batchSize: 50 },
  callbacks: { onStep: (s) => { if (s.epoch >= slowFrom) Atomics.wait(sleeper, 0, 0, 100); } },
});
console.log(JSON.stringify({ status: run.status, steps: run.steps.length, test: run.test }));
