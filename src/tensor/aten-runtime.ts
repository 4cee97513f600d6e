// The dispatcher behind the generated ops (src/tensor/aten/*.generated.ts): resolves a JS call to
// one ATen overload the way PyTorch's Python binding does (the first overload, in schema order,
// whose positional and keyword arguments all fit their types), fills PyTorch's defaults, converts
// Tensors to handles and calls the generated binding (native.aten['name.overload']).
//
// Deviations from PyTorch, stated once here:
// - keyword arguments are one trailing options object, which may also name defaulted positionals
//   (`x.cumsum(0, { dtype: 'float64' })`, `torch.aten.sum(x, [1], { keepdim: true })`);
// - a JS number fits a Tensor parameter only when no overload takes it as a number
//   (Python tries `Tensor` first, so `torch.add(x, 2)` resolves to add.Tensor there and to
//   add.Scalar here: the same kernel and result);
// - Generator arguments accept only null (the default generator, seeded by torch.manualSeed).
// Every error names the op: a TypeError when no overload fits ("aten::topk: no overload matches
// (Tensor, string)"), a TorchError with libtorch's message otherwise.
import { native } from './native.js';
import type { AtenNative } from './native-api.generated.js';
import { handle, isTensor, wrap } from './handles.js';
import { dtypeCode, dtypeFromCode, isDType } from './dtype.js';
import { camel, defaultValue, parseSchema, type SchemaArg } from './aten-schema.js';
import { TorchError } from './errors.js';
import { describe } from './args.js';
import { GUARDS } from './aten-guards.js';
import type { Tensor } from './tensor.js';

export type Layout = 'strided' | 'sparse_coo';
export type MemoryFormat = 'contiguous_format' | 'preserve_format' | 'channels_last' | 'channels_last_3d';
const LAYOUTS: Record<string, number> = { strided: 0, sparse_coo: 1 };
const FORMATS: Record<string, number> = { contiguous_format: 0, preserve_format: 1, channels_last: 2, channels_last_3d: 3 };

/** The generated bindings, typed; an op missing from the libtorch we run on is undefined here. */
export const aten = (native as unknown as { aten: AtenNative }).aten;
type Binding = (...args: unknown[]) => unknown;
const bindings = aten as unknown as Record<string, Binding | undefined>;

interface Param {
  name: string;
  key: string; // camelCase, the options-object key
  kind: string;
  size: number; // int[2] -> 2: only a fixed-size list accepts one number for all (as in Python)
  hasDef: boolean;
  def: unknown;
  kw: boolean;
}
type RetConv = (v: unknown) => unknown;
interface Sig {
  key: string;
  text: string;
  params: Param[];
  pos: Param[];
  posIdx: number[]; // schema index of each positional
  byKey: Map<string, number>;
  inplace: boolean;
  selfFirst: boolean;
  ret: (out: unknown, args: unknown[]) => unknown;
}
export interface OpSpec {
  name: string;
  schemas: readonly string[];
  sigs?: Sig[];
  methodSigs?: Sig[];
  guard?: ((v: unknown[]) => void) | null;
}

/** A generated op's overloads (parsed on first call). */
export const spec = (name: string, schemas: readonly string[]): OpSpec => ({ name, schemas });

const kindOf = (a: SchemaArg): string => a.type;

function retConv(type: string): RetConv {
  if (type === 'Tensor') return (h) => wrap(h as number);
  if (type === 'Tensor[]') return (hs) => (hs as number[]).map(wrap);
  if (type === 'ScalarType') return (c) => dtypeFromCode(c as number);
  return (v) => v;
}

function compile(text: string): Sig {
  const s = parseSchema(text);
  const params: Param[] = s.args.map((a) => ({
    name: a.name, key: camel(a.name), kind: kindOf(a), size: a.size, hasDef: a.default !== undefined,
    def: a.default !== undefined ? defaultValue(a) : undefined, kw: a.kwOnly,
  }));
  const byKey = new Map(params.map((p, i) => [p.key, i] as [string, number]));
  const inplace = s.args[0]?.name === 'self' && s.args[0].mutable && s.rets.length === 1 && s.rets[0].mutable;
  let ret: Sig['ret'];
  if (inplace) ret = (_o, args) => args[0];
  else if (s.rets.length === 0) ret = () => undefined;
  else if (s.rets.length === 1) {
    const c = retConv(s.rets[0].type);
    ret = (o) => c(o);
  } else {
    const cs = s.rets.map((r) => retConv(r.type));
    const names = s.rets.every((r) => r.name) ? s.rets.map((r) => r.name) : null;
    ret = (o) => {
      const arr = (o as unknown[]).map((v, i) => cs[i](v));
      if (names) names.forEach((n, i) => Object.defineProperty(arr, n, { value: arr[i], enumerable: false }));
      return arr;
    };
  }
  return {
    key: s.overload ? `${s.name}.${s.overload}` : s.name, text, params, pos: params.filter((p) => !p.kw),
    posIdx: params.flatMap((p, i) => (p.kw ? [] : [i])), byKey, inplace,
    selfFirst: s.args[0]?.name === 'self', ret,
  };
}

const isInt = (v: unknown): boolean => Number.isSafeInteger(v);

