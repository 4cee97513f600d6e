// A full training step through nn + optim (twin: bench/nn_step_torch.py): the lab's CNN
// (batch 256, SGD lr 0.01 momentum 0.9) or resnet18 with residual blocks (batch 32, Adam lr 0.01,
// as in the notebook), on random 3x32x32 inputs.
//
//   node --import tsx bench/nn-step.ts --model cnn|resnet18 [--batch N] [--warmup 3] [--steps 20] [--threads N]
import * as torch from '../src/index.js';
import { F, models, optim } from '../src/index.js';
import { defaultThreads, fmt, intFlag, median, parseFlags } from './common.js';

const flags = parseFlags();
const which = String(flags.get('model') ?? 'cnn');
const batch = intFlag(flags, 'batch', which === 'cnn' ? 256 : 32);
const warmup = intFlag(flags, 'warmup', 3);
const steps = intFlag(flags, 'steps', 20);
torch.setNumThreads(intFlag(flags, 'threads', defaultThreads()));
torch.manualSeed(0);

const model = which === 'cnn' ? new models.CNN({ inChannels: 3, imageSize: 32 }) : models.resnet18({ block: models.ResidualBlock });
const opt = which === 'cnn' ? new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }) : new optim.Adam(model.parameters(), { lr: 0.01 });
const x = torch.keep(torch.randn([batch, 3, 32, 32]));
const y = torch.keep(torch.randint(0, 10, [batch]));
model.train();

const times: number[] = [];
let loss = 0;
for (let i = 0; i < warmup + steps; i++) {
  const t0 = process.hrtime.bigint();
  loss = torch.tidy(() => {
    opt.zeroGrad();
    const l = F.crossEntropy(model.forward(x), y);
    l.backward();
    opt.step();
    return l.item() as number;
  });
  if (i >= warmup) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
console.log(JSON.stringify({ side: 'torchlab', model: which, batch, threads: torch.getNumThreads(), medianMs: +fmt(median(times), 3), lastLoss: +loss.toFixed(4) }));
