// torch.nn.parallel: data-parallel training across processes (on src/distributed's process group).
export { DistributedDataParallel, type DistributedDataParallelOptions } from './distributed.js';
