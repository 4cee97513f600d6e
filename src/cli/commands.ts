// The `torchlab` subcommands' actions: lab, train, samples, summary.
import * as path from 'node:path';
import * as torch from '../tensor/index.js';
import { summary as modelSummary } from '../nn/summary.js';
import { saveImage } from '../data/image.js';
import { fit } from '../train/fit.js';
import { runLab } from '../lab/lab.js';
import { experimentPlots } from '../lab/lab-plots.js';
import { writeReport } from '../lab/report.js';
import type { ExperimentId, ModelKind, OptimizerKind, PresetName } from '../lab/experiments.js';
import { buildModel, buildOptimizer, distributedLoaderFor, firstSamples, loadData, loaderFor, type DatasetName } from '../lab/setup.js';
import { DistributedDataParallel } from '../nn/parallel/distributed.js';
import { joinFromEnvironment, leave, perRankBatch } from '../train/data-parallel.js';
import type { MemoryFormatOption } from '../train/memory-format.js';

const defaultDevice = (): string => (torch.cuda.isAvailable() ? 'cuda' : 'cpu');
const commandLine = (): string => ['torchlab', ...process.argv.slice(2)].join(' ');

export interface CommonOptions {
  dataset: DatasetName;
  device?: string;
  seed: number;
  dataDir?: string;
  mirror?: string;
  progress: boolean;
}

export async function labCommand(which: ExperimentId | 'all', o: CommonOptions & {
  preset?: PresetName; epochs?: number; batchSize?: number; lr?: number; limit?: number; testLimit?: number; out: string; resume?: boolean; amp?: boolean;
  memoryFormat?: MemoryFormatOption; jobs?: number | 'auto';
}): Promise<void> {
  // one rank of `lab --nproc N` (WORLD_SIZE > 1): join the others; runLab trains data-parallel
  await joinFromEnvironment();
  try {
    await runLab(which, {
    dataset: o.dataset, preset: o.preset, device: o.device, seed: o.seed, out: o.out, resume: o.resume ?? false, progress: o.progress,
    amp: o.amp ?? false, memoryFormat: o.memoryFormat, dataRoot: o.dataDir, mirror: o.mirror, testLimit: o.testLimit ?? null, command: commandLine(),
    jobs: o.jobs ?? 'auto', overrides: { epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, limit: o.limit },
    });
  } finally {
    leave();
  }
}

