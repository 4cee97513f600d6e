// Issue 14's training step as the lab trains it (twin: bench/speed_step_torch.py): ResNet-18 with
// residual blocks (Adam lr 0.01, width 64 as in the notebook or 16 as the quick preset) or the
// BatchNorm CNN (SGD lr 0.01 momentum 0.9), batch 256 of 1×28×28 (Fashion-MNIST-shaped) inputs, in
// the memory format fit would pick ('auto': calibrated as in fit, its cost reported apart).
// Both sides start from the same weights and batch: the first run writes them to --init (a
// safetensors file) and every run reads them, so the per-step losses can be compared.
//
//   node --import tsx bench/speed-step.ts --model resnet18|cnn-bn [--width 64] --init FILE
//        [--memory-format auto|channels-last|contiguous] [--batch 256] [--warmup 2] [--steps 5] [--threads N]
import * as fs from 'node:fs';
import * as torch from '../src/index.js';
import { F, models, optim } from '../src/index.js';
import { applyMemoryFormat, checkMemoryFormat, inputFor } from '../src/train/memory-format.js';
import { defaultThreads, fmt, intFlag, median, parseFlags } from './common.js';

const flags = parseFlags();
const which = String(flags.get('model') ?? 'resnet18');
const width = intFlag(flags, 'width', 64);
const batch = intFlag(flags, 'batch', 256);
const warmup = intFlag(flags, 'warmup', 2);
const steps = intFlag(flags, 'steps', 5);
const init = String(flags.get('init') ?? '');
const asked = checkMemoryFormat(flags.get('memory-format') ?? 'auto', 'speed-step');
if (!init) throw new Error('--init FILE is required (the shared initial weights and batch)');
torch.setNumThreads(intFlag(flags, 'threads', defaultThreads()));
torch.manualSeed(0);

const model = which === 'cnn-bn'
  ? new models.CNNWithBN({ inChannels: 1, imageSize: 28 })
  : models.resnet18({ block: models.ResidualBlock, inChannels: 1, width });
if (!fs.existsSync(init)) {
  torch.tidy(() => torch.save({ ...model.stateDict(), 'bench.x': torch.randn([batch, 1, 28, 28]), 'bench.y': torch.randint(0, 10, [batch]) }, init));
}
const saved = torch.load(init);
const x0 = torch.keep(saved['bench.x']);
const y = torch.keep(saved['bench.y']);
delete saved['bench.x'];
delete saved['bench.y'];
model.loadStateDict(saved);
const opt = which === 'cnn-bn' ? new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }) : new optim.Adam(model.parameters(), { lr: 0.01 });
model.train();

const c0 = performance.now();
const format = torch.tidy(() => applyMemoryFormat(model, asked, x0, y, F.crossEntropy));
const calibrationMs = performance.now() - c0;
const x = torch.keep(inputFor(x0, format));

const times: number[] = [];
const losses: number[] = [];
for (let i = 0; i < warmup + steps; i++) {
  const t0 = performance.now();
  const loss = torch.tidy(() => {
    opt.zeroGrad();
    const l = F.crossEntropy(model.forward(x), y);
    l.backward();
    opt.step();
    return l.item() as number;
  });
  if (i >= warmup) times.push(performance.now() - t0);
  losses.push(loss);
}
console.log(JSON.stringify({
  side: 'torchlab', model: which, width: which === 'cnn-bn' ? 0 : width, batch, threads: torch.getNumThreads(), asked, format,
  calibrationMs: +fmt(calibrationMs, 1), medianMs: +fmt(median(times), 2), losses,
}));
