// The lab notebook's CNN train step in torchlab (PyTorch's twin: bench/step_torch.py).
//
//   node --import tsx bench/step.ts [--batch 256] [--warmup 5] [--steps 30] [--threads N] [--json FILE]
//                                   [--forward-tidy]
//
// One step, inside torch.tidy: forward (conv16-relu-maxpool-conv32-relu-maxpool-linear 2048->10),
// F.crossEntropy, zero grads, backward, SGD(lr 0.01, momentum 0.9). The input batch (random
// 3x32x32 images, random int64 labels) is made once, outside the timed region, as in the Python
// twin. Each step is also split into phases (forward+loss / zero grads / backward / optimizer /
// end of tidy) with timestamps between them: libtorch's CPU ops are synchronous, so the split is exact.
// The minor page faults of each phase are counted too (getrusage): fresh memory from the OS is
// where the time goes when the allocator cannot reuse freed blocks.
//
// --forward-tidy wraps the forward in a nested torch.tidy that returns only the logits: the JS
// handles of the intermediates (conv outputs, activations) are then dropped when the forward ends,
// as Python's refcounting drops them, and autograd alone keeps what backward needs (diagnostic
// variant; the default is the notebook's plain single tidy per step).
import * as torch from '../src/index.js';
import { F } from '../src/index.js';
import { createCNN, RawSGD } from '../examples/raw-cnn.js';
import { defaultThreads, emit, fmt, intFlag, mean, median, parseFlags } from './common.js';

const flags = parseFlags();
const batch = intFlag(flags, 'batch', 256);
const warmup = intFlag(flags, 'warmup', 5);
const steps = intFlag(flags, 'steps', 30);
const threads = intFlag(flags, 'threads', defaultThreads());
const forwardTidy = flags.has('forward-tidy');

torch.setNumThreads(threads);
torch.manualSeed(0);
console.log(`torchlab step: libtorch ${torch.libtorchVersion}, threads ${torch.getNumThreads()}, ` +
  `batch ${batch}, warmup ${warmup}, steps ${steps}${forwardTidy ? ', forward in a nested tidy' : ''}`);

const model = createCNN({ inChannels: 3, imageSize: 32, numClasses: 10 });
for (const p of model.params) torch.keep(p);
const opt = new RawSGD(model.params, 0.01, 0.9);
const x = torch.keep(torch.randn([batch, 3, 32, 32]));
const y = torch.keep(torch.randint(0, 10, [batch]));

const PHASES = ['forward', 'zeroGrad', 'backward', 'optimizer', 'tidyEnd'] as const;
type Phase = (typeof PHASES)[number];

const faults = (): number => process.resourceUsage().minorPageFault;
const forward = forwardTidy ? () => torch.tidy(() => model.forward(x)) : () => model.forward(x);

interface StepResult { total: number; phases: Record<Phase, number>; faults: Record<Phase, number>; loss: number }
function step(): StepResult {
  const f0 = faults();
  const t0 = performance.now();
  let t1 = 0, t2 = 0, t3 = 0, t4 = 0, f1 = 0, f2 = 0, f3 = 0, f4 = 0, loss = 0;
  torch.tidy(() => {
    const l = F.crossEntropy(forward(), y);
    t1 = performance.now();
    f1 = faults();
    opt.zeroGrad();
    t2 = performance.now();
    f2 = faults();
    l.backward();
    t3 = performance.now();
    f3 = faults();
    opt.step();
    t4 = performance.now();
    f4 = faults();
    loss = l.item() as number; // in tidyEnd; a scalar read
  });
  const t5 = performance.now();
  const f5 = faults();
  return {
    total: t5 - t0,
    phases: { forward: t1 - t0, zeroGrad: t2 - t1, backward: t3 - t2, optimizer: t4 - t3, tidyEnd: t5 - t4 },
    faults: { forward: f1 - f0, zeroGrad: f2 - f1, backward: f3 - f2, optimizer: f4 - f3, tidyEnd: f5 - f4 },
    loss,
  };
}

let first = 0;
for (let i = 0; i < warmup; i++) {
  const r = step();
  if (i === 0) first = r.loss;
}
const totals: number[] = [];
const phases: Record<Phase, number[]> = { forward: [], zeroGrad: [], backward: [], optimizer: [], tidyEnd: [] };
const phaseFaults: Record<Phase, number[]> = { forward: [], zeroGrad: [], backward: [], optimizer: [], tidyEnd: [] };
let last = 0;
for (let i = 0; i < steps; i++) {
  const r = step();
  totals.push(r.total);
  for (const p of PHASES) {
    phases[p].push(r.phases[p]);
    phaseFaults[p].push(r.faults[p]);
  }
  last = r.loss;
}

const phaseMedians = Object.fromEntries(PHASES.map((p) => [p, median(phases[p])])) as Record<Phase, number>;
const faultMedians = Object.fromEntries(PHASES.map((p) => [p, median(phaseFaults[p])])) as Record<Phase, number>;
console.log(`  step ms: median ${fmt(median(totals))}, mean ${fmt(mean(totals))}, ` +
  `min ${fmt(Math.min(...totals))}, max ${fmt(Math.max(...totals))}`);
console.log('  phases (median ms): ' + PHASES.map((p) => `${p} ${fmt(phaseMedians[p], 3)}`).join(', '));
console.log('  minor page faults per step (median): ' + PHASES.map((p) => `${p} ${faultMedians[p]}`).join(', '));
console.log(`  loss: first ${first.toFixed(4)}, last ${last.toFixed(4)}; live tensors ${torch.memory().numTensors}`);
emit(flags, {
  bench: forwardTidy ? 'step_forward_tidy' : 'step', threads: torch.getNumThreads(), batch, warmup, steps,
  medianMs: median(totals), meanMs: mean(totals), phasesMs: phaseMedians, faults: faultMedians,
  malloc: process.env.MALLOC_MMAP_THRESHOLD_ ? 'tuned' : 'default',
});
