// torch.optim.lr_scheduler: the schedulers (exported as `optim.lrScheduler`).
export { LRScheduler } from './scheduler.js';
export { StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, SequentialLR } from './schedulers.js';
export { OneCycleLR, type OneCycleLROptions } from './one-cycle.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
