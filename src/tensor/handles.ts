// The bridge between JS Tensor objects and the addon's handle table, and the memory scopes.
//
// Memory is deterministic: every tensor is freed by dispose() or at the end of the tidy() scope it
// was created in. V8's GC alone is not enough (measured: 6 GB after 100 training steps, since V8
// does not see libtorch's memory), so a FinalizationRegistry is only a safety net for tensors made
// outside any scope and then dropped. Handles never leave this module and Tensor's private field.
import { native } from './native.js';
import type { Tensor } from './tensor.js';

/** Access to Tensor's private handle, installed by tensor.ts (its static block). */
export interface HandleAccess {
  create(h: number): Tensor;
  get(t: Tensor): number;
  clear(t: Tensor): void;
  isTensor(x: unknown): x is Tensor;
  isKept(t: Tensor): boolean;
  setKept(t: Tensor): void;
}
let access: HandleAccess;
export function installHandleAccess(a: HandleAccess): void {
  access = a;
}

const registry = new FinalizationRegistry<number>((h) => {
  native.dispose(h); // stale handles (already disposed) are ignored by the generation check
});

const scopes: Tensor[][] = [];

/** Wraps a fresh handle from the addon into a Tensor owned by the innermost scope. */
export function wrap(h: number): Tensor {
  const t = access.create(h);
  // Inside a scope the scope frees it; the GC net is only for tensors that leave every scope
  // (registering every op's result cost ~0.2 µs per op and its callbacks never ran in a tight loop).
  if (scopes.length) scopes[scopes.length - 1].push(t);
  else registry.register(t, h);
  return t;
}

export function wrapList(hs: number[]): Tensor[] {
  return hs.map(wrap);
}

/** The handle of a Tensor argument; a TypeError naming the argument otherwise. */
export function handle(t: unknown, name: string): number {
  if (!access.isTensor(t)) {
    const what = t === null ? 'null' : Array.isArray(t) ? 'an array' : typeof t === 'object' ? 'an object' : `${typeof t} ${String(t)}`;
    throw new TypeError(`${name}: expected a Tensor, got ${what}`);
  }
  const h = access.get(t);
  if (h < 0) throw new TypeError(`${name}: the tensor has been disposed (by dispose() or at the end of its tidy() scope)`);
  return h;
}

export function optHandle(t: unknown, name: string): number | null {
  return t === undefined || t === null ? null : handle(t, name);
}

export function handles(ts: unknown, name: string): number[] {
  if (!Array.isArray(ts)) throw new TypeError(`${name}: expected an array of Tensors`);
  return ts.map((t, i) => handle(t, `${name}[${i}]`));
}

export const isTensor = (x: unknown): x is Tensor => access.isTensor(x);

/** Frees a tensor now; later use throws. Disposing twice is a no-op (as in tfjs). */
export function disposeTensor(t: Tensor): void {
  const h = access.get(t);
  if (h >= 0) {
    native.dispose(h);
    access.clear(t);
  }
}

/** Every Tensor reachable from a value (arrays, plain objects, Maps), as tfjs's tidy looks for. */
export function collectTensors(x: unknown, out = new Set<Tensor>(), seen = new Set<unknown>()): Set<Tensor> {
  if (x === null || typeof x !== 'object' || seen.has(x)) return out;
  seen.add(x);
  if (access.isTensor(x)) out.add(x);
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, out, seen);
  else if (x instanceof Map) for (const v of x.values()) collectTensors(v, out, seen);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collectTensors(v, out, seen);
  return out;
}

export function startScope(): void {
  scopes.push([]);
}

/** Ends the innermost scope: frees its tensors except `result`'s (moved to the parent) and kept ones. */
export function endScope(result: unknown): void {
  const scope = scopes.pop();
  if (!scope) throw new Error('endScope without startScope');
  const survivors = collectTensors(result);
  const parent = scopes.length ? scopes[scopes.length - 1] : undefined;
  const dead: number[] = [];
  for (const t of scope) {
    if (survivors.has(t)) {
      if (parent) parent.push(t);
      else if (!access.isKept(t)) registry.register(t, access.get(t)); // escapes every scope
      continue;
    }
    if (access.isKept(t)) continue;
    const h = access.get(t);
    if (h >= 0) {
      dead.push(h);
      access.clear(t);
    }
  }
  if (dead.length) native.disposeMany(dead);
}

/** Marks a tensor to survive every enclosing tidy() (tfjs's keep). */
export function keepTensor<T extends Tensor>(t: T): T {
  const h = handle(t, 'keep');
  if (!access.isKept(t)) {
    access.setKept(t);
    registry.register(t, h); // outlives its scopes: the GC net covers it if it is dropped
  }
  return t;
}

export const scopeDepth = (): number => scopes.length;
/** Whether keep() marked the tensor (owners such as DataLoader then leave it alone). */
export const isKept = (t: Tensor): boolean => access.isKept(t);
