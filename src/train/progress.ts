// A tqdm-like progress bar for training loops:
//   Epoch 3:  47%|████▋     | 110/235 [00:05<00:06, 20.11it/s, loss=0.412, stage=train]
// Drawn with cli-progress. On a terminal it redraws in place; when the stream is not a terminal
// (CI logs, pipes) it prints one such line every few seconds and a final one, so logs stay readable.
// In a Jupyter notebook (tslab or Deno's kernel) the same line is one display under the cell, replaced
// in place through its display id (update_display_data) rather than a stream of lines.
import cliProgress from 'cli-progress';
import { displayBundle, newDisplayId, notebookKernel } from '../tensor/jupyter.js';

/** Seconds as tqdm prints them: mm:ss, or h:mm:ss past an hour. */
export function formatInterval(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Python's str() of a number: integers as ints; other floats as repr (exponent form below 1e-4). */
function pyStr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v);
  const [mant, exp] = v.toExponential().split('e'); // shortest round-trip digits, as repr
  const e = Number(exp);
  if (e >= -4 && e < 16) return String(v);
  return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** Python's '{:.Nf}' for v >= 0: an exact tie rounds to even (JS's toFixed rounds it up). */
function pyFixed(v: number, digits: number): string {
  const scaled = v * 10 ** digits;
  if (scaled - Math.floor(scaled) === 0.5 && Math.floor(scaled) % 2 === 0) return (Math.floor(scaled) / 10 ** digits).toFixed(digits);
  return v.toFixed(digits);
}

/** Python's '{:.3g}'.format(v). */
function pyG3(v: number): string {
  if (!Number.isFinite(v)) return pyStr(v);
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, exp] = v.toExponential(2).split('e'); // rounded to 3 significant digits
  const e = Number(exp);
  const strip = (t: string): string => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (e >= -4 && e < 3) return strip(`${v < 0 ? '-' : ''}${pyFixed(Math.abs(v), 2 - e)}`);
  return `${strip(mant)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/**
 * A postfix number as tqdm's format_num: '{:.3g}' with the exponent's leading zero dropped, or
 * str(n) when that is no longer. (JS has one number type: integers print as Python ints.)
 */
export function formatNum(v: number): string {
  const f = pyG3(v).replaceAll('+0', '+').replaceAll('-0', '-');
  const n = pyStr(v);
  return f.length < n.length ? f : n;
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
  // tqdm's format_meter: '{:3.0f}%' (rounded, not floored), rates as '{:5.2f}' (padded to 5),
  // s/it once an iteration takes more than a second, counts unpadded.
  const pct = `${pyFixed(frac * 100, 0).padStart(3, ' ')}%`;
  const rate = s.elapsed > 0 ? s.n / s.elapsed : 0;
  const remaining = rate > 0 ? (s.total - s.n) / rate : NaN;
  const rateText = rate === 0 ? '?it/s' : 1 / rate > 1 ? `${pyFixed(1 / rate, 2).padStart(5, ' ')}s/it` : `${pyFixed(rate, 2).padStart(5, ' ')}it/s`;
  const post = Object.entries(s.postfix ?? {}).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNum(v) : String(v).trim()}`);
  const head = s.desc ? `${s.desc}: ` : '';
  return `${head}${pct}|${formatBar(frac)}| ${s.n}/${s.total} [${formatInterval(s.elapsed)}<${formatInterval(remaining)}, ${[rateText, ...post].join(', ')}]`;
}

export interface ProgressBarOptions {
  /** Where to draw (default process.stderr, as tqdm). */
  stream?: NodeJS.WriteStream;
  /** Milliseconds between lines when the stream is not a terminal (default 5000). */
  nonTtyInterval?: number;
  /**
   * Draw as a notebook display updated in place (default: when running in a notebook kernel and no
   * `stream` is given). `false` forces the terminal text.
   */
  notebook?: boolean;
}

/** Milliseconds between a notebook bar's updates: each one is a message to the front end. */
const NOTEBOOK_INTERVAL_MS = 200;

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
  #bar: cliProgress.SingleBar | undefined;
  #closed = false;
  /** The notebook display's id (notebook mode only) and when it was last drawn. */
  #displayId: string | undefined;
  #drawnAt = 0;

  constructor(total: number, desc: string, o: ProgressBarOptions = {}) {
    this.total = total;
    this.desc = desc;
    if (o.notebook ?? (o.stream === undefined && notebookKernel() !== null)) {
      this.#displayId = newDisplayId();
      if (this.#draw(false)) return;
      this.#displayId = undefined; // the kernel refused (e.g. TORCHLAB_NOTEBOOK=0): terminal text
    }
    const stream = o.stream ?? process.stderr;
    this.#bar = new cliProgress.SingleBar({
      stream,
      format: () => this.line(),
      noTTYOutput: true,
      notTTYSchedule: o.nonTtyInterval ?? 5000,
      fps: 10,
      hideCursor: false,
      // Not a terminal: every line already ends in a newline; stop()'s extra one would leave a blank line.
      clearOnComplete: stream.isTTY !== true,
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

  /** The notebook display's id when this bar draws in a notebook, else undefined. */
  get displayId(): string | undefined {
    return this.#displayId;
  }

  /** Shows (update false) or replaces (update true) the notebook display with the current line. */
  #draw(update: boolean): boolean {
    this.#drawnAt = performance.now();
    const line = this.line();
    return displayBundle({ 'text/plain': line }, { displayId: this.#displayId, update });
  }

  /** Advances by n steps and replaces the postfix (tqdm's update + set_postfix). */
  update(n = 1, postfix?: Record<string, number | string>): void {
    if (this.#closed) return;
    this.#n += n;
    if (postfix) this.#postfix = { ...postfix };
    if (this.#displayId !== undefined) {
      if (performance.now() - this.#drawnAt >= NOTEBOOK_INTERVAL_MS) this.#draw(true);
    } else this.#bar!.update(this.#n);
  }

  /** Draws the final state and ends the line. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#displayId !== undefined) {
      this.#draw(true);
      return;
    }
    this.#bar!.update(this.#n);
    this.#bar!.stop();
  }
}
