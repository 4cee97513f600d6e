// Helpers shared by the torchlab side of the benchmark (bench/*.ts): command-line flags, statistics
// and the one-line JSON result that bench/run.sh collects. The Python side mirrors them in
// bench/common_torch.py so that both sides print the same fields.
import { availableParallelism } from 'node:os';
import { appendFileSync } from 'node:fs';

/** `--name value` / `--name=value` flags; a flag without a value is `true`. */
export function parseFlags(argv = process.argv.slice(2)): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out.set(a.slice(2), argv[++i]);
    else out.set(a.slice(2), true);
  }
  return out;
}

export function intFlag(flags: Map<string, string | true>, name: string, fallback: number): number {
  const v = flags.get(name);
  if (v === undefined || v === true) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got '${v}'`);
  return n;
}

/** The default thread count of both sides: the cores this process may run on. */
export const defaultThreads = (): number => availableParallelism();

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export const min = (xs: readonly number[]): number => Math.min(...xs);

/** Appends one JSON record to the file named by --json (what run.sh reads); no-op without it. */
export function emit(flags: Map<string, string | true>, record: Record<string, unknown>): void {
  const file = flags.get('json');
  if (typeof file === 'string') appendFileSync(file, JSON.stringify({ side: 'torchlab', ...record }) + '\n');
}

export const fmt = (x: number, digits = 2): string => x.toFixed(digits);

/** Resident set size of this process in MiB. */
export const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;
