// Memory over a long run in torchlab (PyTorch's reference: bench/memory_torch.py): `steps` CNN train
// steps at a small batch, each inside torch.tidy, sampling the process RSS and torch.memory()'s live
// tensor count every `every` steps. Expected: numTensors constant, RSS flat after the first few
// hundred steps (allocator and JIT warm-up), i.e. no growth from step 200 to the end.
//
//   node --import tsx bench/memory.ts [--steps 2000] [--batch 32] [--every 100] [--threads N] [--json FILE]
import * as torch from '../src/index.js';
import { F } from '../src/index.js';
import { createCNN, RawSGD } from '../examples/raw-cnn.js';
import { defaultThreads, emit, fmt, intFlag, parseFlags, rssMiB } from './common.js';

const flags = parseFlags();
const steps = intFlag(flags, 'steps', 2000);
const batch = intFlag(flags, 'batch', 32);
const every = intFlag(flags, 'every', 100);
const threads = intFlag(flags, 'threads', defaultThreads());
torch.setNumThreads(threads);
torch.manualSeed(0);
console.log(`torchlab memory: threads ${torch.getNumThreads()}, ${steps} steps at batch ${batch}, sample every ${every}`);

const model = createCNN({ inChannels: 3, imageSize: 32, numClasses: 10 });
for (const p of model.params) torch.keep(p);
const opt = new RawSGD(model.params, 0.01, 0.9);
// A fresh batch every step (as a data loader would give), made inside the step's tidy.
const series: { step: number; rssMiB: number; numTensors: number }[] = [
  { step: 0, rssMiB: rssMiB(), numTensors: torch.memory().numTensors },
];
const t0 = performance.now();
for (let i = 1; i <= steps; i++) {
  torch.tidy(() => {
    const x = torch.randn([batch, 3, 32, 32]);
    const y = torch.randint(0, 10, [batch]);
    const loss = F.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  });
  if (i % every === 0) series.push({ step: i, rssMiB: rssMiB(), numTensors: torch.memory().numTensors });
}
const seconds = (performance.now() - t0) / 1e3;

console.log('  step   RSS MiB  numTensors');
for (const s of series) console.log(`  ${String(s.step).padStart(5)}  ${fmt(s.rssMiB, 1).padStart(7)}  ${String(s.numTensors).padStart(10)}`);
const at = (step: number) => series.find((s) => s.step === step) ?? series[series.length - 1];
const from = at(Math.min(200, steps)), to = series[series.length - 1];
const afterFrom = series.filter((s) => s.step >= from.step).map((s) => s.rssMiB);
console.log(`  RSS growth step ${from.step} -> ${to.step}: ${fmt(to.rssMiB - from.rssMiB, 1)} MiB ` +
  `(range over those samples ${fmt(Math.min(...afterFrom), 1)}..${fmt(Math.max(...afterFrom), 1)} MiB); ` +
  `numTensors ${from.numTensors} -> ${to.numTensors}; ${fmt(seconds, 1)} s`);
emit(flags, {
  bench: 'memory', threads: torch.getNumThreads(), steps, batch, every, series,
  growthMiB: to.rssMiB - from.rssMiB, fromStep: from.step, toStep: to.step, seconds,
});
