// CIFAR-10 and CIFAR-100 in the official binary format (cifar-10-binary.tar.gz,
// cifar-100-binary.tar.gz), with torchvision's download: official URL or a mirror, MD5-checked,
// extracted, cached. Every inconsistency is an error naming the file and the problem.
import { existsSync, readFileSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Tensor } from '../../tensor/index.js';
import { checkOptions, checkBool } from '../../tensor/args.js';
import { VisionDataset, checkLabels, uint8Tensor, type VisionDatasetOptions } from './vision.js';
import { downloadUrlSync } from './download.js';
import { extractTar } from './tar.js';

export interface CIFAROptions<X = Tensor, Y = number> extends VisionDatasetOptions<X, Y> {
  /** The folder holding `cifar-10-batches-bin/` (CIFAR-100: `cifar-100-binary/`), or where to download it. */
  root: string;
  /** The 50,000 training images or the 10,000 test images; default true. */
  train?: boolean;
  /** Download and extract the official archive when the files are missing; default false. */
  download?: boolean;
  /** A base URL serving the archive under its official name (default: env TORCHLAB_CIFAR_MIRROR, then the official site). */
  mirror?: string;
  /**
   * The archive's expected MD5 (default: the published one). A hook for tests and for mirrors that
   * serve a repacked archive; not in torchvision.
   */
  md5?: string;
}

interface Spec {
  name: string; archive: string; md5: string; folder: string;
  train: string[]; test: string[]; labelBytes: number;
  meta: { file: string; count: number }[]; // the last is the label get() returns
}

const RECORD = 3 * 32 * 32;
const BASE_URL = 'https://www.cs.toronto.edu/~kriz';

const CIFAR10_SPEC: Spec = {
  name: 'CIFAR10', archive: 'cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530', folder: 'cifar-10-batches-bin',
  train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'], labelBytes: 1,
  meta: [{ file: 'batches.meta.txt', count: 10 }],
};
const CIFAR100_SPEC: Spec = {
  name: 'CIFAR100', archive: 'cifar-100-binary.tar.gz', md5: '03b5dce01913d631647c71ecec9e9cb8', folder: 'cifar-100-binary',
  train: ['train.bin'], test: ['test.bin'], labelBytes: 2,
  meta: [{ file: 'coarse_label_names.txt', count: 20 }, { file: 'fine_label_names.txt', count: 100 }],
};

