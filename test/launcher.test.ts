// `torchlab run`: a rank killed mid-training ends the run with a non-zero status naming the rank
// within the timeout plus 10 s; two "nodes" (two launchers, --nnodes 2) on one machine form one
// world; signals reach every rank; bad arguments are clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, launch, results } from './helpers/dist-launch.js';

const DDP = new URL('./helpers/dist-ddp.ts', import.meta.url).pathname;
const COLLECTIVES = new URL('./helpers/dist-collectives.ts', import.meta.url).pathname;
const TIMEOUT_MS = 20_000;

/** Resolves with the first match of `re` in the launcher's output. */
async function waitFor(l: ReturnType<typeof launch>, re: RegExp, ms = 60_000): Promise<RegExpExecArray> {
  const t0 = Date.now();
  for (;;) {
    const m = re.exec(l.output());
    if (m) return m;
    if (Date.now() - t0 > ms) throw new Error(`no ${re} within ${ms} ms:\n${l.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a rank killed mid-training: the launcher ends the others and exits non-zero naming the rank, within timeout + 10 s', { timeout: 120_000 }, async (t) => {
  const l = launch(['--nproc-per-node', '2', '--master-port', String(await freePort()), DDP, 'long'], { TORCHLAB_DIST_TIMEOUT_MS: String(TIMEOUT_MS) });
  const m = await waitFor(l, /\[rank 1\] READY (\d+)/);
  await waitFor(l, /\[rank 0\] READY/);
  await new Promise((r) => setTimeout(r, 500)); // a few steps in
  const t0 = Date.now();
  process.kill(Number(m[1]), 'SIGKILL');
  const r = await l.done;
  const ms = Date.now() - t0;
  t.diagnostic(`the launcher exited ${ms} ms after the kill (timeout ${TIMEOUT_MS} ms)`);
  assert.notEqual(r.code, 0);
  assert.equal(r.code, 128 + 9, 'the status of a rank killed by SIGKILL');
  assert.match(r.err, /torchlab run: rank 1 \(local rank 1, pid \d+\) was killed by SIGKILL; stopping the other ranks/);
  assert.ok(ms < TIMEOUT_MS + 10_000, `the launcher took ${ms} ms`);
});

test('a rank that fails ends the run with its status, naming it', { timeout: 60_000 }, async () => {
  const r = await launch(['--nproc-per-node', '2', '--master-port', String(await freePort()), DDP, 'mismatch']).done;
  assert.equal(r.code, 3);
  assert.match(r.err, /torchlab run: rank [01] \(local rank [01], pid \d+\) exited with status 3/);
});

test('two nodes on one machine (--nnodes 2): one world of 4 ranks, every collective exact', { timeout: 120_000 }, async () => {
  const port = String(await freePort());
  const common = ['--nnodes', '2', '--nproc-per-node', '2', '--master-addr', '127.0.0.1', '--master-port', port];
  const [n0, n1] = await Promise.all([
    launch([...common, '--node-rank', '0', COLLECTIVES]).done,
    launch([...common, '--node-rank', '1', COLLECTIVES]).done,
  ]);
  assert.equal(n0.code, 0, n0.out + n0.err);
  assert.equal(n1.code, 0, n1.out + n1.err);
  type Out = { worldSize: number; env: { LOCAL_RANK: string }; allReduce_sum: number[]; allGather: number[][] };
  const r0 = results<Out>(n0.out);
  const r1 = results<Out>(n1.out);
  assert.deepEqual([...r0.keys()].sort(), [0, 1]);
  assert.deepEqual([...r1.keys()].sort(), [2, 3]);
  for (const [rank, o] of [...r0, ...r1]) {
    assert.equal(o.worldSize, 4);
    assert.equal(o.env.LOCAL_RANK, String(rank % 2));
    assert.deepEqual(o.allReduce_sum, [10, -14, 5]);
    assert.deepEqual(o.allGather, [[0, 0], [1, 1], [2, 4], [3, 9]]);
  }
});

test('SIGTERM to the launcher reaches every rank', { timeout: 60_000 }, async () => {
  const l = launch(['--nproc-per-node', '2', '--master-port', String(await freePort()), DDP, 'long']);
  await waitFor(l, /\[rank 0\] READY/);
  await waitFor(l, /\[rank 1\] READY/);
  l.proc.kill('SIGTERM');
  const r = await l.done;
  assert.equal(r.code, 128 + 15);
  assert.doesNotMatch(r.out, /RESULT/);
});

test('torchlab run: bad arguments are clear errors', async () => {
  let r = await launch(['--nproc-per-node', '0', DDP]).done;
  assert.equal(r.code, 1);
  assert.match(r.err, /--nproc-per-node.*expected a positive integer, got '0'/);
  r = await launch(['--nnodes', '2', '--node-rank', '2', DDP]).done;
  assert.equal(r.code, 1);
  assert.match(r.err, /--node-rank must be in \[0, 1\], got 2/);
  r = await launch(['/nonexistent/script.js']).done;
  assert.notEqual(r.code, 0);
  assert.match(r.err, /Cannot find module|not found|ENOENT/);
});

test('a rank that stops responding (SIGSTOP): the others fail on the timeout, the launcher ends the run', { timeout: 60_000 }, async (t) => {
  const timeout = 3000;
  const l = launch(['--nproc-per-node', '2', '--master-port', String(await freePort()), DDP, 'long'], { TORCHLAB_DIST_TIMEOUT_MS: String(timeout) });
  const m = await waitFor(l, /\[rank 1\] READY (\d+)/);
  await waitFor(l, /\[rank 0\] READY/);
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  process.kill(Number(m[1]), 'SIGSTOP');
  const r = await l.done;
  const ms = Date.now() - t0;
  t.diagnostic(`the launcher exited ${ms} ms after rank 1 stopped (timeout ${timeout} ms, then 5 s before SIGKILL)`);
  assert.notEqual(r.code, 0);
  // Gloo (unbound_buffer.cc) throws "Timed out waiting 3000ms for recv operation to complete" from the op
  // that timed out, after signalling every pair of its context, which fails each other pending op with
  // "Application timeout caused pair closure". DDP has several bucket allreduces in flight on Gloo's
  // worker threads, so which message reaches rank 0's backward first is a race: either is the timeout.
  assert.match(r.err, /\[rank 0\] .*(Timed out waiting 3000ms|Application timeout caused pair closure)/);
  assert.match(r.err, /torchlab run: rank 0 \(local rank 0, pid \d+\) exited with status 1/);
  assert.ok(ms >= timeout - 500 && ms < timeout + 10_000, `${ms} ms`);
});

test('two nodes: a rank killed on one node fails the other node\'s ranks at once (connection closed), both launchers exit non-zero', { timeout: 60_000 }, async () => {
  const port = String(await freePort());
  const common = ['--nnodes', '2', '--nproc-per-node', '1', '--master-port', port, DDP, 'long'];
  const n0 = launch(['--node-rank', '0', ...common], { TORCHLAB_DIST_TIMEOUT_MS: '30000' });
  const n1 = launch(['--node-rank', '1', ...common], { TORCHLAB_DIST_TIMEOUT_MS: '30000' });
  const m = await waitFor(n1, /\[rank 1\] READY (\d+)/);
  await waitFor(n0, /\[rank 0\] READY/);
  const t0 = Date.now();
  process.kill(Number(m[1]), 'SIGKILL');
  const [r0, r1] = await Promise.all([n0.done, n1.done]);
  assert.equal(r1.code, 137);
  assert.match(r1.err, /rank 1 \(local rank 0, pid \d+\) was killed by SIGKILL/);
  assert.notEqual(r0.code, 0);
  assert.match(r0.out + r0.err, /Connection closed by peer|Connection reset/);
  assert.match(r0.err, /torchlab run: rank 0 \(local rank 0, pid \d+\) exited with status 1/);
  assert.ok(Date.now() - t0 < 15_000, 'well before the 30 s timeout');
});
