// torch.distributed's default process group on libtorch's c10d (native/distributed.cc): a store
// for the rendezvous (TCPStore for env:// and tcp://, FileStore for file://) and a Gloo process
// group (NCCL with a CUDA libtorch).
//
// Deviations from PyTorch (each for Node's event loop, which must never wait on the network):
// - `initProcessGroup` is async: `await dist.initProcessGroup(...)`. The rendezvous runs on a
//   worker thread.
// - `timeout` is in milliseconds (PyTorch: a timedelta) and defaults to 5 minutes (PyTorch: 30),
//   so that an unreachable master or a missing rank is an error in minutes, not half an hour.
//   TORCHLAB_DIST_TIMEOUT_MS sets another default.
import { distNative, type NativeInitSpec } from '../tensor/distributed-native.js';

export type Backend = 'gloo' | 'nccl';
export const DEFAULT_TIMEOUT_MS = 5 * 60 * 1000;

export interface InitProcessGroupOptions {
  /** 'gloo' (CPU; the default) or 'nccl' (CUDA tensors; needs a libtorch with CUDA and NCCL). */
  backend?: Backend;
  /** 'env://' (the default: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE), 'tcp://host:port' or 'file:///path'. */
  initMethod?: string;
  /** This process's rank; defaults to RANK from the environment. */
  rank?: number;
  /** The number of processes; defaults to WORLD_SIZE from the environment. */
  worldSize?: number;
  /** Milliseconds the rendezvous and every collective may wait for the other ranks. */
  timeout?: number;
}

/** A failure of the rendezvous or of a collective, with the rank it happened on. */
export class DistributedError extends Error {
  override name = 'DistributedError';
}

let state: { rank: number; worldSize: number; backend: Backend; timeoutMs: number; master: string } | undefined;

function envInt(name: string, given: number | undefined, what: string): number {
  if (given !== undefined) return given;
  const v = process.env[name];
  if (v === undefined || v === '') {
    throw new DistributedError(`initProcessGroup: ${what} is not given and ${name} is not set ` +
      '(pass it, or start the script with `torchlab run --nproc-per-node N script.ts`)');
  }
  const n = Number(v);
  if (!Number.isInteger(n)) throw new DistributedError(`initProcessGroup: ${name}=${v} is not an integer`);
  return n;
}

function checkInt(v: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`initProcessGroup: ${what} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/** Where to meet: the store kind and address an init method names. */
export function parseInitMethod(initMethod: string): Pick<NativeInitSpec, 'store' | 'host' | 'port' | 'path'> {
  if (initMethod === 'env://') {
    const host = process.env.MASTER_ADDR;
    const port = process.env.MASTER_PORT;
    if (!host || !port) {
      throw new DistributedError(`initProcessGroup: env:// needs MASTER_ADDR and MASTER_PORT (${!host ? 'MASTER_ADDR' : 'MASTER_PORT'} is not set); ` +
        'start the script with `torchlab run`, or pass initMethod: "tcp://host:port"');
    }
    return { store: 'tcp', host, port: checkInt(Number(port), `MASTER_PORT (${port})`, 0, 65535), path: '' };
  }
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(initMethod);
  if (tcp) return { store: 'tcp', host: tcp[1].replace(/^\[|\]$/g, ''), port: checkInt(Number(tcp[2]), 'the port of initMethod', 0, 65535), path: '' };
  const file = /^file:\/\/(\/.+)$/.exec(initMethod);
  if (file) return { store: 'file', host: '', port: 0, path: file[1] };
  throw new RangeError(`initProcessGroup: initMethod must be 'env://', 'tcp://host:port' or 'file:///path', got '${initMethod}'`);
}

