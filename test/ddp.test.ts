// nn.parallel.DistributedDataParallel over loopback (ranks: test/helpers/dist-ddp.ts under
// `torchlab run`): 2 ranks × B/2 reach the weights of one process with batch B after 20 SGD steps,
// with bit-identical weights on every rank after every step; BatchNorm buffers follow rank 0;
// noSync accumulates locally; a model that differs across ranks is an error on every rank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../src/index.js';
import { optim, F, type Tensor } from '../src/index.js';
import { freePort, launch, results } from './helpers/dist-launch.js';
import { EQUIV_HIDDEN, makeData, makeMlp } from './helpers/dist-models.js';

const RANK = new URL('./helpers/dist-ddp.ts', import.meta.url).pathname;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'torchlab-ddp-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

async function run<T>(nproc: number, args: string[]): Promise<{ res: Map<number, T>; code: number | null; log: string }> {
  const r = await launch(['--nproc-per-node', String(nproc), '--master-port', String(await freePort()), RANK, ...args]).done;
  return { res: results<T>(r.out), code: r.code, log: `${r.out}\n${r.err}` };
}

function maxDiff(a: Tensor, b: Tensor): number {
  return a.sub(b).abs().max().item();
}

test('DDP: 2 ranks × B/2 reach one process\'s weights with batch B after 20 SGD steps; bit-identical across ranks every step', { timeout: 120_000 }, async (t) => {
  const B = 16;
  const out = path.join(tmp, 'equiv.safetensors');
  const { res, code, log } = await run<{ hashes: string[]; buckets: number }>(2, ['equiv', out, String(B)]);
  assert.equal(code, 0, log);
  const [r0, r1] = [res.get(0)!, res.get(1)!];
  assert.equal(r0.hashes.length, 20);
  assert.deepEqual(r1.hashes, r0.hashes, 'the parameters differ between ranks after some step');
  assert.equal(new Set(r0.hashes).size, 20, 'the parameters changed at every step');
  assert.ok(r0.buckets > 1, `a tiny bucketCapMb gives several buckets (got ${r0.buckets})`);

  // the one-process reference: rank 0's initial weights (seed 100), the whole batch each step
  const model = makeMlp(100, EQUIV_HIDDEN);
  const { x, y } = makeData(20, B);
  const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const initial = model.parameters().map((p) => p.clone());
  for (let s = 0; s < 20; s++) {
    torch.tidy(() => {
      opt.zeroGrad();
      F.crossEntropy(model.forward(x.narrow(0, s * B, B)), y.narrow(0, s * B, B)).backward();
      opt.step();
    });
  }
  const ddp = torch.load(out);
  let worst = 0;
  for (const [name, p] of model.namedParameters()) {
    assert.ok(ddp[name], `missing ${name}`);
    worst = Math.max(worst, maxDiff(ddp[name], p));
  }
  t.diagnostic(`largest |DDP - one process| after 20 steps: ${worst.toExponential(2)}; ${r0.buckets} buckets`);
  assert.ok(worst <= 1e-5, `largest difference from one process with batch ${B}: ${worst}`);
  // and training moved the weights far more than that
  const moved = Math.max(...model.parameters().map((p, i) => maxDiff(p, initial[i])));
  assert.ok(moved > 1e-2, `moved ${moved}`);
});

test('DDP: BatchNorm buffers are broadcast from rank 0 before the next forward (broadcastBuffers)', { timeout: 60_000 }, async () => {
  const { res, code, log } = await run<{ atWrap: number[]; afterStep: number[]; afterEvalForward: number[]; weights: string }>(2, ['bn']);
  assert.equal(code, 0, log);
  const [r0, r1] = [res.get(0)!, res.get(1)!];
  assert.deepEqual(r1.atWrap, r0.atWrap);
  // each rank's forward updated its running stats from its own batch...
  assert.notDeepEqual(r1.afterStep, r0.afterStep);
  // ...and the next forward (eval, no grad: stats not updated) first took rank 0's
  assert.deepEqual(r1.afterEvalForward, r0.afterStep);
  assert.deepEqual(r0.afterEvalForward, r0.afterStep);
  assert.equal(r1.weights, r0.weights);
});

