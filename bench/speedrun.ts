// torchlab side of bench/run-speedrun.sh: one or more seeds of the speedrun recipe
// (src/lab/speedrun), each appended as one JSON line to --json (read by bench/speedrun_report.py).
//   node --import tsx bench/speedrun.ts --seed 0 [--seeds 1] [--json FILE] [--memory-format contiguous] [--epochs N] [--widths a,b,c] [--gelu-approximate none] [--whiten-bias-epochs N]
import { appendFileSync, readFileSync } from 'node:fs';
import * as torch from '../src/index.js';
import { DEFAULT_HYPER, runSpeedrun, type SpeedrunHyper } from '../src/lab/speedrun/recipe.js';
import { speedrunLoader } from '../src/lab/speedrun/summary.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const hyper: SpeedrunHyper = {
  ...DEFAULT_HYPER,
  epochs: Number(opt('epochs') ?? DEFAULT_HYPER.epochs),
  widths: (opt('widths')?.split(',').map(Number) ?? DEFAULT_HYPER.widths) as SpeedrunHyper['widths'],
  memoryFormat: (opt('memory-format') ?? DEFAULT_HYPER.memoryFormat) as SpeedrunHyper['memoryFormat'],
  emaStart: args.includes('--no-ema') ? null : DEFAULT_HYPER.emaStart,
  tta: !args.includes('--no-tta'), flip: !args.includes('--no-flip'),
  labelSmoothing: Number(opt('label-smoothing') ?? DEFAULT_HYPER.labelSmoothing),
  geluApproximate: (opt('gelu-approximate') ?? DEFAULT_HYPER.geluApproximate) as SpeedrunHyper['geluApproximate'],
  whitenBiasEpochs: Number(opt('whiten-bias-epochs') ?? DEFAULT_HYPER.whitenBiasEpochs),
};
const seed0 = Number(opt('seed') ?? 0);
const load = speedrunLoader('fashion-mnist', { dataDir: opt('data-dir'), limit: Number(opt('limit') ?? 0) || null });
for (let s = seed0; s < seed0 + Number(opt('seeds') ?? 1); s++) {
  const loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3);
  const r = runSpeedrun({ seed: s, hyper, load });
  console.log(`torchlab seed ${s}: ${r.accuracy.toFixed(2)}% in ${r.seconds.toFixed(1)} s (${hyper.memoryFormat}, ${torch.getNumThreads()} threads)`);
  const json = opt('json');
  if (json) appendFileSync(json, JSON.stringify({ side: 'torchlab', ...r, epochs: hyper.epochs, layout: hyper.memoryFormat, threads: torch.getNumThreads(), hyper, loadavg }) + '\n');
}
