// torch.nn: modules, layers, init, functional and utils.
export { Module, Parameter, Buffer, isParameter, isBuffer } from './module.js';
export { Linear, Conv2d, BatchNorm1d, BatchNorm2d, type Conv2dOptions, type BatchNormOptions, type PaddingMode } from './layers.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, ReLU, LeakyReLU, GELU, Dropout, Flatten, Identity } from './simple-layers.js';
export { Sequential, ModuleList, ModuleDict } from './containers.js';
export * as init from './init.js';
export * as functional from './functional.js';
export * as utils from './utils.js';
export { summary, type SummaryRow, type ModelSummary } from './summary.js';
export * as parallel from './parallel/index.js';
