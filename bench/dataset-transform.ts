// A dataset's transform vs the same transform on the DataLoader (issue 11): Fashion-MNIST's 60,000
// training images (Debian's dataset-fashion-mnist, offline), batch 256, shuffle, the lab's
// augmentation Compose(RandomCrop(28, padding 2), RandomHorizontalFlip, ToTensor, Normalize), CPU.
// Both paths cut each batch with one indexSelect and run the Compose on the whole batch; the dataset
// path also goes through cutBatch's transform lookup. Side by side in one run, interleaved batch by
// batch (the two loaders advance in lockstep, each next() timed on its own, the side going first
// alternating), so that load from other processes falls on both sides alike; images per second
// over each epoch's summed next() times, best and median per side over the rounds.
//   node --import tsx bench/dataset-transform.ts [--rounds 5] [--threads N]
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { Compose, DataLoader, FashionMNIST, Normalize, RandomCrop, RandomHorizontalFlip, ToTensor } from '../src/data/index.js';
import { defaultThreads, intFlag, median, parseFlags } from './common.js';

const flags = parseFlags();
const rounds = intFlag(flags, 'rounds', 5);
torch.setNumThreads(intFlag(flags, 'threads', defaultThreads()));
const compose = (): Compose => new Compose([
  new RandomCrop(28, { padding: 2 }), new RandomHorizontalFlip(), new ToTensor(), new Normalize([0.286], [0.353]),
]);
const onLoader = new DataLoader(new FashionMNIST({ train: true }), { batchSize: 256, shuffle: true, seed: 0, transform: compose() });
const onDataset = new DataLoader(new FashionMNIST({ train: true, transform: compose() }), { batchSize: 256, shuffle: true, seed: 0 });

/** One epoch of both loaders in lockstep: [loader path, dataset path] images per second. */
function epochRates(round: number): [number, number] {
  const its = [onLoader[Symbol.iterator](), onDataset[Symbol.iterator]()];
  const ms = [0, 0];
  const images = [0, 0];
  for (let k = 0; ; k++) {
    let done = false;
    for (const side of (k + round) % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = performance.now();
      const r = its[side].next();
      ms[side] += performance.now() - t0;
      if (r.done) done = true;
      else images[side] += (r.value[0] as Tensor).size(0);
    }
    if (done) break;
  }
  return [images[0] / (ms[0] / 1000), images[1] / (ms[1] / 1000)];
}
epochRates(0); // warm-up: first-touch page faults, allocator
const rates = { loader: [] as number[], dataset: [] as number[] };
for (let r = 0; r < rounds; r++) {
  const [a, b] = epochRates(r);
  rates.loader.push(a);
  rates.dataset.push(b);
}
const best = { loader: Math.max(...rates.loader), dataset: Math.max(...rates.dataset) };
const med = { loader: median(rates.loader), dataset: median(rates.dataset) };
const fmt = (v: number): string => Math.round(v).toLocaleString('en');
console.log(`loader transform : best ${fmt(best.loader)} images/s, median ${fmt(med.loader)}`);
console.log(`dataset transform: best ${fmt(best.dataset)} images/s, median ${fmt(med.dataset)}`);
console.log(`dataset / loader: best ${(best.dataset / best.loader).toFixed(3)}, median ${(med.dataset / med.loader).toFixed(3)} (target >= 0.90)`);
console.log(JSON.stringify({ threads: torch.getNumThreads(), rounds, loaderImagesPerSec: Math.round(best.loader), datasetImagesPerSec: Math.round(best.dataset), ratioBest: +(best.dataset / best.loader).toFixed(3), ratioMedian: +(med.dataset / med.loader).toFixed(3) }));
