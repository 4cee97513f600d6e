// `torchlab speedrun <dataset>`: the time-to-accuracy recipe (src/lab/speedrun) over N seeds, with
// per-seed and mean/std figures on stdout and the summary and plot files under --out.
import { speedrun, type SpeedrunDataset } from '../lab/speedrun/summary.js';
import { DEFAULT_HYPER, type SpeedrunHyper } from '../lab/speedrun/recipe.js';

export interface SpeedrunCommandOptions {
  seed: number;
  seeds: number;
  epochs?: number;
  batchSize?: number;
  widths?: [number, number, number];
  memoryFormat?: SpeedrunHyper['memoryFormat'];
  ema: boolean;
  tta: boolean;
  flip: boolean;
  labelSmoothing?: number;
  out: string;
  dataDir?: string;
  limit?: number;
  testLimit?: number;
  progress: boolean;
}

export async function speedrunCommand(dataset: SpeedrunDataset, o: SpeedrunCommandOptions): Promise<void> {
  const hyper: SpeedrunHyper = {
    ...DEFAULT_HYPER,
    ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
    ...(o.widths !== undefined ? { widths: o.widths } : {}),
    ...(o.memoryFormat !== undefined ? { memoryFormat: o.memoryFormat } : {}),
    ...(o.labelSmoothing !== undefined ? { labelSmoothing: o.labelSmoothing } : {}),
    emaStart: o.ema ? DEFAULT_HYPER.emaStart : null, tta: o.tta, flip: o.flip,
  };
  const seeds = Array.from({ length: o.seeds }, (_, i) => o.seed + i);
  let lastBar = 0;
  const s = await speedrun({
    dataset, seeds, hyper, out: o.out, dataDir: o.dataDir, limit: o.limit ?? null, testLimit: o.testLimit ?? null,
    command: ['torchlab', ...process.argv.slice(2)].join(' '),
    log: (line) => { if (o.progress) process.stderr.write('\r\x1b[K'); console.log(line); },
    onStep: o.progress ? (seed, step, total) => {
      const now = performance.now();
      if (now - lastBar < 200 && step !== total) return;
      lastBar = now;
      process.stderr.write(`\r\x1b[Kseed ${seed}: step ${step}/${total}`);
    } : undefined,
  });
  console.log(`\n${dataset}: ${s.accuracy.mean.toFixed(2)} ± ${s.accuracy.std.toFixed(2)} % test accuracy over ${seeds.length} seed(s), ` +
    `${s.seconds.mean.toFixed(1)} ± ${s.seconds.std.toFixed(1)} s per run (data, training and evaluation; ${s.threads} threads, load average ${s.loadavg})`);
  console.log(`summary: ${s.files.json}\n         ${s.files.md}\nplot:    ${s.files.png}\n         ${s.files.svg}`);
}
