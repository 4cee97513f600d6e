// One training epoch of the notebook's CNN on Fashion-MNIST through train.fit (twin:
// bench/fit_epoch_torch.py, the notebook's BasicModel.train_epoch + DataLoader(num_workers=2)),
// written the way a user writes it: FashionMNIST + DataLoader({batchSize: 1024, shuffle: true,
// transform: new ToTensor()}), models.CNN({inChannels: 1, imageSize: 28}), optim.SGD lr 0.01,
// fit(model, loader, optimizer, {epochs: 1, device: 'cpu', progress: true}).
//
//   node --import tsx bench/fit-epoch.ts [--epochs 3] [--warmup 1] [--threads N] [--no-progress] [--limit N]
//                                        [--loader-only] [--json FILE]
//
// Timed per epoch (performance.now() around one fit(..., {epochs: 1}) call): cutting, shuffling and
// converting every batch (the DataLoader), forward/backward/step, loss.item() per step, the
// accuracy count fit does per step, and the progress bar. Not timed: reading the dataset files
// (new FashionMNIST(...)) and building the model. Each epoch is its own fit() call (epochs: 1),
// so the timed work also includes fit's per-call setup (option checks, config record), as a user
// calling fit once per epoch would pay. --loader-only times a pass over the DataLoader alone.
import * as torch from '../src/index.js';
import { data, models, optim, train } from '../src/index.js';
import { defaultThreads, intFlag, median, parseFlags } from './common.js';

const flags = parseFlags();
const epochs = intFlag(flags, 'epochs', 3);
const warmup = intFlag(flags, 'warmup', 1);
const batchSize = intFlag(flags, 'batch', 1024);
const limit = intFlag(flags, 'limit', 0);
const progress = !flags.has('no-progress');
const loaderOnly = flags.has('loader-only');
torch.setNumThreads(intFlag(flags, 'threads', defaultThreads()));
torch.manualSeed(0);

const tLoad = performance.now();
const full = new data.FashionMNIST({ train: true });
const dataset = limit ? torch.tidy(() => new data.TensorDataset(torch.keep(full.data.narrow(0, 0, limit)), torch.keep(full.targets.narrow(0, 0, limit)))) : full;
const loadSeconds = (performance.now() - tLoad) / 1000;

const loader = new data.DataLoader(dataset, { batchSize, shuffle: true, transform: new data.ToTensor() });
const model = new models.CNN({ inChannels: 1, imageSize: 28 });
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });

const times: number[] = [];
const losses: number[] = [];
for (let e = 0; e < warmup + epochs; e++) {
  const t0 = performance.now();
  let loss = NaN;
  if (loaderOnly) {
    let n = 0;
    for await (const [x] of loader) n += x.size(0);
    loss = n;
  } else {
    const run = await train.fit(model, loader, optimizer, { epochs: 1, device: 'cpu', progress, log: null });
    loss = run.epochs[0].trainLoss;
  }
  const dt = (performance.now() - t0) / 1000;
  losses.push(+loss.toFixed(4));
  if (e >= warmup) times.push(dt);
  console.error(`epoch ${e}${e < warmup ? ' (warm-up)' : ''}: ${dt.toFixed(3)} s, ${loaderOnly ? 'images' : 'mean loss'} ${loss.toFixed(4)}`);
}

const rec = {
  side: 'torchlab', mode: loaderOnly ? 'loader-only' : progress ? 'fit' : 'fit-no-progress', threads: torch.getNumThreads(),
  batch: batchSize, samples: dataset.length, steps: loader.length, warmup,
  epochSeconds: times.map((t) => +t.toFixed(3)), medianSeconds: +median(times).toFixed(3),
  epochMeanLosses: losses, datasetLoadSeconds: +loadSeconds.toFixed(3),
};
const file = flags.get('json');
if (typeof file === 'string') (await import('node:fs')).appendFileSync(file, `${JSON.stringify(rec)}\n`);
console.log(JSON.stringify(rec));
