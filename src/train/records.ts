// The records a training run leaves behind: what fit() returns, what metrics.jsonl holds (one
// JSON object per line, `type` first), and what plots and reports read. Plain data only
// (numbers, strings), so a run can be written, read back and compared without torchlab loaded.

/** One optimizer step (the notebook's per-step loss history). `step` counts from 0 over the run. */
export interface StepRecord {
  epoch: number;
  step: number;
  loss: number;
  lr: number;
}

/** One finished epoch: mean train loss/accuracy over its steps, and the test metrics if a test loader was given. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  /** Percent (0-100) of training samples classified correctly during the epoch. */
  trainAccuracy: number;
  testLoss: number | null;
  /** Percent (0-100). */
  testAccuracy: number | null;
  /** The lr in effect during the epoch's last step. */
  lr: number;
  /** Wall-clock seconds of the epoch (training and evaluation). */
  seconds: number;
}

/** Per-layer gradient L2 norms (conv and linear weights, i.e. parameters with ≥ 2 dims) after one backward pass, recorded every `gradFlowEvery` steps. */
export interface GradFlowRecord {
  epoch: number;
  step: number;
  /** Parameter name (as in stateDict, e.g. "layer1.0.conv1.weight") → norm of its gradient. */
  norms: Record<string, number>;
}

/** evaluate()'s result, as the notebook's predict() reports it. */
export interface EvalResult {
  /** Mean loss per sample. */
  loss: number;
  /** Percent (0-100). */
  accuracy: number;
  correct: number;
  total: number;
}

/** Why a run stopped early because its loss stopped being a number. */
export interface Divergence {
  epoch: number;
  /** The step within the epoch (0-based) whose loss was not finite. */
  step: number;
  /** The offending loss value: NaN, Infinity or -Infinity. */
  value: number;
  message: string;
}

/** Everything one run produced. */
export interface RunResult {
  name: string;
  /** The run's full configuration (also in config.json). */
  config: Record<string, unknown>;
  status: 'completed' | 'diverged';
  divergence: Divergence | null;
  steps: StepRecord[];
  epochs: EpochRecord[];
  gradFlow: GradFlowRecord[];
  /** The final test evaluation (null without a test loader). */
  test: EvalResult | null;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
}

/** A line of metrics.jsonl. */
export type MetricsLine =
  | ({ type: 'step' } & StepRecord)
  | ({ type: 'epoch' } & EpochRecord)
  | ({ type: 'gradflow' } & GradFlowRecord)
  | ({ type: 'diverged' } & Divergence)
  | ({ type: 'test' } & EvalResult)
  | { type: 'end'; status: RunResult['status']; seconds: number };
