// DataLoader throughput (twin: bench/dataloader_torchvision.py): CIFAR-10-shaped synthetic data
// (50,000 × 3×32×32 uint8), batch 256, shuffle, RandomCrop(32, padding 4) + RandomHorizontalFlip +
// ToTensor + Normalize, on CPU; images per second over full epochs.
//   node --import tsx bench/dataloader.ts [--epochs 2] [--n 50000] [--threads N]
import * as torch from '../src/index.js';
import { DataLoader, TensorDataset } from '../src/data/dataloader.js';
import { Compose, Normalize, RandomCrop, RandomHorizontalFlip, ToTensor } from '../src/data/transforms.js';
import { defaultThreads, intFlag, parseFlags } from './common.js';

const flags = parseFlags();
const epochs = intFlag(flags, 'epochs', 2);
const n = intFlag(flags, 'n', 50000);
torch.setNumThreads(intFlag(flags, 'threads', defaultThreads()));
torch.manualSeed(0);
const ds = new TensorDataset(torch.keep(torch.randint(0, 256, [n, 3, 32, 32], { dtype: 'uint8' })), torch.keep(torch.randint(0, 10, [n])));
// torchvision's order (crop and flip on the uint8 images, then ToTensor + Normalize), as in the twin.
const transform = new Compose([
  new RandomCrop(32, { padding: 4 }), new RandomHorizontalFlip(),
  new ToTensor(), new Normalize([0.4914, 0.4822, 0.4465], [0.247, 0.243, 0.261]),
]);
const loader = new DataLoader(ds, { batchSize: 256, shuffle: true, transform, seed: 0 });
const rates: number[] = [];
for (let e = 0; e < epochs; e++) {
  const t0 = performance.now();
  let images = 0;
  for (const [x] of loader) images += x.size(0);
  rates.push(images / ((performance.now() - t0) / 1000));
}
console.log(JSON.stringify({ side: 'torchlab', threads: torch.getNumThreads(), imagesPerSec: Math.round(Math.max(...rates)) }));
