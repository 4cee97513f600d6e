// Shared by bad-input.test.ts and bad-input-2.test.ts: the assertion helpers for malformed calls.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from '../src/index.js';
import { F, Tensor, TorchError } from '../src/index.js';

/** Live handles when the test file started (this module is imported first). */
const baseline = torch.memory().numTensors;
// Untyped aliases for the deliberately ill-typed calls.
export const T: any = torch; // eslint-disable-line @typescript-eslint/no-explicit-any
export const FF: any = F; // eslint-disable-line @typescript-eslint/no-explicit-any

type Kind = 'RuntimeError' | 'IndexError' | 'ValueError' | 'TypeError' | 'NotImplementedError';
export type Expected = 'TypeError' | 'RangeError' | `torch:${Kind}`;
export const TYPE = 'TypeError', RANGE = 'RangeError';
export const RT = 'torch:RuntimeError', IDX = 'torch:IndexError', VAL = 'torch:ValueError', TTYPE = 'torch:TypeError', NI = 'torch:NotImplementedError';

/** The error class (TorchError with `kind`, or exactly a TypeError / RangeError) and the message. */
export function checkError(err: unknown, expected: Expected, re: RegExp): void {
  assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
  const got = err instanceof TorchError ? `TorchError(${err.kind})` : err.constructor.name;
  if (expected.startsWith('torch:')) {
    assert.ok(err instanceof TorchError, `expected TorchError, got ${got}: ${err.message}`);
    assert.equal(err.name, 'TorchError');
    assert.equal(err.kind, expected.slice(6), `wrong kind: ${err.message}`);
  } else {
    const cls = expected === TYPE ? TypeError : RangeError;
    assert.ok(err instanceof cls && !(err instanceof TorchError), `expected ${expected}, got ${got}: ${err.message}`);
  }
  assert.match(err.message, re);
}

/** One test: `fn` (run inside tidy) must throw `expected` with a message matching `re`. */
export function bad(name: string, fn: () => unknown, expected: Expected, re: RegExp, o: { todo?: string; skip?: string | false } = {}): void {
  test(name, o, () => {
    let err: unknown = undefined;
    let threw = false;
    try {
      torch.tidy(() => {
        fn();
      });
    } catch (e) {
      threw = true;
      err = e;
    }
    assert.ok(threw, 'returned without throwing');
    checkError(err, expected, re);
  });
}

/** A tensor that has been disposed. */
export const gone = (): Tensor => {
  const t = torch.ones([2]);
  t.dispose();
  return t;
};
export const noCuda = torch.cuda.isAvailable() ? 'CUDA is available here' : false;

export const dir = mkdtempSync(join(tmpdir(), 'torchlab-bad-input-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** Writes a temp file (removed after the tests) and returns its path. */
export function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
/** safetensors bytes: u64-LE header length, JSON header, data. */
export function st(header: unknown, data = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));
/** Runs `body` (ESM, `torch` in scope) in a child process: for calls that may crash or block. */
export function child(body: string): { status: number | null; signal: string | null; out: string } {
  const code = `import * as torch from ${JSON.stringify(ENTRY)};\n${body}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', timeout: 60_000,
  });
  return { status: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}` };
}

/** The last test of a file: the process survived, ops work, and no handle leaked. */
export function healthTest(): void {
  test('health: ops still work and no handles leaked', () => {
    assert.equal(torch.isGradEnabled(), true);
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = torch.tidy(() => x.mul(x).sum());
    y.backward();
    const g = x.grad!;
    assert.deepEqual(g.toArray(), [2, 4, 6]);
    assert.equal(torch.tidy(() => torch.matmul(torch.ones([2, 3]), torch.ones([3, 4])).sum().item()), 24);
    // x, y and g are the only tensors this file holds now.
    assert.ok(torch.memory().numTensors <= baseline + 3, `numTensors ${torch.memory().numTensors}, baseline ${baseline}`);
    torch.dispose([x, y, g]);
    assert.ok(torch.memory().numTensors <= baseline, `numTensors ${torch.memory().numTensors}, baseline ${baseline}`);
  });
}
