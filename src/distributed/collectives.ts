// torch.distributed's collectives on the default process group (c10d, native/distributed.cc).
//
// Every collective is enqueued at once (Gloo runs it on its own threads) and waited for on a worker
// thread, so Node's event loop never stops for the network.
// Deviations from PyTorch:
// - Without `asyncOp` a collective returns a Promise to await (PyTorch blocks and returns None);
//   with `{ asyncOp: true }` it returns a Work, as PyTorch does, whose `wait()` is a Promise (and
//   which can itself be awaited).
// - Reduce ops are strings ('sum', 'avg', 'product', 'min', 'max', 'band', 'bor', 'bxor');
//   `ReduceOp.SUM` etc. name them the PyTorch way.
// - Gloo in libtorch 1.13 has no 'avg' (it sums, then divides by the world size: floating-point
//   tensors only) and no reduce-scatter (all-reduce of the inputs, then this rank's part): both
//   emulated in native/distributed.cc, same values, more traffic for reduce-scatter.
import { distNative, type ReduceOpName, type WorkId } from '../tensor/distributed-native.js';
import { isTensor } from '../tensor/handles.js';
import type { Tensor } from '../tensor/tensor.js';
import { DistributedError, groupState } from './process-group.js';

export type { ReduceOpName } from '../tensor/distributed-native.js';
/** torch.distributed.ReduceOp. */
export const ReduceOp = {
  SUM: 'sum', AVG: 'avg', PRODUCT: 'product', MIN: 'min', MAX: 'max', BAND: 'band', BOR: 'bor', BXOR: 'bxor',
} as const satisfies Record<string, ReduceOpName>;
const OPS = new Set<string>(Object.values(ReduceOp));

/** A collective in flight (torch.distributed's Work): `await work`, or `await work.wait()`. */
export class Work implements PromiseLike<void> {
  #id: WorkId;
  #what: string;
  #promise: Promise<void> | undefined;
  #done = false;

