// A tqdm-like progress bar for training loops:
//   Epoch 3: 47%|████▋     | 110/235 [00:05<00:06, 20.1it/s, loss=0.412, stage=train]
// Drawn with cli-progress. On a terminal it redraws in place; when the stream is not a terminal
// (CI logs, pipes) it prints one such line every few seconds and a final one, so logs stay readable.
import cliProgress from 'cli-progress';

/** Seconds as tqdm prints them: mm:ss, or h:mm:ss past an hour. */
export function formatInterval(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** A postfix number as tqdm's format_num: 3 significant digits, the shorter of fixed and e-notation. */
export function formatNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const g = Number(v.toPrecision(3)).toString();
  const e = v.toExponential(2).replace(/\.?0+e/, 'e').replace(/e([+-])(\d)$/, 'e$10$2');
  return e.length < g.length ? e : g;
}

const BLOCKS = ' ▏▎▍▌▋▊▉█';

/** The bar itself: `width` cells filled with full and partial Unicode blocks (tqdm's ascii=False). */
export function formatBar(fraction: number, width = 10): string {
  const f = Math.min(1, Math.max(0, fraction));
  const eighths = Math.floor(f * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  return ('█'.repeat(full) + (full < width && part > 0 ? BLOCKS[part] : '')).padEnd(width, ' ');
}

export interface TqdmState {
  desc: string;
  n: number;
  total: number;
  /** Seconds since the bar started. */
  elapsed: number;
  postfix?: Record<string, number | string>;
}

/** One tqdm line for the given state. */
export function formatTqdm(s: TqdmState): string {
  const frac = s.total > 0 ? s.n / s.total : 0;
  const pct = `${String(Math.floor(frac * 100)).padStart(3, ' ')}%`;
  const rate = s.elapsed > 0 ? s.n / s.elapsed : 0;
  const remaining = rate > 0 ? (s.total - s.n) / rate : NaN;
  const rateText = rate === 0 ? '?it/s' : rate >= 1 ? `${rate.toFixed(2)}it/s` : `${(1 / rate).toFixed(2)}s/it`;
  const post = Object.entries(s.postfix ?? {}).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNum(v) : v}`);
  const counts = `${s.n}/${s.total}`.padStart(2 * String(s.total).length + 1, ' ');
  const head = s.desc ? `${s.desc}: ` : '';
  return `${head}${pct}|${formatBar(frac)}| ${counts} [${formatInterval(s.elapsed)}<${s.n > 0 ? formatInterval(remaining) : '?'}, ${[rateText, ...post].join(', ')}]`;
}

export interface ProgressBarOptions {
  /** Where to draw (default process.stderr, as tqdm). */
  stream?: NodeJS.WriteStream;
  /** Milliseconds between lines when the stream is not a terminal (default 5000). */
  nonTtyInterval?: number;
}

/**
 * A progress bar over `total` steps.
 * @example
 * const bar = new ProgressBar(loader.length, 'Epoch 0');
 * for (...) { ...; bar.update(1, { loss: avg, stage: 'train' }); }
 * bar.close();
 */
export class ProgressBar {
  readonly total: number;
  readonly desc: string;
  #n = 0;
  #start = performance.now();
  #postfix: Record<string, number | string> = {};
  #bar: cliProgress.SingleBar;
  #closed = false;

  constructor(total: number, desc: string, o: ProgressBarOptions = {}) {
    this.total = total;
    this.desc = desc;
    const stream = o.stream ?? process.stderr;
    this.#bar = new cliProgress.SingleBar({
      stream,
      format: () => this.line(),
      noTTYOutput: true,
      notTTYSchedule: o.nonTtyInterval ?? 5000,
      fps: 10,
      hideCursor: false,
      clearOnComplete: false,
      stopOnComplete: false,
      linewrap: false,
      barsize: 10,
    });
    this.#bar.start(total, 0);
  }

  /** The line as it would be drawn now. */
  line(): string {
    return formatTqdm({ desc: this.desc, n: this.#n, total: this.total, elapsed: (performance.now() - this.#start) / 1000, postfix: this.#postfix });
  }

  /** Advances by n steps and replaces the postfix (tqdm's update + set_postfix). */
  update(n = 1, postfix?: Record<string, number | string>): void {
    if (this.#closed) return;
    this.#n += n;
    if (postfix) this.#postfix = { ...postfix };
    this.#bar.update(this.#n);
  }

  /** Draws the final state and ends the line. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#bar.update(this.#n);
    this.#bar.stop();
  }
}
