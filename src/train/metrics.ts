// A run's files: config.json (the full configuration) and metrics.jsonl (one JSON object per line:
// steps, epochs, gradient-flow samples, divergence, the final test, the end). JSON has no NaN or
// Infinity, so non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity" and
// read back as numbers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricsLine, RunResult } from './records.js';

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
/** Fields that hold numbers which may be non-finite. */
const NUMERIC = new Set(['loss', 'value', 'trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy', 'accuracy', 'lr']);

export const toJson = (v: unknown, indent?: number): string =>
  JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x), indent);
export const fromJson = (text: string): unknown =>
  JSON.parse(text, (k, x) => (NUMERIC.has(k) && typeof x === 'string' && x in NON_FINITE ? NON_FINITE[x] : x));

/** Writes a file so that readers see the old or the new content, never half of it. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Appends metrics lines to `<dir>/metrics.jsonl` (each line flushed as written, so a killed run keeps its history). */
export class MetricsLog {
  readonly file: string;
  #fd: number;
  constructor(dir: string, o: { append?: boolean } = {}) {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, 'metrics.jsonl');
    this.#fd = fs.openSync(this.file, o.append ? 'a' : 'w');
  }
  write(line: MetricsLine): void {
    fs.writeSync(this.#fd, `${toJson(line)}\n`);
  }
  close(): void {
    if (this.#fd >= 0) fs.closeSync(this.#fd);
    this.#fd = -1;
  }
}

/** Reads metrics.jsonl; a malformed line is an error naming the file and the line number. A torn last line (killed mid-write) is dropped. */
export function readMetrics(file: string): MetricsLine[] {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const out: MetricsLine[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let v: unknown;
    try {
      v = fromJson(raw);
    } catch {
      if (i === lines.length - 1) return; // the last line of a killed run may be cut short
      throw new SyntaxError(`${file}:${i + 1}: not valid JSON: ${raw.slice(0, 80)}`);
    }
    if (v === null || typeof v !== 'object' || typeof (v as { type?: unknown }).type !== 'string') {
      throw new SyntaxError(`${file}:${i + 1}: expected an object with a "type" field`);
    }
    out.push(v as MetricsLine);
  });
  return out;
}

/** Rebuilds a RunResult from a run directory's config.json and metrics.jsonl. */
export function readRun(dir: string): RunResult {
  const configFile = path.join(dir, 'config.json');
  const config = fromJson(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  const run: RunResult = {
    name: typeof config.name === 'string' ? config.name : path.basename(dir),
    config, status: 'completed', divergence: null, steps: [], epochs: [], gradFlow: [], test: null, seconds: 0,
  };
  for (const line of readMetrics(path.join(dir, 'metrics.jsonl'))) {
    const { type, ...rest } = line;
    if (type === 'step') run.steps.push(rest as RunResult['steps'][number]);
    else if (type === 'epoch') run.epochs.push(rest as RunResult['epochs'][number]);
    else if (type === 'gradflow') run.gradFlow.push(rest as RunResult['gradFlow'][number]);
    else if (type === 'diverged') {
      run.divergence = rest as NonNullable<RunResult['divergence']>;
      run.status = 'diverged';
    } else if (type === 'test') run.test = rest as NonNullable<RunResult['test']>;
    else if (type === 'end') run.seconds = (rest as { seconds: number }).seconds;
  }
  return run;
}

/**
 * Keeps only the lines of epochs before `epoch` (what a checkpoint taken after epoch-1 covers):
 * a resumed run rewrites the epoch it was killed in.
 */
export function truncateMetrics(file: string, epoch: number): MetricsLine[] {
  const kept = fs.existsSync(file)
    ? readMetrics(file).filter((l) => 'epoch' in l && typeof l.epoch === 'number' && l.epoch < epoch && l.type !== 'diverged')
    : [];
  writeFileAtomic(file, kept.map((l) => `${toJson(l)}\n`).join(''));
  return kept;
}
