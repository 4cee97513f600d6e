// The generated ops are typed: test/types/aten-calls.ts is compiled with `tsc --strict` (the
// TypeScript API, so the test needs no shell): its valid calls must type-check and each call marked
// `@ts-expect-error` must be a compile error. Then the valid calls run and give PyTorch's shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as torch from '../src/index.js';
import { run } from './types/aten-calls.js';

const FILE = fileURLToPath(new URL('./types/aten-calls.ts', import.meta.url));

test('generated ops type-check under --strict; wrong argument types are compile errors', () => {
  const expected = readFileSync(FILE, 'utf8').match(/@ts-expect-error/g)?.length ?? 0;
  assert.ok(expected >= 9, 'the sample keeps its wrong-type calls');
  const program = ts.createProgram([FILE], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, types: ['node'],
  });
  const diags = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : '?';
    return `${d.file?.fileName.split('/').pop()}:${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  // an unused @ts-expect-error (a wrong call that compiled) is itself a diagnostic
  assert.deepEqual(diags, []);
});

test('the typed sample calls run with PyTorch results', () => {
  const out = torch.tidy(() => run());
  assert.deepEqual(out.cummax, [3, 4]);
  assert.equal(out.cumprod, 'float64');
  assert.deepEqual(out.embedding, [3, 3]);
  assert.deepEqual(out.einsum, [3, 3]);
  assert.deepEqual(out.cdist, [3, 3]);
  assert.equal(out.bucketize, 'int64');
  assert.equal(out.lstmCell, 2);
  assert.deepEqual(out.gruCell, [2, 4]);
  assert.deepEqual(out.unique, [2, 3]);
  assert.deepEqual(out.kthvalue, [3]);
  assert.deepEqual(out.triuIndices, [2, 6]);
  assert.equal(out.isNonzero, true);
  assert.equal(out.resultType, 'float32');
  assert.deepEqual(out.maxPool1d, [1, 3, 2]);
  assert.deepEqual(out.layerNorm, [3, 4]);
});