/** Makes sure the extracted files are there: downloads and extracts the archive when asked to. */
function ensureFiles(spec: Spec, root: string, download: boolean, mirror: string | undefined, md5: string | undefined): string {
  const dir = join(root, spec.folder);
  const needed = [...spec.train, ...spec.test, ...spec.meta.map((m) => m.file)];
  const missing = needed.filter((f) => !existsSync(join(dir, f)));
  if (missing.length === 0) return dir; // cached: nothing to download
  if (!download) {
    throw new Error(`${spec.name}: ${join(dir, missing[0])} not found (pass download: true to fetch ${spec.archive})`);
  }
  const archive = join(root, spec.archive);
  const expected = (md5 ?? spec.md5).toLowerCase();
  if (!existsSync(archive) || md5Sync(archive) !== expected) {
    const base = (mirror ?? process.env.TORCHLAB_CIFAR_MIRROR ?? BASE_URL).replace(/\/+$/, '');
    downloadUrlSync(`${base}/${spec.archive}`, archive, expected);
  }
  // Extract next to the final folder, then rename: a failed extraction leaves no folder that looks complete.
  const tmp = join(root, `.${spec.folder}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    extractTar(archive, tmp);
    const absent = needed.filter((f) => !existsSync(join(tmp, spec.folder, f)));
    if (absent.length) throw new Error(`${archive}: the archive lacks ${spec.folder}/${absent.join(', ')}`);
    rmSync(dir, { recursive: true, force: true }); // an incomplete earlier copy
    renameSync(join(tmp, spec.folder), dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

function md5Sync(path: string): string {
  return createHash('md5').update(readFileSync(path)).digest('hex');
}

function readNames(path: string, count: number): string[] {
  const names = readFileSync(path, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length !== count) throw new Error(`${path}: ${names.length} class names, expected ${count}`);
  return names;
}

/** Reads the record files of one split: images N×3×32×32 and each label byte as its own array. */
function readRecords(spec: Spec, dir: string, files: string[]): { images: Uint8Array; labels: Uint8Array[] } {
  const rec = spec.labelBytes + RECORD;
  const bufs = files.map((f) => {
    const path = join(dir, f);
    const b = readFileSync(path);
    if (b.length === 0) throw new Error(`${path}: empty file`);
    if (b.length % rec !== 0) {
      throw new Error(`${path}: truncated or not a CIFAR binary file (${b.length} bytes is not a whole number of ${rec}-byte records)`);
    }
    return { path, b, n: b.length / rec };
  });
  // The official train batches all hold 10,000 records: batches of different sizes mean a damaged file.
  for (const x of bufs) {
    if (x.n !== bufs[0].n) throw new Error(`${x.path}: ${x.n} records, but ${bufs[0].path} has ${bufs[0].n}`);
  }
  const n = bufs.reduce((a, x) => a + x.n, 0);
  const images = new Uint8Array(n * RECORD);
  const labels = spec.meta.map(() => new Uint8Array(n));
  let k = 0;
  for (const { path, b, n: m } of bufs) {
    const first = k;
    for (let i = 0; i < m; i++, k++) {
      const o = i * rec;
      for (let j = 0; j < spec.labelBytes; j++) labels[j][k] = b[o + j];
      images.set(b.subarray(o + spec.labelBytes, o + rec), k * RECORD); // already C×H×W (R, G, B planes)
    }
    spec.meta.forEach((meta, j) => checkLabels(labels[j].subarray(first, k), meta.count, path, spec.labelBytes > 1 ? meta.file.replace('_names.txt', '') : 'label'));
  }
  return { images, labels };
}

const KEYS = ['root', 'train', 'download', 'mirror', 'md5', 'transform', 'targetTransform'] as const;

function load(spec: Spec, options: CIFAROptions<unknown, unknown>) {
  const o = checkOptions(options, `${spec.name}: options`, KEYS);
  if (typeof o.root !== 'string') throw new TypeError(`${spec.name}: options.root: expected a folder, got ${o.root === undefined ? 'nothing' : typeof o.root}`);
  for (const k of ['mirror', 'md5'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'string') throw new TypeError(`${spec.name}: options.${k}: expected a string`);
  }
  const train = checkBool(o.train, `${spec.name}: options.train`, true);
  const download = checkBool(o.download, `${spec.name}: options.download`, false);
  const dir = ensureFiles(spec, o.root, download, o.mirror, o.md5);
  const names = spec.meta.map((m) => readNames(join(dir, m.file), m.count));
  const { images, labels } = readRecords(spec, dir, train ? spec.train : spec.test);
  return { root: o.root, train, names, labels, data: uint8Tensor(images, [labels[0].length, 3, 32, 32]) };
}

/**
 * CIFAR-10 (torchvision.datasets.CIFAR10) from the official binary version: `data` uint8
 * [N, 3, 32, 32], `targets` int64 [N], get(i) → [uint8 [3, 32, 32] image, label].
 * Deviation: reads cifar-10-binary.tar.gz (folder cifar-10-batches-bin), not torchvision's Python
 * pickle version (cifar-10-python.tar.gz), which JS cannot unpickle.
 * @example
 * const train = new CIFAR10({ root: '/data', download: true });
 * console.log(train.length, train.classes[train.get(0)[1]]);  // 50000 'frog'
 */
export class CIFAR10<X = Tensor, Y = number> extends VisionDataset<X, Y> {
  readonly root: string;
  readonly train: boolean;

  constructor(options: CIFAROptions<X, Y>) {
    const r = load(CIFAR10_SPEC, options as CIFAROptions<unknown, unknown>);
    super(r.data, r.labels[0], r.names[0], options);
    this.root = r.root;
    this.train = r.train;
  }
}

/**
 * CIFAR-100 (torchvision.datasets.CIFAR100) from the official binary version: `targets` and
 * `classes` are the 100 fine labels as in torchvision; `coarseTargets` and `coarseClasses` the 20
 * superclasses (an addition: torchvision's binary-less CIFAR100 drops them).
 * @example
 * const test = new CIFAR100({ root: '/data', train: false, download: true });
 * const [image, fine] = test.get(0);   // uint8 [3, 32, 32], 49 ('mountain')
 * test.coarseClasses[Number(test.coarseTargets.index(0).item())];  // 'large_natural_outdoor_scenes'
 */
export class CIFAR100<X = Tensor, Y = number> extends VisionDataset<X, Y> {
  readonly root: string;
  readonly train: boolean;
  /** The 20 superclass labels, int64 [N] (torch.keep'd; freed by dispose()). */
  readonly coarseTargets: Tensor;
  readonly coarseClasses: readonly string[];

  constructor(options: CIFAROptions<X, Y>) {
    const r = load(CIFAR100_SPEC, options as CIFAROptions<unknown, unknown>);
    super(r.data, r.labels[1], r.names[1], options);
    this.root = r.root;
    this.train = r.train;
    this.coarseTargets = VisionDataset.labelTensor(r.labels[0]);
    this.coarseClasses = Object.freeze(r.names[0]);
  }

  override dispose(): void {
    super.dispose();
    this.coarseTargets.dispose();
  }
}
