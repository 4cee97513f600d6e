// Shared by the distributed tests: free loopback ports and `torchlab run` as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** A port that was free a moment ago on 127.0.0.1 (bound to 0, read back, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Launched {
  proc: ChildProcess;
  /** stdout and stderr so far */
  output: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; ms: number }>;
}

/** `torchlab run <args>` (the checkout's CLI under tsx). */
export function launch(args: string[], env: NodeJS.ProcessEnv = {}): Launched {
  const t0 = Date.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { err += d; });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; ms: number }>((resolve) => {
    proc.on('close', (code, signal) => resolve({ code, signal, out, err, ms: Date.now() - t0 }));
  });
  return { proc, output: () => out + err, done };
}

/** The `RESULT {...}` line of each rank, by rank. */
export function results<T>(out: string): Map<number, T> {
  const m = new Map<number, T>();
  for (const line of out.split('\n')) {
    const r = /^\[rank (\d+)\] RESULT (.*)$/.exec(line) ?? /^RESULT (.*)$/.exec(line);
    if (!r) continue;
    if (r.length === 3) m.set(Number(r[1]), JSON.parse(r[2]) as T);
    else m.set(0, JSON.parse(r[1]) as T);
  }
  return m;
}
