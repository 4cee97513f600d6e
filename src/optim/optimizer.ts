// optim.Optimizer: parameter groups, per-parameter state, zeroGrad, step, stateDict / loadStateDict.
//
// Deviations from PyTorch (each forced by JS or by torchlab's memory model):
// - Options are one object in camelCase (`{lr, weightDecay}`), per group as in PyTorch; an unknown
//   key is a TypeError. Scheduler keys a group gains later are camelCase too (`initialLr`, `maxLr`).
// - State keys are camelCase (`momentumBuffer`, `expAvg`, `expAvgSq`, `maxExpAvgSq`, `squareAvg`,
//   `gradAvg`) and `step` is a JS number (PyTorch 1.13's Adam keeps a float32 tensor; its value is
//   the same; loadStateDict accepts either).
// - State tensors are torch.keep'd (they outlive every tidy); `dispose()` frees them.
// - `stateDict()` returns detached views of the live state (new handles, same memory, owned by the
//   current scope, like Module.stateDict); `loadStateDict()` copies, as PyTorch's deepcopy does.
// - `zeroGrad()` sets grads to null by default (PyTorch 2's default; 1.13 zeroed them).
// - `foreach` (PyTorch's option) defaults to null = on where the optimizer has a multi-tensor path
//   (PyTorch 1.13 on CPU defaults to the single-tensor path). Both paths give the same values, bit
//   for bit (libtorch's CPU foreach ops loop over the same kernels); the multi-tensor one makes a
//   few Node-API calls per step instead of several per parameter. Options the multi-tensor path
//   does not cover (see each optimizer) fall back to the single-tensor path.
// - No `fused` / `capturable` / `differentiable` options.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { isTensor } from '../tensor/handles.js';
import { checkBool, checkOptions, describe } from '../tensor/args.js';

/** A value in a parameter's optimizer state. */
export type StateValue = Tensor | number | null;
/** One parameter's optimizer state (momentum buffers, moving averages, step count). */
export type ParamState = Record<string, StateValue>;
/** The options every optimizer has. */
export interface BaseOptions {
  lr: number;
}
/** A parameter group: its tensors, its options, and whatever schedulers store (initialLr, ...). */
export type ParamGroup<O extends BaseOptions = BaseOptions> = O & { params: Tensor[]; [extra: string]: unknown };
/** What the constructor takes per group: params plus any options (the rest come from the defaults). */
export type ParamGroupInput<O> = Partial<O> & { params: Tensor | Iterable<Tensor> };
/** `params` of an optimizer: tensors, or groups of tensors with their own options. */
export type Params<O> = Tensor | Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** PyTorch's optimizer state_dict: state by parameter index, groups with parameter indices. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: Array<Record<string, unknown> & { params: number[] }>;
}

const copyValue = <T>(v: T): T => (Array.isArray(v) ? (v.map(copyValue) as T) : v);

/** Throws a RangeError worded like PyTorch's ValueError ("Invalid learning rate: -1"). */
export function checkRange(ok: boolean, what: string, value: unknown): void {
  if (!ok) throw new RangeError(`Invalid ${what}: ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`);
}

