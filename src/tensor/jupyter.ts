// Rich output in Jupyter notebooks, from torchlab itself (no user glue). Two TypeScript kernels are
// recognized at run time, neither being a dependency of torchlab:
//   - tslab (npm `tslab`): its kernel module `tslab/dist/jupyter.js` holds the function that sends
//     display_data / update_display_data for the running cell. It is found in Node's module cache (the
//     kernel's own instance, wherever tslab is installed), so a mime bundle with several types (SVG
//     with a PNG fallback) goes out as one message; tslab's public `display.*` sends one type each.
//   - Deno's kernel (`deno jupyter`): `Deno.jupyter.display(bundle, { raw: true, display_id, update })`,
//     and `Symbol.for('Jupyter.display')` on objects for a cell's last value.
// Outside a notebook (a terminal, a script, CI) nothing here sends anything and callers print text.
// This lives in the tensor layer so that Tensor and Module can carry their display hook; richer
// displays (plots, images, progress bars) are built on it in src/data and src/train.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { Buffer } from 'node:buffer';

/** A Jupyter mime bundle: text types as strings, binary types (image/png) as bytes or base64. */
export type MimeBundle = Record<string, string | Uint8Array | object>;

/** Which notebook kernel runs this process, if any. */
export type NotebookKernel = 'tslab' | 'deno' | null;

/** Deno's kernel API, typed here because torchlab's types do not include Deno's. */
interface DenoJupyter {
  display(obj: unknown, o?: { raw?: boolean; update?: boolean; display_id?: string }): Promise<void>;
}
type TslabWrite = (content: { data: Record<string, unknown>; metadata: object; transient: { display_id?: string } }, update: boolean) => void;

const require = createRequire(import.meta.url);

function denoJupyter(): DenoJupyter | undefined {
  const deno = (globalThis as { Deno?: { jupyter?: DenoJupyter } }).Deno;
  return typeof deno?.jupyter?.display === 'function' ? deno.jupyter : undefined;
}

/** tslab's per-cell writer, from the kernel's module instance in Node's CJS cache (set during a cell). */
function tslabWriter(): TslabWrite | undefined {
  const cache = require.cache ?? {};
  for (const key of Object.keys(cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(key)) continue;
    const write = (cache[key]?.exports as { lastWriteDisplayData?: TslabWrite } | undefined)?.lastWriteDisplayData;
    if (typeof write === 'function') return write;
  }
  return undefined;
}

/**
 * The notebook kernel running this code: 'tslab', 'deno', or null (a terminal or a script).
 * `TORCHLAB_NOTEBOOK=0` turns notebook output off (plain text everywhere).
 */
export function notebookKernel(): NotebookKernel {
  if (process.env.TORCHLAB_NOTEBOOK === '0') return null;
  if (denoJupyter()) return 'deno';
  if (tslabWriter()) return 'tslab';
  return null;
}

/** A fresh display id, for a display that is later updated in place (progress bars). */
export function newDisplayId(): string {
  return randomBytes(8).toString('hex');
}

function base64Bundle(bundle: MimeBundle): Record<string, string | object> {
  const out: Record<string, string | object> = {};
  for (const [mime, v] of Object.entries(bundle)) out[mime] = v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
  return out;
}

/**
 * Shows `bundle` under the running cell (Jupyter's display_data), or replaces the display with id
 * `displayId` when `update` is true (update_display_data). Returns false, sending nothing, outside a
 * notebook. Deno sends asynchronously; its errors are reported on stderr rather than thrown.
 * @example if (!displayBundle({ 'text/html': '<b>hi</b>', 'text/plain': 'hi' })) console.log('hi');
 */
export function displayBundle(bundle: MimeBundle, o: { displayId?: string; update?: boolean } = {}): boolean {
  if (bundle === null || typeof bundle !== 'object' || Object.keys(bundle).length === 0) {
    throw new TypeError('displayBundle: expected a non-empty mime bundle such as { "text/plain": "..." }');
  }
  if (o.update && !o.displayId) throw new TypeError('displayBundle: update needs the displayId of the display to replace');
  if (process.env.TORCHLAB_NOTEBOOK === '0') return false;
  const data = base64Bundle(bundle);
  const deno = denoJupyter();
  if (deno) {
    deno.display(data, { raw: true, update: o.update ?? false, ...(o.displayId ? { display_id: o.displayId } : {}) })
      .catch((e: unknown) => process.stderr.write(`torchlab: notebook display failed: ${String(e)}\n`));
    return true;
  }
  const write = tslabWriter();
  if (write) {
    write({ data, metadata: {}, transient: o.displayId ? { display_id: o.displayId } : {} }, o.update ?? false);
    return true;
  }
  return false;
}

type Displayable = { [k: symbol]: unknown };

/**
 * Shows a value under the running cell, as IPython's display() (whose name this is): its
 * Symbol.for('Jupyter.display') bundle when it has one (tensors, modules, fit's results, runLab's
 * result), else its util.inspect text. Outside a notebook it prints the text with console.log.
 * tslab shows a cell's last value as text only, so display() is how rich values appear there.
 * @example display(await train.fit(model, loader, optimizer, { epochs: 3 }));
 */
export async function display(value: unknown): Promise<void> {
  const hook = value !== null && (typeof value === 'object' || typeof value === 'function')
    ? (value as Displayable)[Symbol.for('Jupyter.display')] : undefined;
  const bundle = typeof hook === 'function' ? (await (hook as () => MimeBundle | Promise<MimeBundle>).call(value)) : undefined;
  const { inspect } = await import('node:util');
  const text = typeof bundle?.['text/plain'] === 'string' ? bundle['text/plain'] : inspect(value);
  if (!displayBundle(bundle ?? { 'text/plain': text })) console.log(text);
}

/**
 * Gives `target` a Symbol.for('Jupyter.display') hook (not enumerable: JSON, deepEqual and
 * Object.keys still see plain data) that returns `bundle()`; returns `target`.
 */
export function withDisplay<T extends object>(target: T, bundle: () => MimeBundle): T {
  Object.defineProperty(target, Symbol.for('Jupyter.display'), { value: bundle, enumerable: false, configurable: true, writable: true });
  return target;
}
