// Memory scopes (tfjs's names, since PyTorch relies on refcounting that JS lacks):
// tidy(fn) frees every tensor created inside fn except what fn returns and what keep() marks.
import { native } from './native.js';
import { collectTensors, disposeTensor, endScope, keepTensor, startScope } from './handles.js';
import type { Tensor } from './tensor.js';

function assertSync(result: unknown, who: string): void {
  if (result && typeof (result as { then?: unknown }).then === 'function') {
    // The scope has already ended under the async body, which will likely fail later: keep that
    // rejection from becoming an unhandled one that kills the process; this error reports it.
    (result as Promise<unknown>).then(undefined, () => {});
    throw new TypeError(`${who}: the function returned a Promise; scopes cannot span an await (use a synchronous function)`);
  }
}

/**
 * Runs fn and frees every tensor it created, except those reachable from its result (which move
 * to the enclosing scope) and those passed to keep().
 * @example const loss = torch.tidy(() => F.crossEntropy(model(x), y));
 */
export function tidy<T>(fn: () => T): T;
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(a: string | (() => T), b?: () => T): T {
  const fn = typeof a === 'function' ? a : b;
  if (typeof fn !== 'function') throw new TypeError('tidy: expected a function');
  startScope();
  let result: T | undefined;
  try {
    result = fn();
    assertSync(result, 'tidy');
    return result;
  } finally {
    endScope(result);
  }
}

/** Lets a tensor outlive the tidy() scopes it was created in. */
export const keep = <T extends Tensor>(t: T): T => keepTensor(t);

/** Frees a tensor, or every tensor in an array / object (tfjs's dispose). */
export function dispose(x: unknown): void {
  for (const t of collectTensors(x)) disposeTensor(t);
}

export interface MemoryInfo {
  /** Live tensor handles. */
  numTensors: number;
  /** Bytes of the distinct storages behind them. */
  numBytes: number;
  /** The same, per device ('cpu', 'cuda:0', ...). */
  devices: Record<string, { numTensors: number; numBytes: number }>;
}
/** Live tensors and their bytes, per device (tfjs's memory()). */
export const memory = (): MemoryInfo => native.memory();

export { assertSync };
