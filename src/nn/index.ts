// torch.nn: modules, layers, init, functional and utils.
export { Module, Parameter, Buffer, isParameter, isBuffer } from './module.js';
export { Linear, Conv2d, BatchNorm1d, BatchNorm2d, type Conv2dOptions, type BatchNormOptions, type PaddingMode } from './layers.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, ReLU, LeakyReLU, GELU, Dropout, Flatten, Identity } from './simple-layers.js';
export { Sequential, ModuleList, ModuleDict } from './containers.js';
export {
  CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
  type CrossEntropyLossOptions, type WeightedLossOptions, type BCEWithLogitsLossOptions,
} from './loss.js';
export * as init from './init.js';
export * as functional from './functional.js';
export * as utils from './utils.js';
export { summary, type SummaryRow, type ModelSummary } from './summary.js';
export { Conv1d, ConvTranspose2d, MaxPool1d, AvgPool1d, Upsample, type Conv1dOptions, type ConvTranspose2dOptions, type UpsampleOptions } from './conv-layers.js';
export { Softmax, LogSoftmax, Sigmoid, Tanh, SiLU, ELU, Hardswish, PReLU, Dropout2d, Unflatten } from './activation-layers.js';
export { Embedding, LayerNorm, GroupNorm, type EmbeddingOptions, type LayerNormOptions, type GroupNormOptions } from './norm-layers.js';
export { LSTM, GRU, type RNNOptions, type GRUOptions, type LSTMForward, type GRUForward } from './recurrent.js';
export {
  MultiheadAttention, TransformerEncoderLayer, type MultiheadAttentionOptions, type MHAForwardOptions, type MHAForward,
  type TransformerEncoderLayerOptions, type Activation,
} from './attention.js';
export * as parallel from './parallel/index.js';
