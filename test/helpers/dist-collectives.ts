// One rank of test/distributed.test.ts, started by `torchlab run`: every collective once, then one
// line `RESULT <json>` with what this rank ended up holding. The parent computes the exact
// expected values from the rank and world size and compares.
import * as torch from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const dist = torch.distributed;
await dist.initProcessGroup({ backend: 'gloo' }); // env:// from the launcher
const rank = dist.getRank();
const W = dist.getWorldSize();
const out: Record<string, unknown> = { rank, worldSize: W, env: { LOCAL_RANK: process.env.LOCAL_RANK, OMP: process.env.OMP_NUM_THREADS }, threads: torch.getNumThreads() };
const v = (t: Tensor): number[] => Array.from(t.data() as Float32Array | Float64Array, Number);
const vi = (t: Tensor): number[] => Array.from(t.data() as BigInt64Array, Number);
const base = () => torch.tensor([rank + 1, -(rank + 2), 0.5 * (rank + 1)]); // distinct per rank; exact in float32

for (const op of ['sum', 'avg', 'max', 'min', 'product'] as const) {
  const t = base();
  await dist.allReduce(t, { op });
  out[`allReduce_${op}`] = v(t);
}
const ti = torch.tensor([BigInt(rank * 1000 + 7), BigInt(-rank)], { dtype: 'int64' });
await dist.allReduce(ti);
out.allReduce_int64 = vi(ti);
const td = torch.tensor([rank + 0.25], { dtype: 'float64' });
await dist.allReduce(td, { op: dist.ReduceOp.AVG });
out.allReduce_avg_f64 = v(td);

const b = rank === W - 1 ? torch.tensor([[1, 2], [3, 4]]).mul(10) : torch.zeros([2, 2]);
await dist.broadcast(b, W - 1);
out.broadcast = v(b);

const gathered = Array.from({ length: W }, () => torch.zeros([2]));
await dist.allGather(gathered, torch.tensor([rank, rank * rank]));
out.allGather = gathered.map(v);

for (const op of ['sum', 'avg', 'max'] as const) {
  const o = torch.zeros([2]);
  // input i of rank r: [r + i, r * i]
  await dist.reduceScatter(o, Array.from({ length: W }, (_, i) => torch.tensor([rank + i, rank * i])), { op });
  out[`reduceScatter_${op}`] = v(o);
}

const gList = rank === 1 ? Array.from({ length: W }, () => torch.zeros([1])) : null;
await dist.gather(torch.tensor([100 + rank]), { gatherList: gList, dst: 1 });
if (gList) out.gather = gList.map(v);

const s = torch.zeros([3]);
await dist.scatter(s, { scatterList: rank === 0 ? Array.from({ length: W }, (_, i) => torch.full([3], 7 * i)) : null, src: 0 });
out.scatter = v(s);

// a ring: send to the next rank, receive from the previous, both in flight at once
const recvBuf = torch.zeros([2]);
const sw = dist.isend(torch.tensor([rank, 42]), (rank + 1) % W, { tag: 3 });
const rw = dist.irecv(recvBuf, (rank + W - 1) % W, { tag: 3 });
await Promise.all([sw.wait(), rw]);
out.recv = v(recvBuf);

// several asynchronous collectives in flight, awaited together
const asyncTs = [1, 2, 3].map((k) => torch.full([4], k * (rank + 1)));
const works = asyncTs.map((t) => dist.allReduce(t, { asyncOp: true }));
await Promise.all(works.map((w) => w.wait()));
out.async = asyncTs.map(v);
out.asyncCompleted = works.map((w) => w.isCompleted());

// The event loop keeps running while a collective waits: rank 0 joins the barrier 600 ms late,
// the others count 10 ms timer ticks meanwhile.
if (rank === 0) await new Promise((r) => setTimeout(r, 600));
let ticks = 0;
const timer = setInterval(() => ticks++, 10);
const t0 = Date.now();
await dist.barrier();
clearInterval(timer);
out.barrier = { ticks, ms: Date.now() - t0 };

// bad input: clear errors, thrown before anything is sent
const errors: Record<string, string> = {};
const catchErr = (name: string, f: () => unknown) => {
  try { f(); errors[name] = 'no error'; } catch (e) { errors[name] = `${(e as Error).name}: ${(e as Error).message}`; }
};
catchErr('badOp', () => dist.allReduce(torch.zeros([1]), { op: 'mean' as never }));
catchErr('badSrc', () => dist.broadcast(torch.zeros([1]), W));
catchErr('badList', () => dist.allGather([torch.zeros([1])], torch.zeros([1])));
catchErr('avgInt', () => dist.allReduce(torch.zeros([1], { dtype: 'int64' }), { op: 'avg' }));
catchErr('selfSend', () => dist.send(torch.zeros([1]), rank));
catchErr('notTensor', () => dist.allReduce([1, 2] as never));
catchErr('nonContiguous', () => dist.allReduce(torch.zeros([3, 4]).narrow(1, 0, 2)));
catchErr('gatherShape', () => dist.allGather(Array.from({ length: W }, () => torch.zeros([5])), torch.zeros([3])));
out.errors = errors;

await dist.barrier();
dist.destroyProcessGroup();
out.afterDestroy = dist.isInitialized();
console.log(`RESULT ${JSON.stringify(out)}`);
