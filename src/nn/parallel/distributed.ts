// nn.parallel.DistributedDataParallel: PyTorch's DDP on libtorch's own c10d::Reducer (native/ddp.cc).
//
// What happens, as in PyTorch 1.13's DistributedDataParallel:
// - wrapping checks that every rank has the same parameters (count, shapes, strides: c10d's
//   verify_params_across_processes, a clear error on every rank rather than a hang), then copies
//   rank 0's parameters and buffers to every rank (250 MB coalesced broadcasts);
// - gradients are averaged across ranks in buckets (bucketCapMb, a 1 MiB first bucket) by the
//   Reducer's autograd hooks while backward runs; after backward every rank holds the same
//   averaged gradients, so the same optimizer step keeps the replicas identical;
// - buffers (BatchNorm's running statistics) are broadcast from rank 0 before each forward that
//   follows a synchronised one, when broadcastBuffers (the default);
// - noSync(fn): backward inside fn accumulates gradients locally; the first synchronised backward
//   after it reduces the accumulated sum.
// Deviations from PyTorch:
// - noSync takes a function (PyTorch: a context manager, `with ddp.no_sync():`); an async function
//   is awaited before syncing resumes.
// - Wrapping and backward wait for the network on the calling thread, as PyTorch's do (they are
//   synchronous calls); the torch.distributed collectives themselves never block the event loop.
// - `dispose()` also releases the Reducer (PyTorch: garbage collection).
import * as torch from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { isGradEnabled } from '../../tensor/autograd.js';
import { collectTensors } from '../../tensor/handles.js';
import { ddpNative } from '../../tensor/distributed-native.js';
import { DistributedError, getRank, isInitialized } from '../../distributed/index.js';
import { Module, type AnyForward } from '../module.js';

export interface DistributedDataParallelOptions {
  /** Bucket size in MiB for the gradient all-reduce (default 25, as PyTorch). */
  bucketCapMb?: number;
  /** Broadcast rank 0's buffers before each forward (default true, as PyTorch). */
  broadcastBuffers?: boolean;
  /** Walk the graph from the forward's outputs to find parameters that get no gradient (default false). */
  findUnusedParameters?: boolean;
}

/** 32-bit FNV-1a of a string, from a seed: two of them fingerprint the parameters' shapes. */
function fnv(s: string, seed: number): bigint {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return BigInt(h);
}

/**
 * Every rank compares every rank's model signature (parameter and buffer counts, element counts,
 * a fingerprint of the shapes) before anything else is sent. c10d's own check
 * (verify_params_across_processes) is a broadcast from rank 0 that only the other ranks can fail,
 * which would leave rank 0 waiting in the next collective; this way all ranks fail together.
 */
function checkSameModel(params: [string, Tensor][], buffers: [string, Tensor][]): void {
  const shapes = (ts: [string, Tensor][]) => ts.map(([, t]) => `${t.dtype}[${t.shape.join(',')}]`).join(';');
  const numel = (ts: [string, Tensor][]) => ts.reduce((a, [, t]) => a + t.numel(), 0);
  const sig = [params.length, numel(params), buffers.length, numel(buffers)].map(BigInt);
  const ps = shapes(params);
  sig.push(fnv(ps, 2166136261), fnv(ps, 0x9747b28c), fnv(shapes(buffers), 2166136261));
  const all = torch.tidy(() => ddpNative.allGather(torch.tensor(sig, { dtype: 'int64' })).map((t) => Array.from(t.data() as BigInt64Array)));
  const mine = all[getRank()];
  const differ = all.map((row, r) => (row.some((v, i) => v !== mine[i]) ? r : -1)).filter((r) => r >= 0);
  if (!differ.length) return;
  const describe = (r: number) => `rank ${r}: ${all[r][0]} parameters (${all[r][1]} elements), ${all[r][2]} buffers (${all[r][3]} elements)`;
  throw new DistributedError(`DistributedDataParallel: the model is not the same on every rank (rank ${getRank()} sees ` +
    `${[getRank(), ...differ].map(describe).join('; ')}${all[differ[0]].slice(0, 4).every((v, i) => v === mine[i]) ? '; same counts, different shapes or dtypes' : ''})`);
}

/** Runs a Reducer call; its errors speak of Python's keyword, so name torchlab's option too. */
function reducerCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof Error && e.message.includes('find_unused_parameters')) {
      e.message = `${e.message}\n(torchlab: new nn.parallel.DistributedDataParallel(model, { findUnusedParameters: true }))`;
    }
    throw e;
  }
}

const BROADCAST_BUCKET_BYTES = 250 * 1024 * 1024; // PyTorch's broadcast_bucket_size