export async function trainCommand(o: CommonOptions & {
  model: ModelKind; optimizer: OptimizerKind; lr: number; momentum: number; epochs: number; batchSize: number; width: number;
  limit?: number; testLimit?: number; out: string; name?: string; resume?: boolean; amp?: boolean; gradFlowEvery: number;
  memoryFormat?: MemoryFormatOption;
}): Promise<void> {
  const device = o.device ?? defaultDevice();
  // one rank of `train --nproc N`: DDP on a DistributedSampler share, --batch-size split; rank 0 writes
  const dp = await joinFromEnvironment();
  const writer = !dp || dp.rank === 0;
  const perRank = perRankBatch(o.batchSize, dp);
  const name = o.name ?? `${o.model}-${o.optimizer}-lr${o.lr}${o.momentum ? `-momentum${o.momentum}` : ''}`;
  const dir = path.resolve(o.out, name);
  const started = performance.now();
  const data = loadData(o.dataset, { root: o.dataDir, mirror: o.mirror });
  torch.manualSeed(o.seed);
  const trainSet = firstSamples(data.train, o.limit ?? null);
  const testSet = firstSamples(data.test, o.testLimit ?? null);
  const model = buildModel(o.model, { inChannels: data.inChannels, imageSize: data.imageSize, numClasses: data.classes.length, width: o.width });
  const optimizer = buildOptimizer(o.optimizer, model.parameters(), o.lr, o.momentum);
  try {
    const trainLoader = dp ? distributedLoaderFor(trainSet, perRank, { seed: o.seed }) : loaderFor(trainSet, o.batchSize, { train: true, seed: o.seed });
    const run = await fit(dp ? new DistributedDataParallel(model) : model, trainLoader, optimizer, {
      epochs: o.epochs, device, name, runDir: dir, testLoader: loaderFor(testSet, 1024, { train: false, seed: o.seed }),
      config: { model: o.model, optimizer: o.optimizer, lr: o.lr, momentum: o.momentum, batchSize: o.batchSize, width: o.width, dataset: o.dataset, seed: o.seed, limit: o.limit ?? null, trainSamples: trainSet.length, testSamples: testSet.length, globalBatch: o.batchSize, batchPerProcess: perRank },
      progress: o.progress, resume: o.resume ?? false, gradFlowEvery: o.gradFlowEvery, amp: o.amp ?? false, memoryFormat: o.memoryFormat,
    });
    if (!writer) return;
    const plots = await experimentPlots([run], null, path.join(dir, 'plots'));
    const t = run.test;
    const lessons = [run.status === 'diverged' ? run.divergence!.message
      : `${name} reached ${t ? `${t.accuracy.toFixed(1)}% test accuracy (${t.correct}/${t.total})` : 'the end'} after ${run.epochs.length} epochs in ${run.seconds.toFixed(1)} s.`];
    const report = await writeReport(dir, {
      title: `torchlab train: ${name}`,
      meta: { dataset: o.dataset, preset: 'custom', device, processes: dp?.worldSize ?? 1, createdAt: new Date().toISOString(), torchlabVersion: torch.torchlabVersion, libtorchVersion: torch.libtorchVersion, seconds: (performance.now() - started) / 1000, command: commandLine() },
      sections: [{ id: 'run', title: name, question: `${o.model} on ${o.dataset} with ${o.optimizer} (lr ${o.lr}${o.momentum ? `, momentum ${o.momentum}` : ''}), batch ${o.batchSize}${dp ? ` (global: ${dp.worldSize} processes × ${perRank})` : ''}, ${o.epochs} epochs.`, runs: [run], lessons, plots }],
    });
    console.log(`\n${lessons[0]}\nreport: ${report.html}\n        ${report.md}`);
  } finally {
    optimizer.dispose();
    model.dispose();
    for (const t of [trainSet.data, trainSet.targets, testSet.data, testSet.targets]) t.dispose();
    data.dispose();
    leave();
  }
}

/** The notebook's sample grid: the first images of a shuffled training batch, nrow 5, padding 10. */
export function samplesCommand(o: CommonOptions & { count: number; nrow: number; padding: number; out: string; test?: boolean }): void {
  const data = loadData(o.dataset, { root: o.dataDir, mirror: o.mirror });
  try {
    torch.manualSeed(o.seed);
    const split = o.test ? data.test : data.train;
    torch.tidy(() => {
      const idx = torch.randperm(split.data.size(0)).narrow(0, 0, Math.min(o.count, split.data.size(0)));
      const images = split.data.indexSelect(0, idx).float().div(255);
      saveImage(images, o.out, { nrow: o.nrow, padding: o.padding });
      const labels = Array.from(split.targets.indexSelect(0, idx).data() as BigInt64Array, (v) => data.classes[Number(v)]);
      console.log(`${o.out}: ${idx.size(0)} ${o.dataset} ${o.test ? 'test' : 'training'} images (${labels.join(', ')})`);
    });
  } finally {
    data.dispose();
  }
}

export function summaryCommand(model: ModelKind, o: { dataset: DatasetName; width: number }): void {
  const shape = o.dataset === 'cifar10' ? { inChannels: 3, imageSize: 32 } : { inChannels: 1, imageSize: 28 };
  const m = buildModel(model, { ...shape, numClasses: 10, width: o.width });
  try {
    console.log(String(m));
    console.log(String(modelSummary(m, [1, shape.inChannels, shape.imageSize, shape.imageSize])));
  } finally {
    m.dispose();
  }
}
