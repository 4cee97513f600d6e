// `torchlab run`: torchrun for torchlab scripts. Starts --nproc-per-node processes of a script on
// this node with torchrun's environment (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE,
// GROUP_RANK, MASTER_ADDR, MASTER_PORT), so that `await dist.initProcessGroup()` (env://) joins
// them; with --nnodes M --node-rank R, one such launcher runs on each node.
//   - threads: the machine's cores are split between the local ranks (OMP_NUM_THREADS, which the
//     addon honours as PyTorch does), unless OMP_NUM_THREADS is already set;
//     ranks are not pinned to cores (as torchrun): pinning rank i to core i with taskset measured
//     no gain beyond the run-to-run spread on 2 cores (BENCHMARKS.md section 9);
//   - output: every line a rank writes is prefixed with `[rank N]` (stdout to stdout, stderr to stderr);
//   - signals: SIGINT / SIGTERM / SIGHUP to the launcher go to every rank;
//   - failure: when a rank exits non-zero (or is killed), the others are sent SIGTERM (SIGKILL
//     after a grace period) and the launcher exits with that rank's status (128 + the signal's
//     number when a signal killed it), naming it.
// Deviations from torchrun: static rendezvous only (no --rdzv-backend, no restarts, no elastic
// min:max nodes); the master address defaults to 127.0.0.1 and the port to 29500 as torchrun's.
// This file does not load the addon.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

export interface RunOptions {
  nprocPerNode: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  masterPort: number;
  /** Milliseconds between SIGTERM and SIGKILL for the ranks still running after one failed. */
  graceMs?: number;
  log?: (line: string) => void;
}

/** The `--import` URL that lets node run a TypeScript script: tsx from the current project, else torchlab's. */
export function tsxLoader(): string | undefined {
  for (const base of [join(process.cwd(), 'package.json'), import.meta.filename ?? join(process.cwd(), 'x.js')]) {
    try {
      const pkgFile = createRequire(base).resolve('tsx/package.json');
      const entry = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: { '.': string } }).exports['.'];
      return pathToFileURL(join(dirname(pkgFile), entry)).href;
    } catch { /* look in the next place */ }
  }
  return undefined;
}

/** The environment of one local rank, as torchrun sets it. */
export function rankEnv(o: RunOptions, localRank: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const threads = Math.max(1, Math.floor(availableParallelism() / o.nprocPerNode));
  return {
    ...base,
    RANK: String(o.nodeRank * o.nprocPerNode + localRank),
    LOCAL_RANK: String(localRank),
    WORLD_SIZE: String(o.nnodes * o.nprocPerNode),
    LOCAL_WORLD_SIZE: String(o.nprocPerNode),
    GROUP_RANK: String(o.nodeRank),
    MASTER_ADDR: o.masterAddr,
    MASTER_PORT: String(o.masterPort),
    OMP_NUM_THREADS: base.OMP_NUM_THREADS ?? String(threads),
    TORCHLAB_LAUNCHED: '1',
  };
}

function prefixLines(stream: NodeJS.ReadableStream, prefix: string, out: NodeJS.WritableStream): Promise<void> {
  return new Promise((done) => {
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (l) => out.write(`${prefix}${l}\n`));
    rl.on('close', done);
  });
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs the ranks of this node; resolves with the launcher's exit status (0: every rank succeeded). */
export async function runRanks(script: string, args: string[], o: RunOptions): Promise<number> {
  const log = o.log ?? ((l: string) => console.error(l));
  if (o.nodeRank < 0 || o.nodeRank >= o.nnodes) throw new Error(`--node-rank must be in [0, ${o.nnodes - 1}], got ${o.nodeRank}`);
  if (o.masterPort < 1 || o.masterPort > 65535) throw new Error(`--master-port must be in [1, 65535], got ${o.masterPort}`);
  const scriptPath = resolve(script);
  const nodeArgs: string[] = [];
  if (/\.[cm]?ts$/.test(script)) {
    const loader = tsxLoader();
    if (!loader) throw new Error(`${script} is TypeScript and tsx was not found (npm install tsx, or compile the script to .js)`);
    nodeArgs.push('--import', loader);
  }
  const worldSize = o.nnodes * o.nprocPerNode;
  type Rank = { rank: number; local: number; child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; io: Promise<void> };
  const ranks: Rank[] = [];
  for (let local = 0; local < o.nprocPerNode; local++) {
    const env = rankEnv(o, local);
    const rank = Number(env.RANK);
    const child = spawn(process.execPath, [...nodeArgs, scriptPath, ...args], { env, stdio: ['inherit', 'pipe', 'pipe'] });
    const prefix = worldSize > 1 ? `[rank ${rank}] ` : '';
    const io = Promise.all([prefixLines(child.stdout!, prefix, process.stdout), prefixLines(child.stderr!, prefix, process.stderr)]).then(() => undefined);
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
      child.on('exit', (code, signal) => done({ code, signal }));
      child.on('error', (e) => { log(`torchlab run: rank ${rank} could not start: ${e.message}`); done({ code: 1, signal: null }); });
    });
    ranks.push({ rank, local, child, exit, io });
  }

  let stopping = false;
  const killAll = (sig: NodeJS.Signals, except?: Rank) => {
    for (const r of ranks) if (r !== except && r.child.exitCode === null && r.child.signalCode === null) r.child.kill(sig);
  };
  let forwarded: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    forwarded = sig;
    stopping = true;
    killAll(sig);
  };
  for (const s of SIGNALS) process.on(s, onSignal);

  let status = 0;
  let killTimer: NodeJS.Timeout | undefined;
  try {
    const pending = new Set(ranks);
    while (pending.size) {
      const r = await Promise.race([...pending].map((p) => p.exit.then((e) => ({ p, e }))));
      pending.delete(r.p);
      const { code, signal } = r.e;
      if (code === 0 || stopping) continue;
      // The first failure: end the others, report it, keep its status.
      stopping = true;
      status = code ?? 128 + signalNumber(signal);
      const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      log(`torchlab run: rank ${r.p.rank} (local rank ${r.p.local}, pid ${r.p.child.pid}) ${how}; stopping the other ranks`);
      killAll('SIGTERM');
      killTimer = setTimeout(() => killAll('SIGKILL'), o.graceMs ?? 5000);
    }
    await Promise.all(ranks.map((r) => r.io));
  } finally {
    if (killTimer) clearTimeout(killTimer);
    for (const s of SIGNALS) process.off(s, onSignal);
  }
  if (status) {
    const failed = ranks.filter((r) => r.child.exitCode !== 0).map((r) => r.rank);
    log(`torchlab run: failed (ranks not completed: ${failed.join(', ')}); first failure above`);
    return status;
  }
  if (forwarded) return 128 + signalNumber(forwarded);
  return 0;
}

function signalNumber(sig: NodeJS.Signals | null): number {
  const n: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15, SIGABRT: 6 };
  return (sig && n[sig]) || 1;
}

/**
 * `torchlab train|lab ... --nproc N`: the same command as N local ranks under runRanks, on a free
 * loopback port; the ranks see WORLD_SIZE and train data-parallel (src/train/data-parallel.ts).
 */
export async function relaunchAsRanks(nproc: number, argv = process.argv): Promise<number> {
  const args: string[] = [];
  const rest = argv.slice(2);
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--nproc') { i++; continue; }
    if (rest[i].startsWith('--nproc=')) continue;
    args.push(rest[i]);
  }
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((done, fail) => {
    const srv = createServer().on('error', fail).listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => done(p));
    });
  });
  return runRanks(argv[1], args, { nprocPerNode: nproc, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: port });
}