/** c10d's rendezvous failures, said in terms of what to do about them. */
function rendezvousError(msg: string, spec: NativeInitSpec): DistributedError {
  const where = spec.store === 'file' ? `the file store ${spec.path}` : `${spec.host}:${spec.port}`;
  const secs = Math.round(spec.timeoutMs / 1000);
  let text: string;
  if (/address already in use|EADDRINUSE|failed to listen/i.test(msg)) {
    text = `rank 0 cannot listen on ${where}: the port is in use (choose another MASTER_PORT / --master-port)`;
  } else if (/trying to connect|connect.*timed out|Connection refused|ECONNREFUSED|No route|unreachable/i.test(msg)) {
    text = `rank ${spec.rank} could not reach the master at ${where} within ${secs} s (is rank 0 running, and are the address and port right?)`;
  } else if (/time(d)? ?out|Timeout/i.test(msg)) {
    text = `rank ${spec.rank}: not every one of the ${spec.worldSize} ranks joined at ${where} within ${secs} s`;
  } else {
    text = `rank ${spec.rank}: rendezvous at ${where} failed`;
  }
  return new DistributedError(`initProcessGroup: ${text}\n  c10d: ${msg.split('\n')[0]}`);
}

/**
 * Joins the default process group (torch.distributed.init_process_group). Resolves once every
 * rank has joined; rejects with a DistributedError when the master is unreachable, its port is in
 * use, or the others do not come within `timeout`.
 */
export async function initProcessGroup(options: InitProcessGroupOptions = {}): Promise<void> {
  if (typeof options !== 'object' || options === null) throw new TypeError('initProcessGroup: expected an options object');
  const known = new Set(['backend', 'initMethod', 'rank', 'worldSize', 'timeout']);
  for (const k of Object.keys(options)) if (!known.has(k)) throw new TypeError(`initProcessGroup: unknown option '${k}'`);
  if (state || distNative.isInitialized()) throw new DistributedError('initProcessGroup: the default process group is already initialized (destroyProcessGroup() first)');
  const backend = options.backend ?? 'gloo';
  if (backend !== 'gloo' && backend !== 'nccl') throw new RangeError(`initProcessGroup: backend must be 'gloo' or 'nccl', got '${String(backend)}'`);
  const worldSize = checkInt(envInt('WORLD_SIZE', options.worldSize, 'worldSize'), 'worldSize', 1);
  const rank = checkInt(envInt('RANK', options.rank, 'rank'), 'rank', 0, worldSize - 1);
  const envTimeout = process.env.TORCHLAB_DIST_TIMEOUT_MS ? Number(process.env.TORCHLAB_DIST_TIMEOUT_MS) : undefined;
  const timeoutMs = checkInt(options.timeout ?? envTimeout ?? DEFAULT_TIMEOUT_MS, 'timeout (ms)', 1);
  const where = parseInitMethod(options.initMethod ?? 'env://');
  const spec: NativeInitSpec = { backend, ...where, rank, worldSize, timeoutMs };
  try {
    await distNative.init(spec);
  } catch (e) {
    throw rendezvousError(e instanceof Error ? e.message : String(e), spec);
  }
  state = { rank, worldSize, backend, timeoutMs, master: where.store === 'file' ? where.path : `${where.host}:${where.port}` };
}

/** Whether the default process group exists (torch.distributed.is_initialized). */
export const isInitialized = (): boolean => state !== undefined;
/** torch.distributed.is_available: c10d with Gloo is always built into the addon. */
export const isAvailable = (): boolean => true;

function group(what: string): NonNullable<typeof state> {
  if (!state) throw new DistributedError(`${what}: the default process group is not initialized (await initProcessGroup() first)`);
  return state;
}
export const getRank = (): number => group('getRank').rank;
export const getWorldSize = (): number => group('getWorldSize').worldSize;
export const getBackend = (): Backend => group('getBackend').backend;
/** @internal the group's settings, for the collectives' checks and messages */
export const groupState = (what: string): NonNullable<typeof state> => group(what);

/** Leaves the default process group (torch.distributed.destroy_process_group); a no-op when there is none. */
export function destroyProcessGroup(): void {
  distNative.destroy();
  state = undefined;
}
