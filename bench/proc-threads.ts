// Per-thread CPU time of this process from /proc (Linux): what each thread (libtorch's pools,
// OpenBLAS, Gloo, V8's platform workers, libuv) did during a benchmark, to see oversubscription.
// Twin: the same fields from bench/ddp_step_torch.py's --threads flag.
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCpu { tid: number; comm: string; cpuMs: number; cpu: number; migrations: number; involuntary: number }

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** Every thread of this process with its user + system CPU time so far; [] where /proc is absent. */
export function threadCpu(): ThreadCpu[] {
  let tids: string[];
  try { tids = readdirSync('/proc/self/task'); } catch { return []; }
  const out: ThreadCpu[] = [];
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' '); // f[0] is field 3 (state)
      const sched = readFileSync(`/proc/self/task/${tid}/sched`, 'utf8');
      const num = (k: string) => Number(new RegExp(`${k}\\s*:\\s*(\\d+)`).exec(sched)?.[1] ?? NaN);
      out.push({ tid: Number(tid), comm, cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS, cpu: Number(f[36]),
        migrations: num('se.nr_migrations'), involuntary: num('nr_involuntary_switches') });
    } catch { /* the thread ended meanwhile */ }
  }
  return out;
}
