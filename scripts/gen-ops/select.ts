// Which ATen overloads get bindings, and why the others do not. Shared by the generator (gen.ts)
// and its regeneration test, so the coverage file and the bindings come from one decision.
import { readFileSync, existsSync } from 'node:fs';
import { parseSchema, SUPPORTED_KINDS, type Schema, type SchemaArg } from '../../src/tensor/aten-schema.js';

export const DEFAULT_HEADER = '/usr/include/ATen/RegistrationDeclarations.h';
export const YAML = '/usr/lib/python3/dist-packages/torchgen/packaged/ATen/native/native_functions.yaml';

/** The schema strings of RegistrationDeclarations.h, in header order (each line's JSON comment). */
export function readSchemas(header: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync(header, 'utf8').split('\n')) {
    const at = line.indexOf('// {"schema"');
    if (at >= 0) out.push((JSON.parse(line.slice(at + 3)) as { schema: string }).schema);
  }
  return out;
}

/**
 * function/method variants per op name, from torchgen's native_functions.yaml ("function" when the
 * yaml says nothing, as torchgen does). Only the first overload's entry decides for a name, except
 * that a method on any overload makes the name a method.
 */
export function readVariants(yamlPath: string): Record<string, string> {
  const out: Record<string, Set<string>> = {};
  let cur = '';
  const flush = (name: string, v: string): void => {
    (out[name] ??= new Set()).add(v);
  };
  let seen = false;
  for (const line of readFileSync(yamlPath, 'utf8').split('\n')) {
    const m = /^- func: ([\w]+)/.exec(line);
    if (m) {
      if (cur && !seen) flush(cur, 'function');
      cur = m[1];
      seen = false;
      continue;
    }
    const v = /^ {2}variants: (.*)$/.exec(line);
    if (v && cur) {
      for (const x of v[1].split(',')) flush(cur, x.trim());
      seen = true;
    }
  }
  if (cur && !seen) flush(cur, 'function');
  const res: Record<string, string> = {};
  for (const k of Object.keys(out).sort()) {
    const s = out[k];
    res[k] = (s.has('function') ? 'f' : '') + (s.has('method') ? 'm' : '');
  }
  return res;
}

export const VARIANTS_JSON = new URL('./variants.json', import.meta.url);

/** The yaml when python3-torch is installed, else the list derived from it and committed. */
export function loadVariants(): Record<string, string> {
  if (existsSync(YAML)) return readVariants(YAML);
  return JSON.parse(readFileSync(VARIANTS_JSON, 'utf8')) as Record<string, string>;
}

export function kindOf(a: SchemaArg): string {
  return a.type === 'Tensor[]' && a.size ? 'Tensor[]' : a.type;
}

// Op families that need a build or tensor type torchlab has no way to make (so a call could
// only ever fail), and autograd's internal kernels.
const FAMILY_REASONS: [RegExp, string][] = [
  [/^(cudnn|miopen)_/, 'GPU-vendor kernel (cuDNN/MIOpen): reached through the generic op (conv2d, batch_norm, ...)'],
  [/^fbgemm_/, 'FBGEMM quantized-linear kernel: needs quantized weights torchlab cannot make'],
  [/^mkldnn_|^to_mkldnn/, 'MKL-DNN layout kernel: needs mkldnn tensors torchlab cannot make'],
  [/(^q_|quantize|qparams|^int_repr$|^qscheme$|quantized)/, 'quantized tensors: torchlab has no quantized dtypes'],
  [/_backward$|_backward_/, 'autograd backward kernel: reached through Tensor.backward(), not called directly'],
  [/^(is_vulkan_available$|vulkan_|sparse_|to_sparse|coalesce$|indices$|values$|crow_indices$|col_indices$|row_indices$|ccol_indices$)/, 'sparse / Vulkan tensors: torchlab makes dense tensors only'],
];

export interface Selection {
  /** bound overloads, header order, grouped by op name (insertion order) */
  ops: Map<string, Schema[]>;
  /** op name -> reason, for every public name with no bound overload */
  leftOut: Map<string, string>;
  /** overloads left out of otherwise bound ops, with reasons */
  overloadsLeftOut: [string, string][];
  privateCount: number;
  totalPublic: number;
  totalOverloads: number;
}

function overloadReason(s: Schema): string | null {
  if (s.args.some((a) => a.mutable && a.kwOnly)) return 'out= variant (writes into a given tensor)';
  if (s.args.some((a, i) => a.mutable && !(i === 0 && a.name === 'self'))) return 'mutates an argument other than self';
  for (const a of s.args) {
    const k = kindOf(a);
    if (!SUPPORTED_KINDS.has(k)) return `argument type ${a.type}${a.size ? `[${a.size}]` : ''} (${a.name}) not supported`;
  }
  for (const r of s.rets) {
    if (!['Tensor', 'Tensor[]', 'float', 'int', 'bool', 'Scalar', 'ScalarType', 'SymInt', 'int[]'].includes(r.type)) {
      return `return type ${r.type} not supported`;
    }
  }
  return null;
}

export function select(schemas: string[]): Selection {
  const ops = new Map<string, Schema[]>();
  const reasons = new Map<string, string[]>();
  const overloadsLeftOut: [string, string][] = [];
  const names = new Set<string>();
  let priv = 0;
  for (const text of schemas) {
    const s = parseSchema(text);
    if (s.name.startsWith('_')) {
      if (!names.has(s.name)) priv++;
      names.add(s.name);
      continue;
    }
    names.add(s.name);
    const fam = FAMILY_REASONS.find(([re]) => re.test(s.name));
    const why = fam ? fam[1] : overloadReason(s);
    if (why) {
      (reasons.get(s.name) ?? reasons.set(s.name, []).get(s.name)!).push(why);
      continue;
    }
    (ops.get(s.name) ?? ops.set(s.name, []).get(s.name)!).push(s);
  }
  const leftOut = new Map<string, string>();
  for (const [name, rs] of reasons) {
    if (ops.has(name)) {
      for (const r of rs) overloadsLeftOut.push([name, r]);
      continue;
    }
    const distinct = [...new Set(rs.filter((r) => !r.startsWith('out=')))];
    leftOut.set(name, distinct.length ? distinct.join('; ') : 'only out= variants');
  }
  return { ops, leftOut, overloadsLeftOut, privateCount: priv, totalPublic: names.size - priv, totalOverloads: schemas.length };
}
