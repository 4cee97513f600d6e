// The addon's torch.distributed functions (native/distributed.cc, native/ddp.cc), with Tensors in
// place of handles: src/distributed and nn.parallel reach c10d only through here, since handles
// never leave src/tensor. Argument checks with clear messages live in src/distributed.
import { native } from './native.js';
import { handle, handles, wrapList } from './handles.js';
import type { Tensor } from './tensor.js';

export type ReduceOpName = 'sum' | 'avg' | 'product' | 'min' | 'max' | 'band' | 'bor' | 'bxor';

export interface NativeInitSpec {
  backend: 'gloo' | 'nccl';
  store: 'tcp' | 'file';
  host: string;
  port: number;
  path: string;
  rank: number;
  worldSize: number;
  timeoutMs: number;
}
export interface NativeInitResult {
  rank: number;
  worldSize: number;
  backend: string;
  /** The TCPStore's port (the one the OS chose when 0 was asked for); 0 for a FileStore. */
  port: number;
}

/** An id of a collective in flight, awaited once with `wait`. */
export type WorkId = number;

export const distNative = {
  /** Rendezvous (store, then process group) on a worker thread. */
  init: (spec: NativeInitSpec): Promise<NativeInitResult> => native.distInit(spec),
  destroy: (): boolean => native.distDestroy(),
  isInitialized: (): boolean => native.distIsInitialized(),
  rank: (): number => native.distRank(),
  worldSize: (): number => native.distWorldSize(),
  backend: (): string => native.distBackend(),
  /** Resolves when the work is done (its wait runs on a worker thread), rejects with c10d's error. */
  wait: (w: WorkId): Promise<void> => native.distWait(w),
  isCompleted: (w: WorkId): boolean => native.distIsCompleted(w),

  allReduce: (t: Tensor, op: ReduceOpName): WorkId => native.distAllReduce(handle(t, 'tensor'), op),
  broadcast: (t: Tensor, src: number): WorkId => native.distBroadcast(handle(t, 'tensor'), src),
  allGather: (out: Tensor[], t: Tensor): WorkId => native.distAllGather(handles(out, 'tensorList'), handle(t, 'tensor')),
  reduceScatter: (out: Tensor, ins: Tensor[], op: ReduceOpName): WorkId =>
    native.distReduceScatter(handle(out, 'output'), handles(ins, 'inputList'), op),
  gather: (t: Tensor, list: Tensor[] | null, dst: number): WorkId =>
    native.distGather(handle(t, 'tensor'), list ? handles(list, 'gatherList') : null, dst),
  scatter: (t: Tensor, list: Tensor[] | null, src: number): WorkId =>
    native.distScatter(handle(t, 'tensor'), list ? handles(list, 'scatterList') : null, src),
  send: (t: Tensor, dst: number, tag: number): WorkId => native.distSend(handle(t, 'tensor'), dst, tag),
  recv: (t: Tensor, src: number, tag: number): WorkId => native.distRecv(handle(t, 'tensor'), src, tag),
  barrier: (): WorkId => native.distBarrier(),
};

/** c10d::Reducer and DDP's state syncing (native/ddp.cc). These block, as PyTorch's do. */
export const ddpNative = {
  verifyParams: (params: Tensor[]): void => native.ddpVerifyParams(handles(params, 'parameters')),
  /** A blocking all-gather: every rank's `t`, in rank order. */
  allGather: (t: Tensor): Tensor[] => wrapList(native.ddpAllGather(handle(t, 'tensor'))),
  broadcast: (ts: Tensor[], bufferBytes: number, src: number): void => native.ddpBroadcast(handles(ts, 'tensors'), bufferBytes, src),
  create: (params: Tensor[], names: string[], bucketCapBytes: number, findUnused: boolean): { id: number; buckets: number } =>
    native.ddpCreate(handles(params, 'parameters'), names, bucketCapBytes, findUnused),
  preForward: (id: number): boolean => native.ddpPreForward(id),
  prepareBackward: (id: number, outputs: Tensor[]): void => native.ddpPrepareBackward(id, handles(outputs, 'outputs')),
  destroy: (id: number): boolean => native.ddpDestroy(id),
};
