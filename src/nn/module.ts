// nn.Module: submodules, parameters and buffers are found from the instance's own fields, in
// definition order (class fields or constructor assignments; no registration calls).
//
// Deviations from PyTorch, forced by JS:
// - A tensor field is a parameter when made with nn.Parameter(t) and a buffer when made with
//   nn.Buffer(t) (as in PyTorch >= 2.5); other tensor fields are plain attributes.
// - Field names are camelCase; their state-dict / printed names are the snake_case PyTorch uses
//   (runningMean -> running_mean), so keys match a PyTorch model of the same structure.
// - A module is not callable: use `model.forward(x)`.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { isTensor } from '../tensor/handles.js';

const parameters = new WeakSet<Tensor>();
const buffers = new WeakSet<Tensor>();

/**
 * Marks a tensor as a trainable parameter (requiresGrad on, freed only by dispose, never by tidy).
 * @example this.weight = nn.Parameter(torch.empty([out, in]));
 */
export function Parameter(t: Tensor, requiresGrad = true): Tensor {
  const p = torch.keep(t.isLeaf ? t : t.detach());
  p.requiresGrad_(requiresGrad);
  parameters.add(p);
  return p;
}
/** Marks a tensor as state that is saved in stateDict but not trained (BatchNorm's running stats). */
export function Buffer(t: Tensor): Tensor {
  torch.keep(t);
  buffers.add(t);
  return t;
}
export const isParameter = (x: unknown): x is Tensor => isTensor(x) && parameters.has(x);
export const isBuffer = (x: unknown): x is Tensor => isTensor(x) && buffers.has(x);

/** camelCase field name -> PyTorch's snake_case attribute name (runningMean -> running_mean). */
export const pythonName = (field: string): string => field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

type Entry = [name: string, value: unknown];

/** Any forward signature: what code that handles every kind of module (containers, stateDict) accepts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyForward = (...inputs: any[]) => unknown;
/** A module of any forward signature. */
export type AnyModule = Module<AnyForward>;

// Whether two same-shaped tensors have the same strides (Module.to({memoryFormat}) skips setData_ then).
const sameStrides = (a: Tensor, b: Tensor): boolean => {
  const sb = b.stride();
  return a.stride().every((s, i) => s === sb[i]);
};

/**
 * The base of every layer and model. `Fwd` is the forward's signature: Tensor -> Tensor unless a
 * module says otherwise (`class Lstm extends nn.Module<(x: Tensor) => [Tensor, Tensor]>`), so that
 * code holding any `nn.Module` gets a Tensor from `model.forward(x)` without a cast, as PyTorch
 * code gets one from `model(x)`.
 */
export abstract class Module<Fwd extends AnyForward = (input: Tensor) => Tensor> {
  /** True in training mode (train()), false after eval(). */
  training = true;

  /** The module's computation. */
  abstract forward(...inputs: Parameters<Fwd>): ReturnType<Fwd>;

