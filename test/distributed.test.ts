// torch.distributed over loopback: every collective's exact values on 2 and 3 ranks (started by
// `torchlab run`, test/helpers/dist-collectives.ts), the event loop running while a collective
// waits, clear errors for bad arguments, a port in use, an unreachable master and missing ranks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import * as torch from '../src/index.js';
import { freePort, launch, results } from './helpers/dist-launch.js';

const dist = torch.distributed;
const WORKER = new URL('./helpers/dist-collectives.ts', import.meta.url).pathname;

interface Out {
  rank: number; worldSize: number; threads: number; env: { LOCAL_RANK: string; OMP: string };
  [k: string]: unknown;
  errors: Record<string, string>;
  barrier: { ticks: number; ms: number };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const reduce = (W: number, f: (r: number) => number[], op: (a: number, b: number) => number) =>
  range(W).map(f).reduce((acc, v) => acc.map((a, i) => op(a, v[i])));

function expected(W: number, rank: number): Record<string, unknown> {
  const base = (r: number) => [r + 1, -(r + 2), 0.5 * (r + 1)];
  const sum = reduce(W, base, (a, b) => a + b);
  const e: Record<string, unknown> = {
    allReduce_sum: sum,
    allReduce_avg: sum.map((v) => Math.fround(v / W)),
    allReduce_max: reduce(W, base, Math.max),
    allReduce_min: reduce(W, base, Math.min),
    allReduce_product: reduce(W, base, (a, b) => a * b),
    allReduce_int64: [range(W).reduce((a, r) => a + r * 1000 + 7, 0), -range(W).reduce((a, r) => a + r, 0)],
    allReduce_avg_f64: [range(W).reduce((a, r) => a + r + 0.25, 0) / W],
    broadcast: [10, 20, 30, 40],
    allGather: range(W).map((r) => [r, r * r]),
    // input i of rank r is [r + i, r * i]; rank `rank` keeps i = rank
    reduceScatter_sum: [range(W).reduce((a, r) => a + r + rank, 0), range(W).reduce((a, r) => a + r * rank, 0)],
    reduceScatter_max: [W - 1 + rank, (W - 1) * rank],
    scatter: [7 * rank, 7 * rank, 7 * rank],
    recv: [(rank + W - 1) % W, 42],
    async: [1, 2, 3].map((k) => Array(4).fill(k * range(W).reduce((a, r) => a + r + 1, 0))),
    asyncCompleted: [true, true, true],
    afterDestroy: false,
  };
  e.reduceScatter_avg = (e.reduceScatter_sum as number[]).map((v) => Math.fround(v / W));
  if (rank === 1) e.gather = range(W).map((r) => [100 + r]);
  return e;
}

for (const W of [2, 3]) {
  test(`every collective gives exact values on ${W} ranks (torchlab run --nproc-per-node ${W})`, { timeout: 120_000 }, async () => {
    const port = await freePort();
    const r = await launch(['--nproc-per-node', String(W), '--master-port', String(port), WORKER]).done;
    assert.equal(r.code, 0, `launcher failed:\n${r.out}\n${r.err}`);
    const res = results<Out>(r.out);
    assert.deepEqual([...res.keys()].sort(), range(W), `a RESULT line per rank:\n${r.out}`);
    for (const rank of range(W)) {
      const o = res.get(rank)!;
      assert.equal(o.worldSize, W);
      assert.equal(o.env.LOCAL_RANK, String(rank));
      // the launcher split the cores: each rank runs OMP_NUM_THREADS threads
      assert.equal(o.threads, Number(o.env.OMP));
      for (const [k, want] of Object.entries(expected(W, rank))) assert.deepEqual(o[k], want, `rank ${rank}: ${k}`);
      if (rank !== 1) assert.equal(o.gather, undefined);
      // rank 0 joined the barrier 600 ms late: the others' event loops kept ticking meanwhile
      if (rank !== 0) {
        assert.ok(o.barrier.ms >= 400, `rank ${rank} waited ${o.barrier.ms} ms at the barrier`);
        assert.ok(o.barrier.ticks >= 15, `rank ${rank}: only ${o.barrier.ticks} timer ticks during a ${o.barrier.ms} ms wait`);
      }
      assert.match(o.errors.badOp, /^RangeError: allReduce: op must be one of/);
      assert.match(o.errors.badSrc, new RegExp(`^RangeError: broadcast: src must be a rank in \\[0, ${W - 1}\\], got ${W}`));
      assert.match(o.errors.badList, new RegExp(`^RangeError: allGather: tensorList must hold ${W} tensors`));
      assert.match(o.errors.avgInt, /^TorchError: ReduceOp avg needs a floating-point tensor/);
      assert.match(o.errors.selfSend, /^RangeError: send: dst is this process's own rank/);
      assert.match(o.errors.notTensor, /^TypeError: allReduce: tensor must be a Tensor/);
      assert.match(o.errors.nonContiguous, /^RangeError: allReduce: tensor must be contiguous/);
      assert.match(o.errors.gatherShape, /^TorchError: ProcessGroupGloo::allgather: invalid tensor size at index 0 \(expected \(3\), got \(5\)\)/);
    }
    // every line a rank printed carries its prefix
    for (const line of r.out.split('\n').filter(Boolean)) assert.match(line, /^\[rank \d\] /);
  });
}

test('one process: the collectives work on a world of 1, and init/destroy can repeat', async () => {
  for (let k = 0; k < 2; k++) {
    const port = await freePort();
    assert.equal(dist.isInitialized(), false);
    await dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeout: 10_000 });
    assert.equal(dist.getRank(), 0);
    assert.equal(dist.getWorldSize(), 1);
    assert.equal(dist.getBackend(), 'gloo');
    const t = torch.tensor([1.5, -2]);
    await dist.allReduce(t, { op: 'avg' });
    assert.deepEqual(Array.from(t.data() as Float32Array), [1.5, -2]);
    const w = dist.barrier({ asyncOp: true });
    assert.ok(w instanceof dist.Work);
    await w;
    await assert.rejects(dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1 }), /already initialized/);
    dist.destroyProcessGroup();
  }
  assert.throws(() => dist.getRank(), /not initialized/);
  assert.throws(() => dist.allReduce(torch.zeros([1])), /not initialized/);
});

