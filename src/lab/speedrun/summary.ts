// `torchlab speedrun`: the recipe over several seeds, each timed on its own (data loading included),
// then a summary (speedrun.json, speedrun.md) and the accuracy-against-wall-time plot (PNG + SVG).
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import * as torch from '../../tensor/index.js';
import { FashionMNIST } from '../../data/datasets/mnist.js';
import { CIFAR10 } from '../../data/datasets/cifar.js';
import { savePlot, PLOT_FONT } from '../../train/plots.js';
import { runSpeedrun, type SeedResult, type SpeedrunHyper, type SpeedrunSplit } from './recipe.js';

export const SPEEDRUN_DATASETS = ['fashion-mnist', 'cifar10'] as const;
export type SpeedrunDataset = (typeof SPEEDRUN_DATASETS)[number];

// Per-channel pixel mean and std of the training sets (airbench hard-codes CIFAR-10's the same way).
const STATS: Record<SpeedrunDataset, { mean: number[]; std: number[] }> = {
  'fashion-mnist': { mean: [0.2860], std: [0.3530] },
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616] },
};

/** The splits, read from disk on every call (the recipe times it). CIFAR-10 is never downloaded here. */
export function speedrunLoader(dataset: SpeedrunDataset, o: { dataDir?: string; limit?: number | null; testLimit?: number | null }) {
  if (dataset === 'cifar10') {
    const root = resolve(o.dataDir ?? './data');
    const folder = join(root, 'cifar-10-batches-bin'), archive = join(root, 'cifar-10-binary.tar.gz');
    if (!existsSync(folder) && !existsSync(archive)) {
      throw new Error(`speedrun cifar10: CIFAR-10 not found: looked for ${folder} and ${archive} (pass --data-dir DIR holding the binary version)`);
    }
  } else if (dataset !== 'fashion-mnist') {
    throw new TypeError(`unknown dataset '${String(dataset)}'; expected one of ${SPEEDRUN_DATASETS.join(', ')}`);
  }
  const take = (s: SpeedrunSplit, k: number | null | undefined): SpeedrunSplit => (k ? { data: s.data.narrow(0, 0, Math.min(k, s.data.size(0))), targets: s.targets.narrow(0, 0, Math.min(k, s.data.size(0))) } : s);
  return () => {
    const open = (train: boolean) => (dataset === 'cifar10'
      ? new CIFAR10({ root: resolve(o.dataDir ?? './data'), train, download: true /* extracts a present archive; absent was checked above */ })
      : new FashionMNIST({ root: o.dataDir, train }));
    const train = open(true), test = open(false);
    return { train: take(train, o.limit), test: take(test, o.testLimit), ...STATS[dataset], dispose: () => { train.dispose(); test.dispose(); } };
  };
}

export interface SpeedrunSummary {
  dataset: SpeedrunDataset;
  hyper: SpeedrunHyper;
  seeds: SeedResult[];
  accuracy: { mean: number; std: number; min: number; max: number };
  seconds: { mean: number; std: number; min: number; max: number };
  threads: number;
  libtorchVersion: string;
  torchlabVersion: string;
  loadavg: string;
  createdAt: string;
  command: string;
}

/** Mean, sample std (n - 1, as torch.std), min and max. */
export function stats(v: number[]): { mean: number; std: number; min: number; max: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

/** Test accuracy against wall time, one line per seed (a point per evaluation). */
export function accuracyTimeSpec(seeds: SeedResult[], title: string): TopLevelSpec {
  const rows = seeds.flatMap((s) => s.curve.map((p) => ({ seed: `seed ${s.seed}`, seconds: p.seconds, accuracy: p.accuracy, epoch: p.epoch })));
  const font = { labelFont: PLOT_FONT, titleFont: PLOT_FONT };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, font: PLOT_FONT, anchor: 'start' },
    width: 560, height: 320, background: 'white', padding: 8,
    config: { font: PLOT_FONT, axis: font, legend: font, view: { stroke: '#cccccc' } },
    data: { values: rows },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'seconds', type: 'quantitative', title: 'Wall time (s), data loading included' },
      y: { field: 'accuracy', type: 'quantitative', title: 'Test accuracy (%)', scale: { zero: false } },
      color: { field: 'seed', type: 'nominal', title: 'Run' },
      tooltip: [{ field: 'seed' }, { field: 'epoch' }, { field: 'seconds', format: '.1f' }, { field: 'accuracy', format: '.2f' }],
    },
  } as unknown as TopLevelSpec;
}