  /** Own fields as (PyTorch name, value); containers override to list their items. */
  protected entries(): Entry[] {
    return Object.keys(this)
      .filter((k) => k !== 'training')
      .map((k) => [pythonName(k), (this as Record<string, unknown>)[k]]);
  }
  namedChildren(): [string, AnyModule][] {
    return this.entries().filter((e): e is [string, AnyModule] => e[1] instanceof Module);
  }
  children(): AnyModule[] {
    return this.namedChildren().map((e) => e[1]);
  }
  /**
   * Every module in the tree, pre-order, with dotted names ('' for this one). A module reachable
   * twice (shared weights) is listed once, as in PyTorch; stateDict keeps both names, as PyTorch does.
   */
  namedModules(prefix = ''): [string, AnyModule][] {
    return this.walk(prefix, new Set());
  }
  private walk(prefix: string, seen: Set<AnyModule> | null): [string, AnyModule][] {
    if (seen) {
      if (seen.has(this)) return [];
      seen.add(this);
    }
    const out: [string, AnyModule][] = [[prefix, this]];
    for (const [n, m] of this.namedChildren()) out.push(...m.walk(prefix ? `${prefix}.${n}` : n, seen));
    return out;
  }
  modules(): AnyModule[] {
    return this.namedModules().map((e) => e[1]);
  }
  /** Parameters or buffers, each tensor once even when shared (an optimizer must not step it twice). */
  private namedTensors(kind: (x: unknown) => x is Tensor, recurse: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of recurse ? this.namedModules() : [['', this] as [string, AnyModule]]) {
      for (const [n, v] of m.entries()) {
        if (kind(v) && !seen.has(v)) {
          seen.add(v);
          out.push([prefix ? `${prefix}.${n}` : n, v]);
        }
      }
    }
    return out;
  }
  /** Parameters with PyTorch's dotted names ('layer1.0.conv1.weight'). */
  namedParameters(o: { recurse?: boolean } = {}): [string, Tensor][] {
    return this.namedTensors(isParameter, o.recurse ?? true);
  }
  parameters(o: { recurse?: boolean } = {}): Tensor[] {
    return this.namedParameters(o).map((e) => e[1]);
  }
  namedBuffers(o: { recurse?: boolean } = {}): [string, Tensor][] {
    return this.namedTensors(isBuffer, o.recurse ?? true);
  }
  buffers(o: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(o).map((e) => e[1]);
  }

  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  /** Applies fn to every submodule (children first) and then to this module. */
  apply(fn: (m: AnyModule) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }
  /** Clears gradients: to null (PyTorch 2's default) or, with {setToNone: false}, to zeros. */
  zeroGrad(o: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (o.setToNone ?? true) p.grad = null;
      else torch.tidy(() => p.grad?.zero_());
    }
  }
  /**
   * Moves / casts parameters and buffers in place (the same Tensor objects, as in PyTorch, so
   * optimizers keep working): to(device), to(dtype), to(device, dtype). Only floating-point
   * tensors change dtype (num_batches_tracked stays int64).
   */
  to(a: string | { memoryFormat: torch.MemoryFormat }, b?: torch.DType): this {
    if (typeof a === 'object' && a !== null) return this.toMemoryFormat(a.memoryFormat);
    for (const t of [...this.parameters(), ...this.buffers()]) {
      torch.tidy(() => {
        const floating = torch.isFloatingPoint(t.dtype);
        let moved: Tensor;
        if (torch.isDType(a)) moved = floating ? t.to(a) : t;
        else moved = b && floating ? t.to(a, b) : t.to(a);
        if (moved === t) return;
        // As PyTorch's Module._apply: `param.data = ...` and the same for its grad.
        torch.noGrad(() => {
          const g = t.grad;
          t.setData_(moved);
          if (g) g.setData_(torch.isDType(a) ? g.to(a) : b ? g.to(a, b) : g.to(a));
        });
      });
    }
    return this;
  }
  /**
   * to({memoryFormat}) (PyTorch's model.to(memory_format=...)): every 4-D floating parameter and
   * buffer (conv weights) laid out in that format, in place, grads too; other tensors untouched.
   * Deviation from PyTorch: contiguous(memory_format)'s rule, not Tensor.to's. A weight with one
   * input channel ([out, 1, k, k]) has the same memory in both layouts; PyTorch's to() restrides it
   * (stride of the size-1 dim = 1), torchlab keeps its NCHW strides. Both are right, but the strides
   * steer oneDNN's kernel for the first conv of a 1-channel net (the lab's CNNs and ResNets): with
   * PyTorch's strides the lab's quick ResNet-18 runs changed in the last bits and their (unstable,
   * 3-epoch) test accuracies moved by up to 20 points; with these they are bit-equal to before
   * (the first conv's output stays NCHW, the next conv's NHWC weight switches the net over).
   */
  private toMemoryFormat(format: torch.MemoryFormat): this {
    if (format !== 'channels_last' && format !== 'contiguous_format') {
      throw new TypeError(`Module.to: memoryFormat must be 'channels_last' or 'contiguous_format', got ${String(format)}`);
    }
    for (const t of [...this.parameters(), ...this.buffers()]) {
      if (t.dim() !== 4 || !torch.isFloatingPoint(t.dtype)) continue;
      torch.tidy(() => torch.noGrad(() => {
        const moved = torch.toMemoryFormat(t, format);
        const g = t.grad;
        if (!sameStrides(moved, t)) t.setData_(moved);
        if (g && g.dim() === 4) {
          const mg = torch.toMemoryFormat(g, format);
          if (!sameStrides(mg, g)) g.setData_(mg);
        }
      }));
    }
    return this;
  }
  cpu(): this {
    return this.to('cpu');
  }
  cuda(device = 0): this {
    return this.to(`cuda:${device}`);
  }
  /** Frees every parameter and buffer (tfjs's dispose; PyTorch relies on refcounting). */
  dispose(): void {
    torch.dispose([...this.parameters(), ...this.buffers()]);
  }

  // ---- state -----------------------------------------------------------------------------------------
  /** Own parameters then own buffers of each module, pre-order: PyTorch's state_dict order. */
  private stateEntries(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.walk('', null)) {
      const own = m.entries();
      for (const kind of [isParameter, isBuffer]) {
        for (const [n, v] of own) if (kind(v)) out.push([prefix ? `${prefix}.${n}` : n, v]);
      }
    }
    return out;
  }
  /** {dotted name: tensor} with exactly PyTorch's keys (values are detached views of the live tensors). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.stateEntries().map(([k, t]) => [k, t.detach()]));
  }
  /**
   * Copies a state dict in. Every problem (missing key, unexpected key, shape mismatch) is listed in
   * one TorchError, as PyTorch does, and then nothing is changed.
   */
  loadStateDict(dict: Record<string, Tensor> | Map<string, Tensor>, o: { strict?: boolean } = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const strict = o.strict ?? true;
    const given = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = new Map(this.stateEntries());
    const missingKeys = [...own.keys()].filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !own.has(k));
    const errors: string[] = [];
    for (const [k, t] of own) {
      const src = given.get(k);
      if (src === undefined) continue;
      if (!isTensor(src)) {
        errors.push(`While copying the parameter named "${k}", expected a Tensor, got ${typeof src}.`);
      } else if (src.shape.join() !== t.shape.join()) {
        errors.push(`size mismatch for ${k}: copying a param with shape torch.Size([${src.shape.join(', ')}]) from checkpoint, ` +
          `the shape in current model is torch.Size([${t.shape.join(', ')}]).`);
      }
    }
    if (strict && unexpectedKeys.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
    if (strict && missingKeys.length) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
    if (errors.length) {
      throw Object.assign(new torch.TorchError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`),
        { missingKeys, unexpectedKeys });
    }
    torch.noGrad(() => {
      for (const [k, t] of own) {
        const src = given.get(k);
        if (src) t.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }
  /** Writes stateDict() to a safetensors file (loadable by PyTorch via safetensors.torch.load_file). */
  save(path: string): void {
    torch.tidy(() => torch.save(this.stateDict(), path));
  }
  /** Loads a safetensors state dict written by save() or by PyTorch (strict by default). */
  load(path: string, o: { strict?: boolean } = {}): this {
    torch.tidy(() => {
      this.loadStateDict(torch.load(path), o);
    });
    return this;
  }

  // ---- printing ----------------------------------------------------------------------------------
  /** The text inside the parentheses of this module's line (PyTorch's extra_repr). */
  extraRepr(): string {
    return '';
  }
  /** The same text as PyTorch's print(model). */
  toString(): string {
    const extra = this.extraRepr();
    const lines = extra ? extra.split('\n') : [];
    for (const [name, child] of this.namedChildren()) {
      const text = child.toString().split('\n').join('\n  ');
      lines.push(`(${name}): ${text}`);
    }
    const name = this.constructor.name;
    if (lines.length === 0) return `${name}()`;
    if (lines.length === 1 && this.namedChildren().length === 0) return `${name}(${lines[0]})`;
    return `${name}(\n  ${lines.join('\n  ')}\n)`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
  /** A notebook cell's last value in Deno's kernel shows PyTorch's repr (tslab uses the inspect hook above). */
  [Symbol.for('Jupyter.display')](): { 'text/plain': string } {
    return { 'text/plain': this.toString() };
  }
}