test('file:// rendezvous (FileStore)', async () => {
  const path = `/tmp/torchlab-filestore-${process.pid}-${Date.now()}`;
  await dist.initProcessGroup({ initMethod: `file://${path}`, rank: 0, worldSize: 1, timeout: 10_000 });
  const t = torch.tensor([3]);
  await dist.broadcast(t, 0);
  assert.equal(t.item(), 3);
  dist.destroyProcessGroup();
});

test('a port in use is a clear error, at once', async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  const t0 = Date.now();
  await assert.rejects(dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeout: 30_000 }),
    (e: Error) => e.name === 'DistributedError' && new RegExp(`rank 0 cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`).test(e.message));
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
  srv.close();
  assert.equal(dist.isInitialized(), false);
});

test('an unreachable master and missing ranks end in the timeout with a clear error, without blocking the event loop', async () => {
  const port = await freePort();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  const t0 = Date.now();
  await assert.rejects(dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 1, worldSize: 2, timeout: 2000 }),
    (e: Error) => e.name === 'DistributedError' && /rank 1 could not reach the master at 127\.0\.0\.1:\d+ within 2 s/.test(e.message));
  const ms = Date.now() - t0;
  clearInterval(timer);
  // c10d's client gives up within the timeout (its own clock: about 1 s of retries for 2 s here)
  assert.ok(ms >= 500 && ms < 12_000, `gave up after ${ms} ms`);
  assert.ok(ticks >= ms / 20 / 3, `${ticks} timer ticks in ${ms} ms: the event loop was blocked`);

  const t1 = Date.now();
  await assert.rejects(dist.initProcessGroup({ initMethod: `tcp://127.0.0.1:${await freePort()}`, rank: 0, worldSize: 2, timeout: 2000 }),
    (e: Error) => e.name === 'DistributedError' && /not every one of the 2 ranks joined .* within 2 s/.test(e.message));
  assert.ok(Date.now() - t1 < 12_000);
});

test('initProcessGroup: bad options and a missing environment are clear errors', async () => {
  const saved = { ...process.env };
  try {
    for (const k of ['RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT']) delete process.env[k];
    await assert.rejects(dist.initProcessGroup(), /worldSize is not given and WORLD_SIZE is not set/);
    await assert.rejects(dist.initProcessGroup({ rank: 0, worldSize: 1 }), /env:\/\/ needs MASTER_ADDR and MASTER_PORT/);
    await assert.rejects(dist.initProcessGroup({ rank: 2, worldSize: 2, initMethod: 'tcp://127.0.0.1:1' }), /rank must be an integer in \[0, 1\]/);
    await assert.rejects(dist.initProcessGroup({ backend: 'mpi' as never, rank: 0, worldSize: 1 }), /backend must be 'gloo' or 'nccl'/);
    await assert.rejects(dist.initProcessGroup({ initMethod: 'udp://x:1', rank: 0, worldSize: 1 }), /initMethod must be/);
    await assert.rejects(dist.initProcessGroup({ rank: 0, worldSize: 1, timeout: -1, initMethod: 'tcp://127.0.0.1:1' }), /timeout/);
    await assert.rejects(dist.initProcessGroup({ rank: 0, worldSize: 1, bogus: 1 } as never), /unknown option 'bogus'/);
    if (!torch.cuda.isAvailable()) {
      await assert.rejects(dist.initProcessGroup({ backend: 'nccl', rank: 0, worldSize: 1, initMethod: `tcp://127.0.0.1:${await freePort()}` }),
        /nccl' needs a libtorch built with CUDA and NCCL/);
    }
    assert.equal(dist.isInitialized(), false);
  } finally {
    process.env = saved;
  }
});