  /** @internal made by the collectives */
  constructor(id: WorkId, what: string) {
    this.#id = id;
    this.#what = what;
  }
  /** Resolves when the collective has completed on this rank; rejects with a DistributedError. */
  wait(): Promise<void> {
    this.#promise ??= distNative.wait(this.#id).then(
      () => { this.#done = true; },
      (e: unknown) => {
        this.#done = true;
        const rank = safeRank();
        throw new DistributedError(`${this.#what} failed on rank ${rank}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      });
    return this.#promise;
  }
  /** Whether the collective has finished (torch's Work.is_completed). */
  isCompleted(): boolean {
    return this.#done || (this.#promise === undefined && distNative.isCompleted(this.#id));
  }
  then<R1 = void, R2 = never>(onOk?: ((v: void) => R1 | PromiseLike<R1>) | null, onErr?: ((e: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return this.wait().then(onOk, onErr);
  }
}

function safeRank(): string {
  try { return String(groupState('').rank); } catch { return '?'; }
}

export interface AsyncOption { asyncOp?: boolean }
export interface ReduceOptions extends AsyncOption { op?: ReduceOpName }

function checkOpts(what: string, o: unknown, allowed: string[]): void {
  if (o === undefined) return;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new TypeError(`${what}: options must be an object`);
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new TypeError(`${what}: unknown option '${k}'`);
}
// Gloo reads and writes a tensor's memory as one block: a view with gaps (narrow, slicing) would
// be reduced wrongly, so only contiguous tensors are accepted (PyTorch: "Tensors must be contiguous").
function checkTensor(what: string, t: unknown, name: string): Tensor {
  if (!isTensor(t)) throw new TypeError(`${what}: ${name} must be a Tensor`);
  if (!t.isContiguous()) throw new RangeError(`${what}: ${name} must be contiguous (reduce a .contiguous() copy and copy it back)`);
  return t;
}
function checkList(what: string, ts: unknown, name: string, n: number): Tensor[] {
  if (!Array.isArray(ts)) throw new TypeError(`${what}: ${name} must be an array of Tensors`);
  if (ts.length !== n) throw new RangeError(`${what}: ${name} must hold ${n} tensors (one per rank), got ${ts.length}`);
  return ts.map((t, i) => checkTensor(what, t, `${name}[${i}]`));
}
function checkRank(what: string, r: unknown, name: string, worldSize: number): number {
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r >= worldSize) {
    throw new RangeError(`${what}: ${name} must be a rank in [0, ${worldSize - 1}], got ${String(r)}`);
  }
  return r;
}
function checkOp(what: string, op: unknown): ReduceOpName {
  if (op === undefined) return 'sum';
  if (typeof op !== 'string' || !OPS.has(op)) throw new RangeError(`${what}: op must be one of ${[...OPS].join(', ')}, got ${String(op)}`);
  return op as ReduceOpName;
}
function start(what: string, issue: () => WorkId, asyncOp: boolean | undefined): Work | Promise<void> {
  const w = new Work(issue(), what);
  return asyncOp ? w : w.wait();
}

// The overloads give `Work` with { asyncOp: true } and `Promise<void>` otherwise.
type Result<O> = O extends { asyncOp: true } ? Work : Promise<void>;

/** Reduces `tensor` across ranks in place (torch.distributed.all_reduce). */
export function allReduce<O extends ReduceOptions>(tensor: Tensor, options?: O): Result<O>;
export function allReduce(tensor: Tensor, options?: ReduceOptions): Work | Promise<void> {
  const w = 'allReduce';
  checkOpts(w, options, ['op', 'asyncOp']);
  groupState(w);
  const t = checkTensor(w, tensor, 'tensor');
  const op = checkOp(w, options?.op);
  return start(w, () => distNative.allReduce(t, op), options?.asyncOp);
}

/** Copies rank `src`'s `tensor` into every rank's (torch.distributed.broadcast). */
export function broadcast<O extends AsyncOption>(tensor: Tensor, src: number, options?: O): Result<O>;
export function broadcast(tensor: Tensor, src: number, options?: AsyncOption): Work | Promise<void> {
  const w = 'broadcast';
  checkOpts(w, options, ['asyncOp']);
  const { worldSize } = groupState(w);
  const t = checkTensor(w, tensor, 'tensor');
  checkRank(w, src, 'src', worldSize);
  return start(w, () => distNative.broadcast(t, src), options?.asyncOp);
}

/** Every rank's `tensor` into `tensorList[rank]` on every rank (torch.distributed.all_gather). */
export function allGather<O extends AsyncOption>(tensorList: Tensor[], tensor: Tensor, options?: O): Result<O>;
export function allGather(tensorList: Tensor[], tensor: Tensor, options?: AsyncOption): Work | Promise<void> {
  const w = 'allGather';
  checkOpts(w, options, ['asyncOp']);
  const { worldSize } = groupState(w);
  const list = checkList(w, tensorList, 'tensorList', worldSize);
  const t = checkTensor(w, tensor, 'tensor');
  return start(w, () => distNative.allGather(list, t), options?.asyncOp);
}

/** Reduces `inputList[r]` across ranks into rank r's `output` (torch.distributed.reduce_scatter). */
export function reduceScatter<O extends ReduceOptions>(output: Tensor, inputList: Tensor[], options?: O): Result<O>;
export function reduceScatter(output: Tensor, inputList: Tensor[], options?: ReduceOptions): Work | Promise<void> {
  const w = 'reduceScatter';
  checkOpts(w, options, ['op', 'asyncOp']);
  const { worldSize } = groupState(w);
  const out = checkTensor(w, output, 'output');
  const list = checkList(w, inputList, 'inputList', worldSize);
  const op = checkOp(w, options?.op);
  return start(w, () => distNative.reduceScatter(out, list, op), options?.asyncOp);
}

export interface GatherOptions extends AsyncOption { gatherList?: Tensor[] | null; dst?: number }
/** Every rank's `tensor` into `gatherList` on rank `dst` (torch.distributed.gather). */
export function gather<O extends GatherOptions>(tensor: Tensor, options?: O): Result<O>;
export function gather(tensor: Tensor, options?: GatherOptions): Work | Promise<void> {
  const w = 'gather';
  checkOpts(w, options, ['gatherList', 'dst', 'asyncOp']);
  const { rank, worldSize } = groupState(w);
  const t = checkTensor(w, tensor, 'tensor');
  const dst = checkRank(w, options?.dst ?? 0, 'dst', worldSize);
  let list: Tensor[] | null = null;
  if (rank === dst) list = checkList(w, options?.gatherList, 'gatherList (on the dst rank)', worldSize);
  else if (options?.gatherList) throw new RangeError(`gather: gatherList is only given on the dst rank (${dst}), this is rank ${rank}`);
  return start(w, () => distNative.gather(t, list, dst), options?.asyncOp);
}

export interface ScatterOptions extends AsyncOption { scatterList?: Tensor[] | null; src?: number }
/** Rank `src`'s `scatterList[r]` into rank r's `tensor` (torch.distributed.scatter). */
export function scatter<O extends ScatterOptions>(tensor: Tensor, options?: O): Result<O>;
export function scatter(tensor: Tensor, options?: ScatterOptions): Work | Promise<void> {
  const w = 'scatter';
  checkOpts(w, options, ['scatterList', 'src', 'asyncOp']);
  const { rank, worldSize } = groupState(w);
  const t = checkTensor(w, tensor, 'tensor');
  const src = checkRank(w, options?.src ?? 0, 'src', worldSize);
  let list: Tensor[] | null = null;
  if (rank === src) list = checkList(w, options?.scatterList, 'scatterList (on the src rank)', worldSize);
  else if (options?.scatterList) throw new RangeError(`scatter: scatterList is only given on the src rank (${src}), this is rank ${rank}`);
  return start(w, () => distNative.scatter(t, list, src), options?.asyncOp);
}

export interface P2POptions extends AsyncOption { tag?: number }
function p2p(w: string, peerName: string, peer: unknown, options: P2POptions | undefined): { peer: number; tag: number } {
  checkOpts(w, options, ['tag', 'asyncOp']);
  const { rank, worldSize } = groupState(w);
  const p = checkRank(w, peer, peerName, worldSize);
  if (p === rank) throw new RangeError(`${w}: ${peerName} is this process's own rank (${rank})`);
  const tag = options?.tag ?? 0;
  if (!Number.isInteger(tag)) throw new RangeError(`${w}: tag must be an integer, got ${String(tag)}`);
  return { peer: p, tag };
}
/** Sends `tensor` to rank `dst` (torch.distributed.send). */
export function send<O extends P2POptions>(tensor: Tensor, dst: number, options?: O): Result<O>;
export function send(tensor: Tensor, dst: number, options?: P2POptions): Work | Promise<void> {
  const t = checkTensor('send', tensor, 'tensor');
  const { peer, tag } = p2p('send', 'dst', dst, options);
  return start('send', () => distNative.send(t, peer, tag), options?.asyncOp);
}
/** Receives into `tensor` from rank `src` (torch.distributed.recv; `src` is required: Gloo's any-source receive is not exposed). */
export function recv<O extends P2POptions>(tensor: Tensor, src: number, options?: O): Result<O>;
export function recv(tensor: Tensor, src: number, options?: P2POptions): Work | Promise<void> {
  const t = checkTensor('recv', tensor, 'tensor');
  const { peer, tag } = p2p('recv', 'src', src, options);
  return start('recv', () => distNative.recv(t, peer, tag), options?.asyncOp);
}
/** torch.distributed.isend / irecv: send / recv returning a Work. */
export const isend = (tensor: Tensor, dst: number, options: { tag?: number } = {}): Work => send(tensor, dst, { ...options, asyncOp: true });
export const irecv = (tensor: Tensor, src: number, options: { tag?: number } = {}): Work => recv(tensor, src, { ...options, asyncOp: true });

/** Waits until every rank has reached it (torch.distributed.barrier). */
export function barrier<O extends AsyncOption>(options?: O): Result<O>;
export function barrier(options?: AsyncOption): Work | Promise<void> {
  checkOpts('barrier', options, ['asyncOp']);
  groupState('barrier');
  return start('barrier', () => distNative.barrier(), options?.asyncOp);
}