export class DistributedDataParallel<Fwd extends AnyForward = (input: Tensor) => Tensor> extends Module<Fwd> {
  /** The wrapped model; the state dict's keys start with 'module.' as in PyTorch. */
  module: Module<Fwd>;
  #id: number | undefined;
  #buffers: Tensor[];
  #broadcastBuffers: boolean;
  #findUnused: boolean;
  #requireBackwardGradSync = true;
  #requireForwardParamSync = true;
  /** How many buckets the Reducer made at wrap time (before its rebuild after the first iteration). */
  readonly initialBuckets: number;

  constructor(module: Module<Fwd>, options: DistributedDataParallelOptions = {}) {
    super();
    const what = 'DistributedDataParallel';
    if (!(module instanceof Module)) throw new TypeError(`${what}: expected an nn.Module`);
    if (typeof options !== 'object' || options === null) throw new TypeError(`${what}: options must be an object`);
    for (const k of Object.keys(options)) {
      if (!['bucketCapMb', 'broadcastBuffers', 'findUnusedParameters'].includes(k)) throw new TypeError(`${what}: unknown option '${k}'`);
    }
    const capMb = options.bucketCapMb ?? 25;
    if (typeof capMb !== 'number' || !(capMb > 0) || !Number.isFinite(capMb)) throw new RangeError(`${what}: bucketCapMb must be a positive number, got ${String(capMb)}`);
    if (!isInitialized()) throw new DistributedError(`${what}: the default process group is not initialized (await dist.initProcessGroup() first)`);
    this.module = module;
    this.#broadcastBuffers = options.broadcastBuffers ?? true;
    this.#findUnused = options.findUnusedParameters ?? false;

    // every parameter is checked and broadcast (frozen ones too, as PyTorch's _sync_module_states);
    // the Reducer averages the gradients of those that require grad
    const all = module.namedParameters();
    const named = all.filter(([, p]) => p.requiresGrad);
    const params = named.map(([, p]) => p);
    // (c10d's checks index params[0]: an empty list must not reach them)
    if (!params.length) throw new RangeError(`${what}: the module has no parameter that requires grad`);
    this.#buffers = module.buffers();
    checkSameModel(all, module.namedBuffers());
    try {
      ddpNative.verifyParams(params);
    } catch (e) {
      throw new DistributedError(`${what}: the model is not the same on every rank (rank ${getRank()}): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    // rank 0's parameters and buffers everywhere (_sync_module_states)
    ddpNative.broadcast([...all.map(([, p]) => p), ...this.#buffers], BROADCAST_BUCKET_BYTES, 0);
    const created = ddpNative.create(params, named.map(([n]) => n), Math.round(capMb * 1024 * 1024), this.#findUnused);
    this.#id = created.id;
    this.initialBuckets = created.buckets;
  }

  #reducer(): number {
    if (this.#id === undefined) throw new TypeError('DistributedDataParallel: used after dispose()');
    return this.#id;
  }

  forward(...inputs: Parameters<Fwd>): ReturnType<Fwd> {
    const id = this.#reducer();
    const sync = isGradEnabled() && this.#requireBackwardGradSync;
    if (sync) reducerCall(() => ddpNative.preForward(id));
    if (this.#requireForwardParamSync && this.#broadcastBuffers && this.#buffers.length) {
      ddpNative.broadcast(this.#buffers, BROADCAST_BUCKET_BYTES, 0);
    }
    const out = this.module.forward(...inputs);
    if (sync) {
      this.#requireForwardParamSync = true;
      reducerCall(() => ddpNative.prepareBackward(id, this.#findUnused ? [...collectTensors(out)] : []));
    } else {
      this.#requireForwardParamSync = false;
    }
    return out;
  }

  /**
   * Runs fn with gradient synchronisation off (DDP's no_sync): backward passes inside it only
   * accumulate local gradients. Returns fn's result (awaited first when it is a Promise).
   */
  noSync<T>(fn: () => T): T {
    const prev = this.#requireBackwardGradSync;
    this.#requireBackwardGradSync = false;
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.#requireBackwardGradSync = prev;
      throw e;
    }
    if (result instanceof Promise) {
      return result.finally(() => { this.#requireBackwardGradSync = prev; }) as T;
    }
    this.#requireBackwardGradSync = prev;
    return result;
  }

  override extraRepr(): string {
    return '';
  }

  /** Releases the Reducer and the wrapped module's tensors. */
  override dispose(): void {
    if (this.#id !== undefined) ddpNative.destroy(this.#id);
    this.#id = undefined;
    super.dispose();
  }
}