test('DDP: noSync accumulates local gradients; the next synced backward averages the sum', { timeout: 60_000 }, async () => {
  const W = 2;
  const out = path.join(tmp, 'nosync.safetensors');
  const { res, code, log } = await run<{ local: string; synced: string }>(W, ['nosync', out]);
  assert.equal(code, 0, log);
  assert.notEqual(res.get(0)!.local, res.get(1)!.local, 'inside noSync the gradients stay local');
  assert.equal(res.get(0)!.synced, res.get(1)!.synced);
  // reference: (1/W) Σ_ranks Σ_microbatches ∇ mean-loss(rank's 4 rows of the micro-batch)
  const model = makeMlp(100, 8);
  const { x, y } = makeData(2, 4 * W);
  for (let m = 0; m < 2; m++) {
    for (let r = 0; r < W; r++) {
      F.crossEntropy(model.forward(x.narrow(0, m * 4 * W + r * 4, 4)), y.narrow(0, m * 4 * W + r * 4, 4)).div(W).backward();
    }
  }
  const grads = torch.load(out);
  for (const [name, p] of model.namedParameters()) assert.ok(maxDiff(grads[name], p.grad!) <= 1e-6, name);
});

test('DDP: findUnusedParameters lets a forward skip parameters; without it, PyTorch\'s error at the next iteration', { timeout: 60_000 }, async () => {
  const withFind = await run<{ hashes: string[]; unusedGrad: number | null }>(2, ['unused']);
  assert.equal(withFind.code, 0, withFind.log);
  assert.equal(withFind.res.get(0)!.hashes.length, 3);
  assert.deepEqual(withFind.res.get(1)!.hashes, withFind.res.get(0)!.hashes);
  assert.equal(withFind.res.get(0)!.unusedGrad, null, 'a parameter unused on every rank keeps no gradient, as in PyTorch');
  const without = await run<{ error?: string }>(2, ['unused', 'nofind']);
  for (const r of [0, 1]) {
    const lines = without.log.split('\n').filter((l) => l.startsWith(`[rank ${r}] RESULT {"rank":${r},"error"`));
    assert.equal(lines.length, 1, without.log);
    assert.match(lines[0], /Expected to have finished reduction in the prior iteration before starting a new one/);
  }
  assert.match(without.log, /\(torchlab: new nn\.parallel\.DistributedDataParallel\(model, \{ findUnusedParameters: true \}\)\)/);
});

test('DDP: a model that differs across ranks is a clear error on every rank, not a hang', { timeout: 60_000 }, async () => {
  const t0 = Date.now();
  const { res, code, log } = await run<{ error: string | null }>(2, ['mismatch']);
  assert.notEqual(code, 0);
  for (const r of [0, 1]) {
    assert.match(res.get(r)?.error ?? '', /^DistributedError: DistributedDataParallel: the model is not the same on every rank .*1412 elements.*1489 elements|^DistributedError: .*1489 elements.*1412 elements/, log);
  }
  assert.ok(Date.now() - t0 < 30_000);
});

test('DDP: bad use is a clear error', async () => {
  const { nn } = torch;
  assert.throws(() => new nn.parallel.DistributedDataParallel(makeMlp(0)), /not initialized/);
  const port = await freePort();
  await torch.distributed.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeout: 10_000 });
  try {
    assert.throws(() => new nn.parallel.DistributedDataParallel({} as never), /expected an nn.Module/);
    assert.throws(() => new nn.parallel.DistributedDataParallel(makeMlp(0), { bucketCapMb: 0 }), /bucketCapMb must be a positive number/);
    assert.throws(() => new nn.parallel.DistributedDataParallel(makeMlp(0), { bucketMb: 1 } as never), /unknown option 'bucketMb'/);
    assert.throws(() => new nn.parallel.DistributedDataParallel(makeMlp(0).requiresGrad_(false)), /no parameter that requires grad/);
    // one rank: DDP is a plain model; the state dict is the module's under 'module.'
    const m = makeMlp(0);
    const ddp = new nn.parallel.DistributedDataParallel(m);
    assert.deepEqual(Object.keys(ddp.stateDict()), Object.keys(m.stateDict()).map((k) => `module.${k}`));
    const xb = torch.randn([3, 6]);
    assert.equal(maxDiff(ddp.forward(xb), m.forward(xb)), 0);
    ddp.dispose();
    assert.throws(() => ddp.forward(xb), /after dispose/);
  } finally {
    torch.distributed.destroyProcessGroup();
  }
});
