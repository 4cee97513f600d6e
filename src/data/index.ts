// torchlab's torch.utils.data + torchvision parts: batch transforms, DataLoader, image grids.
// @example
// import * as torch from 'torchlab';
// const loader = new torch.data.DataLoader(new torch.data.FashionMNIST({ train: true }), { batchSize: 64, shuffle: true, transform: new torch.data.ToTensor() });
export * as transforms from './transforms.js';
export { Compose, ToTensor, Normalize, RandomCrop, RandomHorizontalFlip, RandomErasing, Lambda, Transform, type TransformLike } from './transforms.js';
export * from './utils-data.js';
export { makeGrid, saveImage, type MakeGridOptions, type SaveImageOptions } from './image.js';
export * from './datasets/index.js';
export { DistributedSampler, type DistributedSamplerOptions } from './distributed-sampler.js';
