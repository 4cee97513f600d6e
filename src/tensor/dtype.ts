// dtypes are strings ('float32', ...) where PyTorch has torch.float32 objects; `torch.float32` etc.
// are exported as those strings so code reads the same. Codes are c10::ScalarType values.
export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

const CODES: Record<DType, number> = {
  uint8: 0, int8: 1, int16: 2, int32: 3, int64: 4, float16: 5, float32: 6, float64: 7, bool: 11, bfloat16: 15,
};
const ALIASES: Record<string, DType> = {
  float: 'float32', double: 'float64', half: 'float16', long: 'int64', int: 'int32', short: 'int16',
};
const BY_CODE: DType[] = [];
for (const [name, code] of Object.entries(CODES)) BY_CODE[code] = name as DType;

export const ITEM_SIZE: Record<DType, number> = {
  uint8: 1, int8: 1, int16: 2, int32: 4, int64: 8, float16: 2, float32: 4, float64: 8, bool: 1, bfloat16: 2,
};

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (x in CODES || x in ALIASES);
}

/** Validates a dtype name (or alias such as 'float', 'long') and returns its canonical name. */
export function toDType(x: unknown, argName = 'dtype'): DType {
  if (typeof x === 'string') {
    const name = (x.startsWith('torch.') ? x.slice(6) : x);
    if (name in CODES) return name as DType;
    if (name in ALIASES) return ALIASES[name];
  }
  throw new TypeError(`${argName}: unknown dtype ${JSON.stringify(x)}; expected one of ${Object.keys(CODES).join(', ')}`);
}

/** The native code of a dtype, or -1 for "not given". */
export function dtypeCode(x: unknown, argName = 'dtype'): number {
  return x === undefined || x === null ? -1 : CODES[toDType(x, argName)];
}

export function dtypeFromCode(code: number): DType {
  const d = BY_CODE[code];
  if (!d) throw new TypeError(`unsupported dtype code ${code} (complex and quantized dtypes are not supported)`);
  return d;
}

export const isFloatingPoint = (d: DType): boolean =>
  d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';

export type TypedArray =
  | Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

/** The typed array a dtype's raw elements are read into (float16/bfloat16: raw bits in Uint16Array). */
export function typedArrayFor(d: DType, buf: ArrayBuffer): TypedArray {
  switch (d) {
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
    case 'int64': return new BigInt64Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'int8': return new Int8Array(buf);
    case 'uint8': case 'bool': return new Uint8Array(buf);
    case 'float16': case 'bfloat16': return new Uint16Array(buf);
  }
}

/** The dtype whose elements a typed array holds (Uint16Array is ambiguous: pass a dtype). */
export function dtypeOfTypedArray(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  return undefined;
}
