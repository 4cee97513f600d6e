// torch.optim as the package exposes it: src/optim plus findLr, which lives in src/train (it runs
// training steps on a Module; optim knows no nn) but is looked for under optim, as in
// torch-lr-finder. Only this top-level file joins the two layers.
export * from './optim/index.js';
export { findLr, type FindLrOptions, type FindLrResult } from './train/find-lr.js';
