// The progress of `torchlab lab --jobs N`: one tqdm-like bar per run being trained, all drawn by the
// parent process (cli-progress's MultiBar, on stderr) from the steps its workers report, e.g.
//   [sgd-lr0.01] Epoch 3:  47%|████▋     | 9/20 [00:02<00:03,  3.90it/s, loss=2.21]
// On a terminal, log lines go above the bars (through the MultiBar, so that they do not tear them);
// elsewhere (CI logs, pipes) the bars print every few seconds and log lines go out as they come.
import cliProgress from 'cli-progress';
import { formatTqdm } from '../train/progress.js';
import type { StepRecord } from '../train/records.js';

interface Bar {
  bar: cliProgress.SingleBar;
  epoch: number;
  n: number;
  total: number;
  started: number;
  lastAt: number;
  lossSum: number;
}

export class LabBars {
  readonly #multi: cliProgress.MultiBar;
  readonly #bars = new Map<string, Bar>();
  readonly #tty: boolean;
  readonly #log: ((line: string) => void) | null;

  /** `log`: where lines go when the stream is not a terminal (on a terminal: above the bars). */
  constructor(log: ((line: string) => void) | null, stream: NodeJS.WriteStream = process.stderr) {
    // (lines normally go to stdout: above the bars only when both are the same terminal)
    this.#tty = stream.isTTY === true && process.stdout.isTTY === true;
    this.#log = log;
    this.#multi = new cliProgress.MultiBar({
      stream,
      format: (_o: unknown, _p: unknown, payload: { line?: string }) => payload.line ?? '',
      noTTYOutput: true,
      notTTYSchedule: 5000,
      fps: 10,
      hideCursor: false,
      clearOnComplete: false,
      stopOnComplete: false,
      linewrap: false,
      barsize: 10,
      // (its own SIGINT handler would keep Ctrl-C from ending the lab; the pool handles signals)
      gracefulExit: false,
    } as cliProgress.Options);
  }

  /** A log line, kept apart from the bars. */
  log(line: string): void {
    if (this.#tty && this.#log && this.#bars.size > 0) this.#multi.log(`${line}\n`);
    else this.#log?.(line);
  }

  #line(id: string, b: Bar): string {
    const postfix = b.n > 0 ? { loss: b.lossSum / b.n } : undefined;
    return formatTqdm({ desc: `[${id}] Epoch ${b.epoch}`, n: b.n, total: b.total, elapsed: (performance.now() - b.started) / 1000, postfix });
  }

  readonly #startedAt = new Map<string, number>();

  /** Run `id` starts in its worker (its first epoch's clock starts now, as tqdm's before the first batch). */
  start(id: string): void {
    this.#startedAt.set(id, performance.now());
  }

  /**
   * One step of run `id`; a new epoch starts the bar over (the worker does not report an epoch's
   * start, so its clock is set back from its first step by the previous epoch's mean step time).
   */
  step(id: string, s: StepRecord, stepsPerEpoch: number): void {
    let b = this.#bars.get(id);
    if (!b) {
      const started = this.#startedAt.get(id) ?? performance.now();
      const fresh: Bar = { bar: undefined as unknown as cliProgress.SingleBar, epoch: s.epoch, n: 0, total: stepsPerEpoch, started, lastAt: started, lossSum: 0 };
      fresh.bar = this.#multi.create(stepsPerEpoch, 0, { line: this.#line(id, fresh) });
      this.#bars.set(id, fresh);
      b = fresh;
    }
    if (s.epoch !== b.epoch) {
      // (the new epoch's first step is counted at the previous epoch's mean step time)
      const meanStep = b.n > 0 ? (b.lastAt - b.started) / b.n : 0;
      Object.assign(b, { epoch: s.epoch, n: 0, total: stepsPerEpoch, started: performance.now() - meanStep, lossSum: 0 });
    }
    b.lastAt = performance.now();
    b.n++;
    b.lossSum += s.loss;
    b.bar.setTotal(b.total);
    b.bar.update(b.n, { line: this.#line(id, b) });
  }

  /** Run `id` is over: its bar goes. */
  end(id: string): void {
    this.#startedAt.delete(id);
    const b = this.#bars.get(id);
    if (!b) return;
    this.#bars.delete(id);
    this.#multi.remove(b.bar);
  }

  close(): void {
    for (const id of [...this.#bars.keys()]) this.end(id);
    this.#multi.stop();
  }
}
