// Diagnosis for bench/ddp-step.ts (issue 12): per phase (forward, backward, optimizer step) times of
// plain and DDP steps of the CNN, and the latency of one all-reduce of the CNN's gradient size
// between the ranks while nothing else runs. Twin: bench/ddp_phases_torch.py. Every rank prints.
import * as torch from '../src/index.js';
import { F, models, nn, optim } from '../src/index.js';
import { intFlag, median, parseFlags } from './common.js';

const flags = parseFlags();
const steps = intFlag(flags, 'steps', 30);
torch.setNumThreads(1);
torch.manualSeed(0);
const dist = torch.distributed;
await dist.initProcessGroup();
const model = new models.CNN({ inChannels: 3, imageSize: 32 });
const ddp = new nn.parallel.DistributedDataParallel(model);
const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const x = torch.keep(torch.randn([128, 3, 32, 32]));
const y = torch.keep(torch.randint(0, 10, [128]));
const now = () => Number(process.hrtime.bigint()) / 1e6;
function phases(m: nn.Module): number[][] {
  const out: number[][] = [];
  for (let i = 0; i <= steps; i++) {
    const t0 = now();
    let t1 = 0;
    let t2 = 0;
    torch.tidy(() => {
      opt.zeroGrad();
      const loss = F.crossEntropy(m.forward(x), y);
      t1 = now();
      loss.backward();
      t2 = now();
      opt.step();
    });
    if (i > 0) out.push([t1 - t0, t2 - t1, now() - t2]);
  }
  return out;
}
const numel = model.parameters().reduce((a, p) => a + p.numel(), 0);
const buf = torch.keep(torch.ones([numel]));
const lat: number[] = [];
for (let i = 0; i < 60; i++) {
  const t0 = now();
  await dist.allReduce(buf);
  if (i >= 10) lat.push(now() - t0);
}
const res: Record<string, unknown> = { rank: dist.getRank(), numel, allReduceLatencyMs: +median(lat).toFixed(3) };
for (let r = 0; r < 2; r++) {
  for (const [name, m] of [['plain', model], ['ddp', ddp]] as const) {
    await dist.barrier();
    const p = phases(m);
    res[`${name}${r}`] = [0, 1, 2].map((k) => +median(p.map((s) => s[k])).toFixed(2));
  }
}
console.log('PHASES ' + JSON.stringify(res));
dist.destroyProcessGroup();
