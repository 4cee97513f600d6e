/**
 * torch.optim: optimizers, LR schedulers and the LR range test.
 * @example
 * import * as torch from 'torchlab';
 * const { optim } = torch;
 * const opt = new optim.AdamW(model.parameters(), { lr: 3e-4 });
 * const sched = new optim.lrScheduler.CosineAnnealingLR(opt, 100);
 */
export {
  Optimizer, type BaseOptions, type ParamGroup, type ParamGroupInput, type Params, type ParamState, type StateValue,
  type OptimizerStateDict,
} from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export * as lrScheduler from './lr-scheduler.js';
