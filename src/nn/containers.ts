// Sequential, ModuleList, ModuleDict: children named '0', '1', ... (or by key), as in PyTorch.
import type { Tensor } from '../tensor/index.js';
import { describe } from '../tensor/args.js';
import { Module } from './module.js';

abstract class ListModule extends Module {
  protected readonly items: Module[] = [];
  constructor(modules: Module[]) {
    super();
    if (!Array.isArray(modules)) throw new TypeError(`${this.constructor.name}: expected an array of Modules, got ${describe(modules)}`);
    modules.forEach((m) => this.append(m));
  }
  protected entries(): [string, unknown][] {
    return this.items.map((m, i) => [String(i), m]);
  }
  get length(): number {
    return this.items.length;
  }
  /** The i-th module (negative i counts from the end), as PyTorch's seq[i]. */
  at(i: number): Module {
    const m = this.items[i < 0 ? i + this.items.length : i];
    if (!m) throw new RangeError(`index ${i} is out of range`);
    return m;
  }
  append(m: Module): this {
    if (!(m instanceof Module)) throw new TypeError(`${this.constructor.name}.append: expected a Module, got ${describe(m)}`);
    this.items.push(m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }
}

/**
 * Runs its modules one after the other.
 * @example const net = new nn.Sequential(new nn.Conv2d(1, 16, 3), new nn.ReLU());
 */
export class Sequential extends ListModule {
  constructor(...modules: Module[]) {
    super(modules);
  }
  forward(x: Tensor): Tensor {
    for (const m of this.items) x = m.forward(x);
    return x;
  }
}

/** A list of modules whose parameters are registered (no forward of its own). */
export class ModuleList extends ListModule {
  constructor(modules: Module[] = []) {
    super(modules);
  }
  forward(): never {
    throw new Error('ModuleList has no forward(): iterate over it');
  }
}

/** A string-keyed map of modules whose parameters are registered. */
export class ModuleDict extends Module {
  private readonly map = new Map<string, Module>();
  constructor(modules: Record<string, Module> = {}) {
    super();
    if (modules === null || typeof modules !== 'object' || Array.isArray(modules)) {
      throw new TypeError(`ModuleDict: expected an object of named Modules, got ${describe(modules)}`);
    }
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }
  protected entries(): [string, unknown][] {
    return [...this.map.entries()];
  }
  get(key: string): Module | undefined {
    return this.map.get(key);
  }
  set(key: string, m: Module): this {
    if (!(m instanceof Module)) throw new TypeError(`ModuleDict.set: expected a Module for '${key}', got ${describe(m)}`);
    this.map.set(key, m);
    return this;
  }
  keys(): string[] {
    return [...this.map.keys()];
  }
  forward(): never {
    throw new Error('ModuleDict has no forward(): look modules up by key');
  }
}
