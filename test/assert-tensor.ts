// Tensor assertions with explicit tolerances: |actual - expected| <= atol + rtol * |expected|.
import assert from 'node:assert/strict';
import type { Tensor } from '../src/index.js';

export function toNumbers(t: Tensor): number[] {
  const d = t.dtype === 'float16' || t.dtype === 'bfloat16' ? t.float().data() : t.data();
  return Array.from(d as ArrayLike<number | bigint>, Number);
}

export function assertClose(actual: Tensor, expected: Tensor, o: { rtol?: number; atol?: number; what?: string } = {}): void {
  const what = o.what ?? 'tensor';
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  const a = toNumbers(actual);
  const e = toNumbers(expected);
  const rtol = o.rtol ?? 1e-5;
  const atol = o.atol ?? 1e-6;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(e[i]) && Number.isNaN(a[i])) continue;
    const tol = atol + rtol * Math.abs(e[i]);
    if (!(Math.abs(a[i] - e[i]) <= tol)) {
      assert.fail(`${what}: element ${i} is ${a[i]}, expected ${e[i]} (tolerance ${tol.toExponential(2)})`);
    }
  }
}
