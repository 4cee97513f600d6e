// A parser for ATen's function schemas (`add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1)
// -> Tensor`), shared by the op generator (scripts/gen-ops) and the runtime dispatcher
// (aten-runtime.ts): the generated TS carries each overload's schema text, and the dispatcher
// parses it on first call, so the generator and the runtime can never disagree about an argument.

/** An argument type reduced to what the bindings distinguish. */
export type ArgKind =
  | 'Tensor' | 'Tensor?' | 'Tensor[]' | 'Tensor?[]'
  | 'Scalar' | 'Scalar?'
  | 'int' | 'int?' | 'int[]' | 'int[]?'
  | 'SymInt' | 'SymInt?' | 'SymInt[]' | 'SymInt[]?'
  | 'float' | 'float?' | 'float[]?'
  | 'bool' | 'bool?' | 'bool[]'
  | 'str' | 'str?'
  | 'ScalarType' | 'ScalarType?' | 'Layout' | 'Layout?' | 'Device' | 'Device?' | 'MemoryFormat' | 'MemoryFormat?'
  | 'Generator?';

export interface SchemaArg {
  name: string;
  /** the schema's type without alias annotations and fixed sizes, e.g. `int[]` for `int[2]` */
  type: string;
  /** fixed list size (`int[2]` -> 2), 0 when none */
  size: number;
  /** the argument is written through (`Tensor(a!)`) */
  mutable: boolean;
  kwOnly: boolean;
  /** the default as the schema writes it, undefined when none */
  default?: string;
}

export interface SchemaRet {
  name: string;
  type: string;
  /** the return aliases an argument (`Tensor(a!)` / `Tensor(a)`) */
  alias: string;
  mutable: boolean;
}

export interface Schema {
  /** `add` (no `aten::`) */
  name: string;
  /** `Tensor`, or '' for the default overload */
  overload: string;
  args: SchemaArg[];
  rets: SchemaRet[];
  text: string;
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = '', quote = '';
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `Tensor(a!)[]?` -> {type: 'Tensor[]?', alias: 'a!'}; `int[2]` -> {type: 'int[]', size: 2}. */
function parseType(raw: string): { type: string; size: number; alias: string } {
  let alias = '';
  const t = raw.replace(/\(([^)]*)\)/, (_m, a: string) => {
    alias = a;
    return '';
  });
  let size = 0;
  const type = t.replace(/\[(\d+)\]/, (_m, n: string) => {
    size = Number(n);
    return '[]';
  });
  return { type, size, alias };
}

function parseArg(s: string, kwOnly: boolean): SchemaArg {
  const eq = s.indexOf('=');
  const decl = eq >= 0 ? s.slice(0, eq) : s;
  const sp = decl.lastIndexOf(' ');
  const { type, size, alias } = parseType(decl.slice(0, sp).trim());
  const arg: SchemaArg = { name: decl.slice(sp + 1).trim(), type, size, mutable: alias.includes('!'), kwOnly };
  if (eq >= 0) arg.default = s.slice(eq + 1).trim();
  return arg;
}

export function parseSchema(text: string): Schema {
  const s = text.replace(/^aten::/, '');
  const open = s.indexOf('(');
  const arrow = s.lastIndexOf(') -> ');
  if (open < 0 || arrow < 0) throw new Error(`unparsable schema: ${text}`);
  const [name, overload = ''] = s.slice(0, open).split('.');
  const args: SchemaArg[] = [];
  let kw = false;
  for (const a of splitTop(s.slice(open + 1, arrow))) {
    if (a === '*') kw = true;
    else args.push(parseArg(a, kw));
  }
  let r = s.slice(arrow + 5).trim();
  if (r.startsWith('(')) r = r.slice(1, -1);
  const rets: SchemaRet[] = splitTop(r).map((x) => {
    const sp = x.lastIndexOf(' ');
    const hasName = sp > 0 && !x.slice(sp + 1).includes(')') && !x.endsWith(']');
    const { type, alias } = parseType(hasName ? x.slice(0, sp) : x);
    return { name: hasName ? x.slice(sp + 1) : '', type, alias, mutable: alias.includes('!') };
  });
  return { name, overload, args, rets, text: s };
}

/** snake_case -> camelCase, keeping a trailing `_` (in-place) and digits: max_pool2d -> maxPool2d. */
export function camel(name: string): string {
  const trail = name.endsWith('_') ? '_' : '';
  const core = trail ? name.slice(0, -1) : name;
  return core.replace(/_+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase()) + trail;
}

/** The argument kinds the bindings support; anything else leaves its overload out. */
export const SUPPORTED_KINDS: ReadonlySet<string> = new Set<ArgKind>([
  'Tensor', 'Tensor?', 'Tensor[]', 'Tensor?[]', 'Scalar', 'Scalar?', 'int', 'int?', 'int[]', 'int[]?',
  'SymInt', 'SymInt?', 'SymInt[]', 'SymInt[]?', 'float', 'float?', 'float[]?', 'bool', 'bool?', 'bool[]',
  'str', 'str?', 'ScalarType', 'ScalarType?', 'Layout', 'Layout?', 'Device', 'Device?', 'MemoryFormat',
  'MemoryFormat?', 'Generator?',
]);

/** A schema default as a JS value (what the dispatcher passes when the caller leaves it out). */
export function defaultValue(arg: SchemaArg): unknown {
  const d = arg.default;
  if (d === undefined) return undefined;
  if (d === 'None') return null;
  if (d === 'True') return true;
  if (d === 'False') return false;
  if (d === 'Mean') return 1; // at::Reduction::Mean
  if (d === 'Sum') return 2;
  if (d === 'inf') return Infinity;
  if (d === '-inf') return -Infinity;
  if (d === 'contiguous_format' || d === 'preserve_format' || d === 'channels_last') return d;
  if (d === 'long') return 'int64';
  if (d === 'strided') return 'strided';
  if (d.startsWith('"') || d.startsWith("'")) return d.slice(1, -1);
  if (d.startsWith('[')) {
    const inner = d.slice(1, -1).trim();
    return inner ? inner.split(',').map((x) => Number(x.trim())) : [];
  }
  const n = Number(d);
  if (!Number.isNaN(n)) return n;
  throw new Error(`unknown schema default '${d}' for ${arg.name}`);
}