function fits(kind: string, v: unknown, lenient: boolean, size = 1): boolean {
  if (kind.endsWith('?') && !kind.endsWith('[]?') && kind !== 'Tensor?[]') {
    return v === null || v === undefined || fits(kind.slice(0, -1), v, lenient, size);
  }
  switch (kind) {
    case 'Tensor': return isTensor(v) || (lenient && (typeof v === 'number' || typeof v === 'boolean'));
    case 'Tensor[]': return Array.isArray(v) && v.every((x) => isTensor(x));
    case 'Tensor?[]': return Array.isArray(v) && v.every((x) => x === null || isTensor(x));
    case 'Scalar': return typeof v === 'number' || typeof v === 'boolean';
    case 'int': case 'SymInt': return isInt(v);
    case 'int[]': case 'SymInt[]': return (size > 0 && isInt(v)) || (Array.isArray(v) && v.every(isInt));
    case 'int[]?': case 'SymInt[]?': return v === null || v === undefined || fits('int[]', v, lenient, size);
    case 'float': return typeof v === 'number';
    case 'float[]?': return v === null || v === undefined || (Array.isArray(v) && v.every((x) => typeof x === 'number'));
    case 'bool': return typeof v === 'boolean';
    case 'bool[]': return Array.isArray(v) && v.every((x) => typeof x === 'boolean');
    case 'str': return typeof v === 'string';
    case 'ScalarType': return isDType(v);
    case 'Layout': return typeof v === 'string' && v in LAYOUTS;
    case 'MemoryFormat': return typeof v === 'string' && v in FORMATS;
    case 'Device': return typeof v === 'string';
    case 'Generator': return false; // only null (see above)
    default: return false;
  }
}

function toNative(kind: string, v: unknown, what: string): unknown {
  if (v === undefined || v === null) return null;
  switch (kind) {
    case 'Tensor': case 'Tensor?': return isTensor(v) ? handle(v, what) : [v];
    case 'Tensor[]': return (v as unknown[]).map((t, i) => handle(t, `${what}[${i}]`));
    case 'Tensor?[]': return (v as unknown[]).map((t, i) => (t === null ? null : handle(t, `${what}[${i}]`)));
    case 'ScalarType': case 'ScalarType?': return dtypeCode(v);
    case 'Layout': case 'Layout?': return LAYOUTS[v as string];
    case 'MemoryFormat': case 'MemoryFormat?': return FORMATS[v as string];
    default: return v;
  }
}

const isOptions = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || isTensor(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
};

/** The call's values in schema order (undefined = not given), or null when the overload does not fit. */
function bind(sig: Sig, args: unknown[], lenient: boolean): unknown[] | null {
  let n = args.length;
  let opts: Record<string, unknown> | undefined;
  if (n > 0 && isOptions(args[n - 1])) opts = args[--n] as Record<string, unknown>;
  while (n > 0 && args[n - 1] === undefined) n--;
  if (n > sig.pos.length) return null;
  const vals: unknown[] = new Array(sig.params.length);
  for (let i = 0; i < n; i++) {
    const v = args[i];
    if (v !== undefined && !fits(sig.pos[i].kind, v, lenient, sig.pos[i].size)) return null;
    vals[sig.posIdx[i]] = v;
  }
  if (opts) {
    for (const k of Object.keys(opts)) {
      const idx = sig.byKey.get(k);
      if (idx === undefined || vals[idx] !== undefined) return null;
      const v = opts[k];
      if (v !== undefined && !fits(sig.params[idx].kind, v, lenient, sig.params[idx].size)) return null;
      vals[idx] = v;
    }
  }
  for (let i = 0; i < vals.length; i++) {
    if (vals[i] !== undefined) continue;
    const p = sig.params[i];
    if (p.hasDef) vals[i] = p.def;
    else if (!(p.kw && p.kind.endsWith('?'))) return null;
  }
  return vals;
}

const typeName = (v: unknown): string => (isTensor(v) ? 'Tensor' : typeof v === 'number' ? 'number' : describe(v));

function noMatch(spec: OpSpec, sigs: Sig[], args: unknown[]): TypeError {
  const got = args.map((a) => (isOptions(a) ? `{${Object.keys(a).join(', ')}}` : typeName(a))).join(', ');
  return new TypeError(`aten::${spec.name}: no overload matches (${got}); expected one of:\n` +
    sigs.map((s) => `  aten::${s.text}`).join('\n'));
}

/** Calls a generated op: `args` as the user passed them (self first for methods). */
export function callOp(spec: OpSpec, args: unknown[], method = false): unknown {
  const all = (spec.sigs ??= spec.schemas.map(compile));
  if (spec.guard === undefined) spec.guard = GUARDS.get(spec.name) ?? null;
  const sigs = method ? (spec.methodSigs ??= all.filter((s) => s.selfFirst)) : all;
  for (let pass = 0; pass < 2; pass++) {
    const lenient = pass === 1;
    for (let k = 0; k < sigs.length; k++) {
      const sig = sigs[k];
      const vals = bind(sig, args, lenient);
      if (!vals) continue;
      const fn = bindings[sig.key];
      if (!fn) {
        throw new TorchError(`aten::${sig.key} is not in the libtorch this addon was built against (${native.version()})`,
          'NotImplementedError');
      }
      try {
        if (spec.guard) spec.guard(vals);
        // converted in place: vals becomes the native argument list
        for (let i = 0; i < vals.length; i++) vals[i] = toNative(sig.params[i].kind, vals[i], sig.params[i].name);
      } catch (e) {
        if (e instanceof TypeError) throw new TypeError(`aten::${sig.key}: ${e.message}`);
        throw e;
      }
      return sig.ret(fn(...vals), args);
    }
  }
  throw noMatch(spec, sigs, args);
}

/** Adds generated methods to Tensor.prototype, never replacing a hand-written one. */
export function installMethods(proto: Tensor, list: readonly [string, OpSpec][]): void {
  for (const [name, s] of list) {
    if (name in proto) continue;
    Object.defineProperty(proto, name, {
      value: function (this: Tensor, ...args: unknown[]): unknown {
        return callOp(s, [this, ...args], true);
      },
      writable: true,
      configurable: true,
    });
  }
}
