// Memory over a long run in torchlab (PyTorch's reference: bench/memory_torch.py): `steps` CNN train
// steps at a small batch, each inside torch.tidy, sampling the process RSS and torch.memory()'s live
// tensor count every `every` steps. Expected: numTensors constant, RSS flat after the first few
// hundred steps (allocator and JIT warm-up), i.e. no growth from step 200 to the end. The V8 heap
// (heapUsed: the JS objects, e.g. Tensor wrappers awaiting GC) is sampled too, to tell JS garbage
// (which comes and goes with V8's GC) from libtorch memory.
//
//   node --import tsx bench/memory.ts [--steps 2000] [--batch 32] [--every 100] [--threads N] [--json FILE]
//   node --expose-gc --import tsx bench/memory.ts --gc    # a full V8 GC before each sample (diagnostic)
//   ... --yield     # also return to the event loop at each sample (lets FinalizationRegistry callbacks run)
import * as torch from '../src/index.js';
import { F } from '../src/index.js';
import { createCNN, RawSGD } from '../examples/raw-cnn.js';
import { defaultThreads, emit, fmt, intFlag, parseFlags, rssMiB } from './common.js';

const flags = parseFlags();
const steps = intFlag(flags, 'steps', 2000);
const batch = intFlag(flags, 'batch', 32);
const every = intFlag(flags, 'every', 100);
const threads = intFlag(flags, 'threads', defaultThreads());
const fullGc = flags.has('gc');
const yieldToLoop = flags.has('yield');
const gc = (globalThis as { gc?: () => void }).gc;
if (fullGc && !gc) throw new Error('--gc needs node --expose-gc');
torch.setNumThreads(threads);
torch.manualSeed(0);
console.log(`torchlab memory: threads ${torch.getNumThreads()}, ${steps} steps at batch ${batch}, sample every ${every}${fullGc ? ', full GC before each sample' : ''}` +
  `${yieldToLoop ? ', back to the event loop at each sample' : ''}`);

const model = createCNN({ inChannels: 3, imageSize: 32, numClasses: 10 });
for (const p of model.params) torch.keep(p);
const opt = new RawSGD(model.params, 0.01, 0.9);
// A fresh batch every step (as a data loader would give), made inside the step's tidy.
const heapMiB = (): number => process.memoryUsage().heapUsed / 2 ** 20;
const series: { step: number; rssMiB: number; heapMiB: number; numTensors: number; msPerStep: number }[] = [
  { step: 0, rssMiB: rssMiB(), heapMiB: heapMiB(), numTensors: torch.memory().numTensors, msPerStep: 0 },
];
const t0 = performance.now();
let tw = t0;
for (let i = 1; i <= steps; i++) {
  torch.tidy(() => {
    const x = torch.randn([batch, 3, 32, 32]);
    const y = torch.randint(0, 10, [batch]);
    const loss = F.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  });
  if (i % every === 0) {
    const now = performance.now();
    if (yieldToLoop) await new Promise((r) => setImmediate(r));
    if (fullGc) gc!();
    series.push({ step: i, rssMiB: rssMiB(), heapMiB: heapMiB(), numTensors: torch.memory().numTensors, msPerStep: (now - tw) / every });
    tw = now;
  }
}
const seconds = (performance.now() - t0) / 1e3;

console.log('  step   RSS MiB  V8 heap MiB  numTensors  ms/step');
for (const s of series) {
  console.log(`  ${String(s.step).padStart(5)}  ${fmt(s.rssMiB, 1).padStart(7)}  ${fmt(s.heapMiB, 1).padStart(11)}  ${String(s.numTensors).padStart(10)}  ${fmt(s.msPerStep).padStart(7)}`);
}
// from: the first sample at or after step 200 (or the last one)
const from = series.find((s) => s.step >= Math.min(200, steps)) ?? series[series.length - 1];
const to = series[series.length - 1];
const afterFrom = series.filter((s) => s.step >= from.step).map((s) => s.rssMiB);
console.log(`  RSS growth step ${from.step} -> ${to.step}: ${fmt(to.rssMiB - from.rssMiB, 1)} MiB ` +
  `(range over those samples ${fmt(Math.min(...afterFrom), 1)}..${fmt(Math.max(...afterFrom), 1)} MiB); ` +
  `numTensors ${from.numTensors} -> ${to.numTensors}; ${fmt(seconds, 1)} s`);
emit(flags, {
  bench: 'memory', gc: fullGc, yield: yieldToLoop, threads: torch.getNumThreads(), steps, batch, every, series,
  growthMiB: to.rssMiB - from.rssMiB, fromStep: from.step, toStep: to.step, seconds,
});
