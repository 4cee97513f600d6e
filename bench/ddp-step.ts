// Data-parallel training steps (twin: bench/ddp_step_torch.py), one thread per process, random
// 3x32x32 inputs; the lab's CNN (SGD lr 0.01 momentum 0.9) or resnet18 with residual blocks
// (Adam lr 0.01), as bench/nn-step.ts.
//   alone:    node --import tsx bench/ddp-step.ts --model cnn            plain steps in one process
//   2 ranks:  torchlab run --nproc-per-node 2 bench/ddp-step.ts --model cnn
//             each rank alternates rounds of plain steps on the bare model and DDP steps, so that
//             (DDP - plain) is the exposed gradient all-reduce time under the same CPU contention;
//             a third round all-reduces all gradients as one flat buffer after backward (the
//             alternative to c10d's Reducer: no buckets, no overlap), for comparison.
// Prints one JSON line (rank 0).
import * as torch from '../src/index.js';
import { F, models, nn, optim } from '../src/index.js';
import { fmt, intFlag, median, parseFlags } from './common.js';
import { threadCpu } from './proc-threads.js';

const flags = parseFlags();
const which = String(flags.get('model') ?? 'cnn');
const batch = intFlag(flags, 'batch', which === 'cnn' ? 128 : 16);
const steps = intFlag(flags, 'steps', which === 'cnn' ? 20 : 8);
const rounds = intFlag(flags, 'rounds', 2);
torch.setNumThreads(1);
torch.manualSeed(0);
const dist = torch.distributed;
const distributed = process.env.WORLD_SIZE !== undefined;
if (distributed) await dist.initProcessGroup();

const model = which === 'cnn' ? new models.CNN({ inChannels: 3, imageSize: 32 }) : models.resnet18({ block: models.ResidualBlock });
const ddp = distributed ? new nn.parallel.DistributedDataParallel(model) : null;
const opt = which === 'cnn' ? new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }) : new optim.Adam(model.parameters(), { lr: 0.01 });
const x = torch.keep(torch.randn([batch, 3, 32, 32]));
const y = torch.keep(torch.randint(0, 10, [batch]));
model.train();

function timeSteps(m: nn.Module, n: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < n + 1; i++) {   // one warm-up step each round
    const t0 = process.hrtime.bigint();
    torch.tidy(() => {
      opt.zeroGrad();
      F.crossEntropy(m.forward(x), y).backward();
      opt.step();
    });
    if (i > 0) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times;
}

/**
 * The alternative to the Reducer, for comparison: plain backward, then every gradient in one flat
 * buffer all-reduced after backward (no overlap with backward) through dist.allReduce.
 */
async function timeFlatSteps(n: number): Promise<number[]> {
  const times: number[] = [];
  const params = model.parameters();
  for (let i = 0; i < n + 1; i++) {
    const t0 = process.hrtime.bigint();
    torch.tidy(() => {
      opt.zeroGrad();
      F.crossEntropy(model.forward(x), y).backward();
    });
    const flat = torch.cat(params.map((p) => p.grad!.flatten()));
    await dist.allReduce(flat, { op: 'avg' });
    torch.tidy(() => {
      let off = 0;
      for (const p of params) {
        const g = p.grad!;
        g.copy_(flat.narrow(0, off, g.numel()).view(g.shape));
        off += g.numel();
      }
      opt.step();
    });
    flat.dispose();
    if (i > 0) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times;
}

const plain: number[] = [];
const par: number[] = [];
const flat: number[] = [];
for (let r = 0; r < rounds; r++) {
  if (ddp) await dist.barrier();
  plain.push(...timeSteps(model, steps));
  if (ddp) {
    await dist.barrier();
    par.push(...timeSteps(ddp, steps));
    await dist.barrier();
    flat.push(...await timeFlatSteps(steps));
  }
}
const world = distributed ? dist.getWorldSize() : 1;
if (flags.get('detail')) {
  // every rank: its raw step times and its threads' CPU time (bench/proc-threads.ts), for diagnosis
  const threads = threadCpu();
  console.log('DETAIL ' + JSON.stringify({ side: 'torchlab', rank: distributed ? dist.getRank() : 0, plain, ddp: par, flat,
    threads: threads.length, busy: threads.filter((t) => t.cpuMs > 0) }));
}
if (!distributed || dist.getRank() === 0) {
  const plainMs = median(plain);
  const ddpMs = par.length ? median(par) : null;
  console.log(JSON.stringify({
    side: 'torchlab', model: which, batchPerRank: batch, ranks: world, threads: torch.getNumThreads(),
    plainMs: +fmt(plainMs, 3), ddpMs: ddpMs === null ? null : +fmt(ddpMs, 3),
    allReduceMs: ddpMs === null ? null : +fmt(ddpMs - plainMs, 3),
    flatAfterBackwardMs: flat.length ? +fmt(median(flat), 3) : null,
    samplesPerSec: +fmt((1000 * batch * world) / (ddpMs ?? plainMs), 1),
  }));
}
if (distributed) dist.destroyProcessGroup();
