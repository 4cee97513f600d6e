// Tensor.toString(), printed exactly like PyTorch's repr (torch/_tensor_str.py, default print
// options: precision 4, threshold 1000, edgeitems 3, linewidth 80).
import type { Tensor, NestedNumbers } from './tensor.js';

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE = 3;
const LINEWIDTH = 80;

type Nested = NestedNumbers;

/** Python's '{:.Ne}': the exponent has a sign and at least two digits. */
function sci(v: number, p = PRECISION): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  const [m, e] = v.toExponential(p).split('e');
  const sign = e[0] === '-' ? '-' : '+';
  const digits = e.replace(/^[+-]/, '');
  return `${m}e${sign}${digits.padStart(2, '0')}`;
}
function fixed(v: number, p: number): string {
  if (!Number.isFinite(v)) return nonFinite(v);
  const s = v.toFixed(p);
  return Object.is(v, -0) || (v < 0 && /^0(\.0*)?$/.test(s)) ? `-${s}` : s;
}
const nonFinite = (v: number): string => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');

class Formatter {
  intMode = true;
  sciMode = false;
  maxWidth = 1;
  constructor(readonly floating: boolean, values: (number | boolean)[]) {
    if (!floating) {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, this.plain(v).length);
      return;
    }
    const nz = (values as number[]).filter((v) => Number.isFinite(v) && v !== 0);
    if (nz.length === 0) return;
    const abs = nz.map(Math.abs);
    const mn = Math.min(...abs);
    const mx = Math.max(...abs);
    this.intMode = nz.every((v) => v === Math.ceil(v));
    if (this.intMode) {
      if (mx / mn > 1000 || mx > 1e8) {
        this.sciMode = true;
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, sci(v).length);
      } else {
        for (const v of nz) this.maxWidth = Math.max(this.maxWidth, fixed(v, 0).length + 1);
      }
    } else if (mx / mn > 1000 || mx > 1e8 || mn < 1e-4) {
      this.sciMode = true;
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, sci(v).length);
    } else {
      for (const v of nz) this.maxWidth = Math.max(this.maxWidth, fixed(v, PRECISION).length);
    }
  }
  private plain(v: number | boolean): string {
    return typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
  }
  format(v: number | boolean): string {
    let s: string;
    if (!this.floating) s = this.plain(v);
    else if (this.sciMode) s = sci(v as number);
    else if (this.intMode) s = fixed(v as number, 0) + (Number.isFinite(v) ? '.' : '');
    else s = fixed(v as number, PRECISION);
    return s.padStart(this.maxWidth, ' ');
  }
}

function summarized(x: Nested, summarize: boolean): Nested {
  if (!Array.isArray(x)) return x;
  const items = summarize && x.length > 2 * EDGE ? [...x.slice(0, EDGE), ...x.slice(-EDGE)] : x;
  return items.map((v) => summarized(v, summarize));
}
const leaves = (x: Nested): (number | boolean)[] => (Array.isArray(x) ? x.flatMap(leaves) : [x]);

function vectorStr(x: (number | boolean)[], indent: number, summarize: boolean, f: Formatter): string {
  const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (f.maxWidth + 2)));
  const data = summarize && x.length > 2 * EDGE
    ? [...x.slice(0, EDGE).map((v) => f.format(v)), ' ...', ...x.slice(-EDGE).map((v) => f.format(v))]
    : x.map((v) => f.format(v));
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
  return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
}

function tensorStr(x: Nested, dim: number, indent: number, summarize: boolean, f: Formatter): string {
  if (!Array.isArray(x)) return f.format(x);
  if (dim === 1) return vectorStr(x as (number | boolean)[], indent, summarize, f);
  const sub = (v: Nested): string => tensorStr(v, dim - 1, indent + 1, summarize, f);
  const slices = summarize && x.length > 2 * EDGE
    ? [...x.slice(0, EDGE).map(sub), '...', ...x.slice(-EDGE).map(sub)]
    : x.map(sub);
  return '[' + slices.join(',' + '\n'.repeat(dim - 1) + ' '.repeat(indent + 1)) + ']';
}

function addSuffixes(s: string, suffixes: string[], indent: number): string {
  const parts = [s];
  let lastLineLen = s.length - s.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > LINEWIDTH) {
      parts.push(',\n' + ' '.repeat(indent) + suffix);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(', ' + suffix);
      lastLineLen += suffix.length + 2;
    }
  }
  return parts.join('') + ')';
}

export function formatTensor(t: Tensor): string {
  if (t.isDisposed) return 'tensor(<disposed>)';
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  const dtype = t.dtype;
  const device = t.device;
  if (device !== 'cpu') suffixes.push(`device='${device}'`);
  const defaultDtype = dtype === 'float32' || dtype === 'int64' || dtype === 'bool';
  let body: string;
  if (t.numel() === 0) {
    if (t.dim() !== 1) suffixes.push(`size=(${t.shape.join(', ')}${t.dim() === 1 ? ',' : ''})`);
    if (dtype !== 'float32') suffixes.push(`dtype=torch.${dtype}`);
    body = '[]';
  } else {
    if (!defaultDtype) suffixes.push(`dtype=torch.${dtype}`);
    const summarize = t.numel() > THRESHOLD;
    const values = t.toArray();
    const floating = dtype.startsWith('float') || dtype === 'bfloat16';
    const f = new Formatter(floating, leaves(summarized(values, summarize)));
    body = tensorStr(values, t.dim(), indent, summarize, f);
  }
  const gradFn = t.gradFn;
  if (gradFn) suffixes.push(`grad_fn=<${gradFn}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent);
}
