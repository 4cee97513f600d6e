// torch.utils.data: datasets, samplers, splits and the DataLoader (reachable as torch.utils.data.*,
// torch.data.* and the subpaths torchlab/data, torchlab/utils).
// @example
// import * as torch from 'torchlab';
// const { Subset, randomSplit, RandomSampler, DataLoader } = torch.utils.data;
export { DataLoader, TensorDataset, type DataLoaderOptions, type TensorDatasetOptions } from './dataloader.js';
export { Subset, ConcatDataset, randomSplit, type Dataset, type TensorBacked } from './dataset.js';
export {
  Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler,
  type RandomSamplerOptions, type Sized,
} from './sampler.js';
export { Generator } from './generator.js';
export type { Batch } from './batch-iterator.js';
