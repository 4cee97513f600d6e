// One rank of test/ddp.test.ts and the launcher tests, started by `torchlab run`:
//   dist-ddp.ts equiv <out.safetensors> <B>  20 SGD+momentum steps, each rank on its half of a batch of B;
//                                           prints each step's parameter hash; rank 0 saves the weights
//   dist-ddp.ts bn                          BatchNorm buffers before and after the pre-forward broadcast
//   dist-ddp.ts nosync <out.safetensors>    gradient accumulation: one micro-batch under noSync, one synced
//   dist-ddp.ts unused [nofind]             findUnusedParameters (or not) with a head the forward skips
//   dist-ddp.ts mismatch                    rank 1's model differs: wrapping must fail on every rank
//   dist-ddp.ts long                        steps with a pause until killed (prints READY <pid>)
import { createHash } from 'node:crypto';
import * as torch from '../../src/index.js';
import { nn, optim, F, type Tensor } from '../../src/index.js';
import { EQUIV_HIDDEN, makeData, makeMlp } from './dist-models.js';

const dist = torch.distributed;
const [mode, outFile, bArg] = process.argv.slice(2);
await dist.initProcessGroup();
const rank = dist.getRank();
const W = dist.getWorldSize();
const hash = (ts: Tensor[]): string => {
  const h = createHash('sha256');
  for (const t of ts) h.update(Buffer.from((t.data() as Float32Array).buffer));
  return h.digest('hex').slice(0, 16);
};
const result = (o: unknown) => console.log(`RESULT ${JSON.stringify(o)}`);

if (mode === 'equiv' || mode === 'long') {
  const B = Number(bArg ?? 8);
  const steps = mode === 'long' ? 100000 : 20;
  const model = makeMlp(100 + rank, EQUIV_HIDDEN);
  // a tiny bucket cap: after DDP's 1 MiB first bucket, one bucket per parameter, reduced while backward runs
  const ddp = new nn.parallel.DistributedDataParallel(model, { bucketCapMb: 0.002 });
  const { x, y } = makeData(mode === 'long' ? 1 : steps, B);
  const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const hashes: string[] = [];
  const half = B / W;
  if (mode === 'long') console.log(`READY ${process.pid}`);
  for (let s = 0; s < steps; s++) {
    const row = (mode === 'long' ? 0 : s * B) + rank * half;
    torch.tidy(() => {
      opt.zeroGrad();
      F.crossEntropy(ddp.forward(x.narrow(0, row, half)), y.narrow(0, row, half)).backward();
      opt.step();
    });
    hashes.push(hash(model.parameters()));
    if (mode === 'long') await new Promise((r) => setTimeout(r, 50));
  }
  if (rank === 0) torch.save(Object.fromEntries(model.namedParameters()), outFile);
  result({ rank, hashes, buckets: ddp.initialBuckets });
} else if (mode === 'bn') {
  torch.manualSeed(7 + rank);
  const model = new nn.Sequential(new nn.Linear(3, 5), new nn.BatchNorm1d(5), new nn.ReLU(), new nn.Linear(5, 2));
  const ddp = new nn.parallel.DistributedDataParallel(model);
  const bn = model.modules().find((m) => m instanceof nn.BatchNorm1d) as nn.BatchNorm1d;
  const atWrap = Array.from(bn.runningMean!.data() as Float32Array);
  torch.manualSeed(50 + rank); // each rank its own batch
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  F.crossEntropy(ddp.forward(torch.randn([8, 3])), torch.randint(0, 2, [8])).backward();
  opt.step();
  const afterStep = Array.from(bn.runningMean!.data() as Float32Array);
  model.eval();
  torch.noGrad(() => ddp.forward(torch.randn([4, 3])));
  const afterEvalForward = Array.from(bn.runningMean!.data() as Float32Array);
  result({ rank, atWrap, afterStep, afterEvalForward, weights: hash(model.parameters()) });
} else if (mode === 'nosync') {
  const model = makeMlp(100 + rank, 8);
  const ddp = new nn.parallel.DistributedDataParallel(model);
  const { x, y } = makeData(2, 4 * W); // two micro-batches; rank r takes rows [r*4, r*4+4) of each
  const micro = (m: number) => F.crossEntropy(ddp.forward(x.narrow(0, m * 4 * W + rank * 4, 4)), y.narrow(0, m * 4 * W + rank * 4, 4));
  ddp.noSync(() => micro(0).backward());
  const local = hash(model.parameters().map((p) => p.grad!));
  micro(1).backward();
  const synced = hash(model.parameters().map((p) => p.grad!));
  if (rank === 0) torch.save(Object.fromEntries(model.namedParameters().map(([n, p]) => [n, p.grad!])), outFile);
  result({ rank, local, synced });
} else if (mode === 'unused') {
  // a parameter that gets no gradient (a head this forward skips): findUnusedParameters lets the
  // Reducer mark it ready; the used ones still train and stay identical across ranks
  class TwoHeads extends nn.Module {
    body = new nn.Linear(6, 8);
    used = new nn.Linear(8, 4);
    unused = new nn.Linear(8, 4);
    forward(x: Tensor): Tensor { return this.used.forward(F.relu(this.body.forward(x))); }
  }
  torch.manualSeed(rank);
  const model = new TwoHeads();
  const ddp = new nn.parallel.DistributedDataParallel(model, { findUnusedParameters: outFile !== 'nofind' });
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const { x, y } = makeData(3, 4 * W);
  const hashes: string[] = [];
  for (let s = 0; s < 3; s++) {
    if (outFile === 'nofind' && s === 1) {
      try { ddp.forward(x.narrow(0, 0, 4)); } catch (e) { console.log(`RESULT ${JSON.stringify({ rank, error: (e as Error).message.split('\n')[0] })}`); console.log((e as Error).message.split('\n').at(-1)); }
      break;
    }
    opt.zeroGrad();
    F.crossEntropy(ddp.forward(x.narrow(0, s * 4 * W + rank * 4, 4)), y.narrow(0, s * 4 * W + rank * 4, 4)).backward();
    opt.step();
    hashes.push(hash(model.parameters()));
  }
  result({ rank, hashes, unusedGrad: model.unused.weight.grad === null ? null : model.unused.weight.grad.abs().sum().item() });
} else if (mode === 'mismatch') {
  const model = makeMlp(1, rank === 1 ? 33 : 32);
  try {
    new nn.parallel.DistributedDataParallel(model);
    result({ rank, error: null });
  } catch (e) {
    result({ rank, error: `${(e as Error).name}: ${(e as Error).message}` });
    process.exitCode = 3;
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
dist.destroyProcessGroup();
