// torch.distributed: process groups and collectives on libtorch's c10d (Gloo; NCCL with CUDA).
// Layering: src/tensor (the addon) -> src/distributed -> src/nn (nn.parallel uses it); nothing here
// imports nn.
export {
  initProcessGroup, destroyProcessGroup, isInitialized, isAvailable, getRank, getWorldSize, getBackend,
  parseInitMethod, DistributedError, DEFAULT_TIMEOUT_MS, type Backend, type InitProcessGroupOptions,
} from './process-group.js';
export {
  allReduce, broadcast, allGather, reduceScatter, gather, scatter, send, recv, isend, irecv, barrier,
  ReduceOp, Work, type ReduceOpName, type ReduceOptions, type AsyncOption, type GatherOptions, type ScatterOptions,
  type P2POptions,
} from './collectives.js';
