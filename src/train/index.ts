// torchlab/train: the training loop, its records and files, checkpoints, progress and plots.
export { fit, type FitOptions, type FitCallbacks, type SchedulerLike } from './fit.js';
export { trainEpoch, evaluate, defaultDevice, type TrainEpochOptions, type EvaluateOptions, type EpochResult, type LossFn, type Batches } from './epoch.js';
export { BasicModel, type BasicFitOptions } from './basic-model.js';
export { saveCheckpoint, loadCheckpoint, type CheckpointParts, type CheckpointInfo, type StatefulScheduler } from './checkpoint.js';
export { MetricsLog, readMetrics, readRun } from './metrics.js';
export { gradNorms } from './grad-flow.js';
export { ProgressBar, formatTqdm } from './progress.js';
export { showPlot } from './notebook-display.js';
export type { StepRecord, EpochRecord, GradFlowRecord, EvalResult, Divergence, RunResult, MetricsLine } from './records.js';
// The LR range test drives a Module through training steps, so it lives here, not in optim
// (torch.optim.findLr still reaches it: src/optim-api.ts).
export { findLr, steepest, type FindLrOptions, type FindLrResult } from './find-lr.js';
