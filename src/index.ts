/**
 * torchlab: PyTorch-grade deep learning in TypeScript on libtorch.
 * @example
 * import * as torch from 'torchlab';
 * const { F } = torch;
 * const x = torch.randn([4, 3], { requiresGrad: true });
 * F.relu(x).sum().backward();
 */
export * from './tensor/index.js';
export * as F from './nn/functional.js';
export * as functional from './nn/functional.js';
export * as nn from './nn/index.js';
export * as optim from './optim-api.js';
export * as models from './models/index.js';
export * as distributed from './distributed/index.js';
export * as data from './data/index.js';
export * as utils from './data/utils.js'; // torchvision.utils (makeGrid, saveImage) + torch.utils.data
export * as train from './train/index.js';
