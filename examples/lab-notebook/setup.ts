// The lab notebook port's plumbing (no notebook cell lives here): the command line, the dataset choice
// and its geometry, and the helpers that stand in for Jupyter's inline output (show, loss plot paths).
// See examples/lab-notebook.ts for the options.
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { mkdirSync } from 'node:fs';
import * as torch from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import type { BasicFitOptions } from '../../src/train/index.js';
import { CIFAR10, FashionMNIST, Subset, makeGrid, saveImage, type Transform } from '../../src/data/index.js';

export const USAGE = 'usage: node --import tsx examples/lab-notebook.ts [--dataset fashion-mnist|cifar10] [--epochs-scale S]\n' +
  '         [--limit N] [--test-limit N] [--only cnn,bn,resnet] [--resnet-width W] [--out DIR] [--data-root DIR] [--seed N]';

const { values: argv } = parseArgs({
  options: {
    dataset: { type: 'string', default: process.env.LAB_DATASET ?? 'fashion-mnist' },
    'epochs-scale': { type: 'string', default: '1' },
    limit: { type: 'string' },
    'test-limit': { type: 'string' },
    only: { type: 'string', default: 'cnn,bn,resnet' },
    'resnet-width': { type: 'string', default: '64' },
    out: { type: 'string', default: path.join('runs', 'lab-notebook') },
    'data-root': { type: 'string', default: './data/' },
    seed: { type: 'string', default: '0' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (argv.help) {
  console.log(USAGE);
  process.exit(0);
}
function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}
function num(name: string, value: string | undefined, o: { int?: boolean; min: number }): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || v < o.min || (o.int && !Number.isInteger(v))) {
    fail(`--${name}: expected ${o.int ? 'an integer' : 'a number'} >= ${o.min}, got '${value}'`);
  }
  return v;
}

/** 'fashion-mnist' (default, offline) or 'cifar10' (the notebook's, downloaded into ./data/). */
export const DATASET = argv.dataset === 'cifar10' || argv.dataset === 'fashion-mnist'
  ? argv.dataset : fail(`--dataset: expected fashion-mnist or cifar10, got '${argv.dataset}'`);
export const EPOCHS_SCALE = num('epochs-scale', argv['epochs-scale'], { min: 0 })!;
export const LIMIT = num('limit', argv.limit, { int: true, min: 1 });
export const TEST_LIMIT = num('test-limit', argv['test-limit'], { int: true, min: 1 });
export const RESNET_WIDTH = num('resnet-width', argv['resnet-width'], { int: true, min: 1 })!;
export const SEED = num('seed', argv.seed, { int: true, min: 0 })!;
export const PARTS = new Set(argv.only.split(',').map((s) => s.trim()).filter(Boolean));
for (const p of PARTS) if (!['cnn', 'bn', 'resnet'].includes(p)) fail(`--only: expected parts among cnn, bn, resnet, got '${p}'`);
export const OUT = argv.out;
/** CIFAR-10's root folder (the notebook's './data/'): cifar-10-batches-bin/ is downloaded there when missing. */
export const DATA_ROOT = argv['data-root'];
mkdirSync(OUT, { recursive: true });

// The dataset's geometry, which the notebook's exercises need.
export const IN_CHANNELS = DATASET === 'cifar10' ? 3 : 1;
export const IMAGE_SIZE = DATASET === 'cifar10' ? 32 : 28;
/** The CNNs' flattened features: 32 channels × (size/4)² after two 2×2 max pools (2048 or 32*7*7 = 1568). */
export const FLAT_FEATURES = DATASET === 'cifar10' ? 2048 : 32 * 7 * 7;

/** The notebook's epoch count, scaled by --epochs-scale (rounded, at least 1). */
export const epochs = (n: number): number => Math.max(1, Math.round(n * EPOCHS_SCALE));

/** fit()'s options: the notebook's plot_loss=True, with this model's plot written to OUT/loss-<name>.png. */
export const plot = (name: string): BasicFitOptions => ({ plotLoss: true, plotPath: path.join(OUT, `loss-${name}.png`) });

export type LabDataset = FashionMNIST | CIFAR10 | Subset;

/**
 * One split of the chosen dataset with the notebook's transform on it (torchvision's
 * FashionMNIST / CIFAR10(root='./data/', train=..., download=True, transform=transform)), cut to its
 * first --limit (train) or --test-limit (test) images with torch.utils.data.Subset.
 */
export function loadDataset(train: boolean, transform: Transform): LabDataset {
  let ds: FashionMNIST | CIFAR10;
  try {
    ds = DATASET === 'cifar10'
      ? new CIFAR10({ root: DATA_ROOT, train, download: true, transform })
      : new FashionMNIST({ train, transform }); // Debian's /usr/share/datasets/fashion-mnist
  } catch (e) {
    console.error(`${(e as Error).message}\n` + (DATASET === 'cifar10'
      ? 'CIFAR-10 needs the network once (or a mirror: TORCHLAB_CIFAR_MIRROR); the default --dataset fashion-mnist works offline.'
      : 'Fashion-MNIST comes from Debian\'s dataset-fashion-mnist package: run `bash scripts/setup.sh`.'));
    process.exit(1);
  }
  const n = train ? LIMIT : TEST_LIMIT;
  if (n === undefined || n >= ds.length) return ds;
  return new Subset(ds, Array.from({ length: n }, (_, i) => i)); // Subset(ds, range(n))
}

/** Frees a dataset's tensors (the notebook just rebinds the name and lets Python collect it). */
export function disposeDataset(ds: LabDataset): void {
  (ds instanceof Subset ? (ds.dataset as FashionMNIST | CIFAR10) : ds).dispose();
}

let shown = 0;
/** The notebook's show(img): instead of plt.imshow, the image goes to OUT/samples[-N].png, whose path is printed. */
export function show(img: Tensor): void {
  const file = path.join(OUT, `samples${shown++ ? `-${shown}` : ''}.png`);
  saveImage(img, file);
  console.log(`Sample grid: ${file}`);
}

export { makeGrid };
