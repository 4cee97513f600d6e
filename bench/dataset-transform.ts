// A dataset's transform vs the same transform on the DataLoader (issue 11): Fashion-MNIST's 60,000
// training images (Debian's dataset-fashion-mnist, offline), batch 256, shuffle, the lab's
// augmentation Compose(RandomCrop(28, padding 2), RandomHorizontalFlip, ToTensor, Normalize), CPU.
// Both paths cut each batch with one indexSelect and run the Compose on the whole batch; the dataset
// path also goes through the transform lookup of cutBatch. Side by side in one run: rounds alternate
// (loader path, dataset path, ...), one epoch each; images per second, best and median per side.
//   node --import tsx bench/dataset-transform.ts [--rounds 5] [--threads N]
import * as torch from '../src/index.js';
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

function epochRate(loader: DataLoader): number {
  const t0 = performance.now();
  let images = 0;
  for (const [x] of loader) images += x.size(0);
  return images / ((performance.now() - t0) / 1000);
}
epochRate(onLoader); // warm-up: first-touch page faults, allocator
epochRate(onDataset);
const rates = { loader: [] as number[], dataset: [] as number[] };
for (let r = 0; r < rounds; r++) {
  rates.loader.push(epochRate(onLoader));
  rates.dataset.push(epochRate(onDataset));
}
const best = { loader: Math.max(...rates.loader), dataset: Math.max(...rates.dataset) };
const med = { loader: median(rates.loader), dataset: median(rates.dataset) };
console.log(`loader transform : best ${Math.round(best.loader).toLocaleString('en')} images/s, median ${Math.round(med.loader).toLocaleString('en')}`);
console.log(`dataset transform: best ${Math.round(best.dataset).toLocaleString('en')} images/s, median ${Math.round(med.dataset).toLocaleString('en')}`);
console.log(`dataset / loader: best ${(best.dataset / best.loader).toFixed(3)}, median ${(med.dataset / med.loader).toFixed(3)} (target >= 0.90)`);
console.log(JSON.stringify({ threads: torch.getNumThreads(), rounds, loaderImagesPerSec: Math.round(best.loader), datasetImagesPerSec: Math.round(best.dataset), ratioBest: +(best.dataset / best.loader).toFixed(3), ratioMedian: +(med.dataset / med.loader).toFixed(3) }));
