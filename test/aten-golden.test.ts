// Golden tests of the generated ATen ops: every case in test/fixtures/aten_ops.safetensors (made by
// test/gen/gen_aten.py with PyTorch 1.13 from the ops' schemas) is replayed through the public
// generated API (torch.aten.*, with the same seed for random ops) and compared: outputs within
// the case's tolerance and, for differentiable cases, every floating input's gradient.
// Prints the coverage: ops bound / value-tested against PyTorch / with gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';
import * as specs from '../src/tensor/aten/specs.generated.js';
import { camel } from '../src/tensor/aten-schema.js';
import { toNumbers } from './assert-tensor.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/aten_ops.safetensors', import.meta.url));
// The fixture's case count when it was generated: a regenerated fixture that shrinks fails here.
const MIN_CASES = 779;

type Arg = unknown;
interface Case {
  name: string;
  op: string;
  schema: string;
  args: Arg[];
  nin: number;
  outs: unknown[];
  nout: number;
  grads: number[];
  inplace: boolean;
  seed: number;
  rtol: number;
  atol: number;
  shapeOnly: boolean;
}

const { tensors: FX, metadata } = torch.loadWithMetadata(FIXTURE);
const CASES = JSON.parse(metadata.cases) as Case[];
const UNTESTED = JSON.parse(metadata.untested) as Record<string, string>;
const BOUND = Object.keys(specs).length;
const RESERVED = new Set(['var', 'new', 'delete', 'in', 'default', 'function', 'class', 'this', 'eval', 'arguments']);
const aten = torch.aten as unknown as Record<string, (...a: unknown[]) => unknown>;

function close(actual: Tensor, expected: Tensor, c: Case, what: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  if (c.shapeOnly) return;
  const a = toNumbers(actual);
  const e = toNumbers(expected);
  for (let i = 0; i < a.length; i++) {
    if (Object.is(a[i], e[i]) || (Number.isNaN(a[i]) && Number.isNaN(e[i])) || a[i] === e[i]) continue;
    const tol = c.atol + c.rtol * Math.abs(e[i]);
    if (!(Math.abs(a[i] - e[i]) <= tol)) assert.fail(`${what}: element ${i} is ${a[i]}, expected ${e[i]} (tol ${tol})`);
  }
}

function runCase(c: Case): void {
  const fx = (k: string): Tensor => {
    const t = FX[`${c.name}.${k}`];
    if (!t) throw new Error(`${c.name}: fixture lacks ${k}`);
    return t;
  };
  const leaves = Array.from({ length: c.nin }, (_, i) => {
    const t = fx(`in.${i}`).clone();
    // as the generator did: every floating input requires grad, except for ops with undetermined results
    return !c.shapeOnly && torch.isFloatingPoint(t.dtype) ? t.requiresGrad_(true) : t;
  });
  const work = leaves.map((t, i) => (c.inplace && i === 0 ? t.clone() : t));
  const pos: unknown[] = [];
  const opts: Record<string, unknown> = {};
  const value = (a: Arg): unknown => {
    if (a === null || typeof a !== 'object' || Array.isArray(a)) return a;
    const o = a as Record<string, unknown>;
    if ('t' in o) return work[o.t as number];
    if ('tl' in o) return (o.tl as number[]).map((i) => work[i]);
    if ('dtype' in o) return o.dtype;
    throw new Error(`unknown arg ${JSON.stringify(a)}`);
  };
  for (const a of c.args) {
    if (a !== null && typeof a === 'object' && 'kw' in (a as object)) {
      const o = a as { kw: string; v: Arg };
      opts[camel(o.kw)] = value(o.v);
    } else pos.push(value(a));
  }
  if (Object.keys(opts).length) pos.push(opts);
  const fnName = RESERVED.has(camel(c.op)) ? `${camel(c.op)}$` : camel(c.op);
  const fn = aten[fnName];
  assert.equal(typeof fn, 'function', `torch.aten.${fnName}`);
  torch.manualSeed(c.seed);
  const out = fn(...pos);
  const outs = c.outs.length === 1 ? [out] : (out as unknown[]);
  assert.equal(outs.length, c.outs.length, 'number of results');
  let k = 0;
  c.outs.forEach((kind, i) => {
    const o = outs[i];
    if (kind === 'T') close(o as Tensor, fx(`out.${k++}`), c, `out ${i}`);
    else if (Array.isArray(kind)) {
      assert.equal((o as Tensor[]).length, kind.length, `out ${i}: list length`);
      for (const t of o as Tensor[]) close(t, fx(`out.${k++}`), c, `out ${i}`);
    } else if (kind === null) assert.equal(o, undefined);
    else if ('dtype' in (kind as object)) assert.equal(o, (kind as { dtype: string }).dtype);
    else {
      const v = (kind as { v: number | boolean }).v;
      if (typeof v === 'number' && !Number.isInteger(v)) assert.ok(Math.abs((o as number) - v) <= c.atol + c.rtol * Math.abs(v), `${o} vs ${v}`);
      else assert.equal(o, v);
    }
  });
  if (c.grads.length) {
    const first = (Array.isArray(outs[0]) ? (outs[0] as Tensor[])[0] : outs[0]) as Tensor;
    first.backward(fx('gout'));
    for (const i of c.grads) {
      assert.ok(leaves[i].grad, `input ${i} has no grad`);
      close(leaves[i].grad!, fx(`grad.${i}`), c, `grad of input ${i}`);
    }
  }
}

test('aten golden fixture: case count and coverage', () => {
  assert.ok(CASES.length >= MIN_CASES, `only ${CASES.length} cases (fixture shrank below ${MIN_CASES})`);
  assert.equal(CASES.length + Object.keys(UNTESTED).length, BOUND, 'every bound op is either tested or listed as untested');
  const withGrad = CASES.filter((c) => c.grads.length).length;
  const pct = (n: number): string => `${((100 * n) / BOUND).toFixed(1)}%`;
  console.log(`aten coverage: ${BOUND} ops bound; ${CASES.length} (${pct(CASES.length)}) value-tested against PyTorch; ` +
    `${withGrad} with gradients (every case whose output is differentiable)`);
  assert.ok(CASES.length >= 0.8 * BOUND, `value-tested ${pct(CASES.length)} < 80%`);
});

const failures: string[] = [];
test('aten golden cases', () => {
  for (const c of CASES) {
    try {
      torch.tidy(() => runCase(c));
    } catch (e) {
      failures.push(`${c.name} [${c.schema}]: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${CASES.length} cases failed:\n${failures.join('\n')}`);
});