/**
 * Base class of the optimizers: holds the parameter groups and per-parameter state, and runs the
 * subclass's single-tensor `update` for every parameter that has a gradient, inside noGrad and a
 * tidy per parameter (temporaries are freed as PyTorch's refcounting would free them).
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * torch.tidy(() => { opt.zeroGrad(); lossFn(model.forward(x), y).backward(); opt.step(); });
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** The constructor's options: the value of every option a group does not set. */
  readonly defaults: O;
  /** The groups, each with its own options (schedulers change `lr` here). */
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created lazily at a parameter's first step. */
  state = new Map<Tensor, ParamState>();
  readonly #optionKeys: readonly string[];

  constructor(params: Params<O>, defaults: O) {
    this.defaults = defaults;
    this.#optionKeys = Object.keys(defaults);
    if (isTensor(params)) params = [params];
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`params: expected an iterable of Tensors or of parameter groups, got ${describe(params)}`);
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new RangeError('optimizer got an empty parameter list');
    const groups = isTensor(list[0]) ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>] : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** The single-tensor update of one parameter (called with noGrad on, inside a tidy). */
  protected abstract update(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<O>): void;
  /**
   * The multi-tensor update of a group's parameters that have gradients (noGrad on, inside a tidy);
   * returns false, having changed nothing, when the group's options need the single-tensor path.
   */
  protected updateForeach?(params: Tensor[], grads: Tensor[], states: ParamState[], group: ParamGroup<O>): boolean;

  /** Adds a group (e.g. layers unfrozen for fine-tuning); options it lacks come from the defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    const where = `paramGroups[${this.paramGroups.length}]`;
    if (isTensor(group) || group === null || typeof group !== 'object' || Array.isArray(group)) {
      throw new TypeError(`${where}: expected a parameter group {params, ...options}, got ${describe(group)}`);
    }
    checkOptions(group, where, ['params', ...this.#optionKeys]);
    const raw = group.params;
    if (raw === undefined) throw new TypeError(`${where}: a parameter group needs 'params'`);
    const params = isTensor(raw) ? [raw] : [...(raw as Iterable<Tensor>)];
    params.forEach((p, i) => {
      if (!isTensor(p)) throw new TypeError(`${where}.params[${i}]: optimizer can only optimize Tensors, got ${describe(p)}`);
      if (p.isDisposed) throw new TypeError(`${where}.params[${i}]: the tensor has been disposed`);
      if (!p.isLeaf) throw new RangeError(`${where}.params[${i}]: can't optimize a non-leaf Tensor`);
    });
    if (new Set(params).size !== params.length) {
      throw new RangeError(`${where}: a parameter appears more than once in the group`); // PyTorch only warns
    }
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => taken.has(p))) throw new RangeError('some parameters appear in more than one parameter group');
    const full: Record<string, unknown> = { params };
    for (const k of this.#optionKeys) {
      const d = (this.defaults as Record<string, unknown>)[k];
      const v = (group as Record<string, unknown>)[k];
      if (v !== undefined && d !== undefined && d !== null && typeof v !== typeof d) {
        throw new TypeError(`${where}.${k}: expected ${Array.isArray(d) ? 'an array' : `a ${typeof d}`}, got ${describe(v)}`);
      }
      full[k] = copyValue(v === undefined ? d : v);
    }
    this.paramGroups.push(full as ParamGroup<O>);
  }

  /** Clears the gradients of every parameter: to null (default) or, with {setToNone: false}, to zeros. */
  zeroGrad(o?: { setToNone?: boolean }): void {
    const setToNone = checkBool(checkOptions(o, 'zeroGrad', ['setToNone']).setToNone, 'setToNone', true);
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) {
          p.grad = null;
          continue;
        }
        torch.tidy(() => torch.noGrad(() => {
          let g = p.grad;
          if (g === null) return;
          if (g.gradFn !== null) p.grad = g = g.detach(); // PyTorch's p.grad.detach_()
          g.zero_();
        }));
      }
    }
  }

  /**
   * One optimization step for every parameter with a gradient. `closure` (re-evaluates the model
   * and returns the loss, run with grad enabled) is optional; its result is returned.
   */
  step<T = undefined>(closure?: () => T): T | undefined {
    if (closure !== undefined && typeof closure !== 'function') throw new TypeError(`closure: expected a function, got ${describe(closure)}`);
    const loss = closure ? torch.enableGrad(closure) : undefined;
    torch.noGrad(() => {
      for (const group of this.paramGroups) {
        if (group.foreach !== false && this.updateForeach && this.#stepForeach(group)) continue;
        for (const p of group.params) {
          torch.tidy(() => {
            const grad = p.grad;
            if (grad === null) return;
            let state = this.state.get(p);
            if (!state) this.state.set(p, (state = {}));
            this.update(p, grad, state, group);
          });
        }
      }
    });
    return loss;
  }

  #stepForeach(group: ParamGroup<O>): boolean {
    return torch.tidy(() => {
      const params: Tensor[] = [];
      const grads: Tensor[] = [];
      const states: ParamState[] = [];
      for (const p of group.params) {
        const grad = p.grad;
        if (grad === null) continue;
        let state = this.state.get(p);
        if (!state) this.state.set(p, (state = {}));
        params.push(p);
        grads.push(grad);
        states.push(state);
      }
      return params.length === 0 || this.updateForeach!(params, grads, states, group);
    });
  }

  /** {state: {index: {...}}, paramGroups: [{...options, params: [indices]}]}, PyTorch's structure. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') packed[k] = copyValue(v);
      for (const p of g.params) if (!index.has(p)) index.set(p, index.size);
      return Object.assign(packed, { params: g.params.map((p) => index.get(p)!) });
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, isTensor(v) ? v.detach() : v]));
    }
    return { state, paramGroups };
  }

  /**
   * Loads a stateDict() (of this or another optimizer of the same kind over parameters in the same
   * order): the state is copied (floating tensors cast to the parameter's dtype, all moved to its
   * device) and every group takes the saved options (lr, momentum, scheduler keys, ...).
   */
  loadStateDict(dict: OptimizerStateDict): void {
    if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.paramGroups) || dict.state === null || typeof dict.state !== 'object') {
      throw new TypeError(`loadStateDict: expected {state, paramGroups}, got ${describe(dict)}`);
    }
    const saved = dict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError('loaded state dict has a different number of parameter groups');
    }
    saved.forEach((g, i) => {
      if (!Array.isArray(g?.params) || g.params.length !== this.paramGroups[i].params.length) {
        throw new RangeError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
    });
    const idMap = new Map<number, Tensor>();
    saved.forEach((g, i) => g.params.forEach((id, j) => idMap.set(id, this.paramGroups[i].params[j])));
    const fresh = new Map<Tensor, ParamState>();
    try {
      for (const [key, s] of Object.entries(dict.state)) {
        const p = idMap.get(Number(key));
        if (p === undefined) continue; // PyTorch keeps such entries keyed by index; nothing uses them
        const st: ParamState = {};
        fresh.set(p, st);
        for (const [k, v] of Object.entries(s)) st[k] = castState(p, k, v);
      }
    } catch (e) {
      for (const s of fresh.values()) torch.dispose(Object.values(s));
      throw e;
    }
    this.dispose();
    this.state = fresh;
    this.paramGroups = saved.map((g, i) => {
      const group: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') group[k] = copyValue(v);
      group.params = this.paramGroups[i].params;
      return group as ParamGroup<O>;
    });
  }

  /** Frees the optimizer's state tensors (tfjs's dispose; PyTorch relies on refcounting). */
  dispose(): void {
    for (const s of this.state.values()) torch.dispose(Object.values(s));
    this.state.clear();
  }

  /** PyTorch's repr: the class name and every group's options. */
  toString(): string {
    let out = `${this.constructor.name} (`;
    this.paramGroups.forEach((g, i) => {
      out += `\nParameter Group ${i}\n`;
      for (const k of Object.keys(g).sort()) {
        const v = g[k];
        if (k !== 'params') out += `    ${k}: ${Array.isArray(v) ? `(${v.join(', ')})` : String(v)}\n`;
      }
    });
    return `${out})`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A deep copy of one saved state value, cast like PyTorch's load_state_dict (step is never cast). */
function castState(p: Tensor, key: string, v: unknown): StateValue {
  if (v === null || typeof v === 'number') return v;
  if (!isTensor(v)) throw new TypeError(`loadStateDict: state value '${key}' must be a Tensor, a number or null, got ${describe(v)}`);
  if (key === 'step') return Number(v.item()); // PyTorch 1.13's Adam saves a float32 tensor
  return torch.tidy(() => {
    const t = torch.isFloatingPoint(p.dtype) ? v.to(p.dtype) : v;
    return torch.keep(t.to(p.device).clone()); // to() may alias: clone always copies
  });
}
