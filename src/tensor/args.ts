// Argument checks done in JS before anything reaches libtorch, so a wrong argument is a TypeError
// or RangeError that names the argument (libtorch's own checks then cover tensor semantics).

export type Shape = readonly number[];
export type Scalar = number | boolean;

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return `${typeof x} ${String(x)}`;
}

export function checkInt(x: unknown, name: string): number {
  if (typeof x !== 'number') throw new TypeError(`${name}: expected an integer, got ${describe(x)}`);
  if (!Number.isInteger(x)) throw new RangeError(`${name}: expected an integer, got ${x}`);
  if (!Number.isSafeInteger(x)) throw new RangeError(`${name}: ${x} is beyond the integers a JS number holds exactly (2^53)`);
  return x;
}

/**
 * An options object (PyTorch's keyword arguments): undefined gives {}, anything but a plain object
 * is a TypeError, and so is an unknown key (a misspelt `requires_grad` must not pass silently).
 */
export function checkOptions<T extends object>(o: T | undefined | null, name: string, keys: readonly string[]): Partial<T> {
  if (o === undefined) return {};
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw new TypeError(`${name}: expected an options object {${keys.join(', ')}}, got ${describe(o)}`);
  }
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) throw new TypeError(`${name}: unknown option '${k}'; valid options: ${keys.join(', ')}`);
  }
  return o;
}

export function checkNonNegInt(x: unknown, name: string): number {
  const n = checkInt(x, name);
  if (n < 0) throw new RangeError(`${name}: must be non-negative, got ${n}`);
  return n;
}

export function checkNumber(x: unknown, name: string): number {
  if (typeof x !== 'number') throw new TypeError(`${name}: expected a number, got ${describe(x)}`);
  return x;
}

export function checkScalar(x: unknown, name: string): Scalar {
  if (typeof x !== 'number' && typeof x !== 'boolean') {
    throw new TypeError(`${name}: expected a number or boolean, got ${describe(x)}`);
  }
  return x;
}

export function checkBool(x: unknown, name: string, fallback = false): boolean {
  if (x === undefined || x === null) return fallback;
  if (typeof x !== 'boolean') throw new TypeError(`${name}: expected a boolean, got ${describe(x)}`);
  return x;
}

/** A shape: integers >= 0 (or -1 where `allowInfer`, for view/reshape/expand). */
export function checkShape(shape: unknown, name = 'size', allowInfer = false): number[] {
  const arr = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(arr)) throw new TypeError(`${name}: expected an array of integers, got ${describe(shape)}`);
  for (const d of arr) {
    if (typeof d !== 'number') throw new TypeError(`${name}: expected an array of integers, got an element ${describe(d)}`);
    if (!Number.isInteger(d)) throw new RangeError(`${name}: dimensions must be integers, got ${d} in [${arr.join(', ')}]`);
    if (!Number.isSafeInteger(d)) throw new RangeError(`${name}: dimension ${d} is beyond 2^53 in [${arr.join(', ')}]`);
    if (d < 0 && !(allowInfer && d === -1)) {
      throw new RangeError(`${name}: negative dimension ${d} in [${arr.join(', ')}]`);
    }
  }
  return arr as number[];
}

/** A list of dims (ints, may be negative). */
export function checkDims(dims: unknown, name = 'dim'): number[] {
  const arr = typeof dims === 'number' ? [dims] : dims;
  if (!Array.isArray(arr)) throw new TypeError(`${name}: expected an integer or an array of integers, got ${describe(dims)}`);
  for (const d of arr) checkInt(d, name);
  return arr as number[];
}

/** Accepts PyTorch's two spellings: f(2, 3) and f([2, 3]). */
export function shapeFromArgs(args: readonly unknown[], name = 'size', allowInfer = false): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return checkShape(args[0], name, allowInfer);
  return checkShape(args, name, allowInfer);
}

export const REDUCTIONS = { none: 0, mean: 1, sum: 2 } as const;
export type Reduction = keyof typeof REDUCTIONS;
export function reductionCode(r: unknown): number {
  if (r === undefined) return 1;
  if (typeof r !== 'string' || !(r in REDUCTIONS)) {
    throw new TypeError(`reduction: expected 'none', 'mean' or 'sum', got ${describe(r)}`);
  }
  return REDUCTIONS[r as Reduction];
}

/** Expands an int or a list to `n` ints (kernel sizes, strides, paddings). */
export function pair(x: unknown, name: string, n = 2): number[] {
  if (typeof x === 'number') return Array(n).fill(checkInt(x, name));
  const arr = checkDims(x, name);
  if (arr.length !== n && arr.length !== 1) throw new RangeError(`${name}: expected ${n} values, got [${arr.join(', ')}]`);
  return arr.length === 1 ? Array(n).fill(arr[0]) : arr;
}