export function summaryMarkdown(s: SpeedrunSummary): string {
  const h = s.hyper;
  const lines = [
    `# torchlab speedrun ${s.dataset}`, '',
    `${s.seeds.length} seeds: test accuracy ${s.accuracy.mean.toFixed(2)} ± ${s.accuracy.std.toFixed(2)} % (mean ± std), ` +
      `wall time ${s.seconds.mean.toFixed(1)} ± ${s.seconds.std.toFixed(1)} s per run (data loading, training and evaluation).`, '',
    `Recipe: widths ${h.widths.join('/')}, ${h.epochs} epochs, batch ${h.batchSize}, Nesterov SGD (lr ${h.lr}, momentum ${h.momentum}, wd ${h.weightDecay} per 1024), ` +
      `label smoothing ${h.labelSmoothing}, ${h.flip ? 'alternating flips' : 'no flips'}, ${h.tta ? 'flip TTA' : 'no TTA'}, ` +
      `${h.emaStart === null ? 'no EMA' : `lookahead EMA from epoch ${h.emaStart}`}, ${h.memoryFormat}, ${s.threads} threads, libtorch ${s.libtorchVersion}.`, '',
    '| seed | test accuracy (%) | wall time (s) | data loading (s) | accuracy after each epoch (%, at s) |', '|---|---|---|---|---|',
    ...s.seeds.map((r) => `| ${r.seed} | ${r.accuracy.toFixed(2)} | ${r.seconds.toFixed(1)} | ${r.loadSeconds.toFixed(1)} | ${r.curve.map((p) => `${p.accuracy.toFixed(2)} @ ${p.seconds.toFixed(1)}`).join(', ')} |`),
    '', `Load average at the start: ${s.loadavg}. Command: \`${s.command}\`.`, '', '![accuracy against wall time](accuracy-time.png)', '',
  ];
  return lines.join('\n');
}

export interface SpeedrunOptions {
  dataset: SpeedrunDataset;
  seeds: number[];
  hyper: SpeedrunHyper;
  out: string;
  dataDir?: string;
  limit?: number | null;
  testLimit?: number | null;
  command: string;
  log?: (line: string) => void;
  onStep?: (seed: number, step: number, total: number) => void;
}

/** Runs every seed, then writes speedrun.json, speedrun.md and accuracy-time.{png,svg} under out. */
export async function speedrun(o: SpeedrunOptions): Promise<SpeedrunSummary & { files: { json: string; md: string; png: string; svg: string } }> {
  if (o.seeds.length === 0) throw new RangeError('speedrun: no seeds to run');
  const loadavg = existsSync('/proc/loadavg') ? (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a';
  const load = speedrunLoader(o.dataset, o);
  const seeds: SeedResult[] = [];
  for (const seed of o.seeds) {
    const r = runSpeedrun({ seed, hyper: o.hyper, load, onStep: (s, t) => o.onStep?.(seed, s, t),
      onEpoch: (p) => o.log?.(`  seed ${seed} epoch ${p.epoch}: ${p.accuracy.toFixed(2)}% at ${p.seconds.toFixed(1)} s`) });
    o.log?.(`seed ${seed}: ${r.accuracy.toFixed(2)}% test accuracy in ${r.seconds.toFixed(1)} s`);
    seeds.push(r);
  }
  const summary: SpeedrunSummary = {
    dataset: o.dataset, hyper: o.hyper, seeds, accuracy: stats(seeds.map((r) => r.accuracy)), seconds: stats(seeds.map((r) => r.seconds)),
    threads: torch.getNumThreads(), libtorchVersion: torch.libtorchVersion, torchlabVersion: torch.torchlabVersion, loadavg,
    createdAt: new Date().toISOString(), command: o.command,
  };
  const dir = resolve(o.out);
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'speedrun.json'), md = join(dir, 'speedrun.md');
  const plot = await savePlot(accuracyTimeSpec(seeds, `speedrun ${o.dataset}: test accuracy against wall time`), dir, 'accuracy-time');
  await writeFile(json, JSON.stringify(summary, null, 2) + '\n');
  await writeFile(md, summaryMarkdown(summary));
  return { ...summary, files: { json, md, png: plot.png, svg: plot.svg } };
}
