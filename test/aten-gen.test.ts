// The generated op layer is what the generator makes from the installed libtorch's schemas:
// regenerating (scripts/gen-ops/gen.ts) must not change a committed file, and the coverage file
// must account for every public op of the header (bound, or listed with its reason).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate } from '../scripts/gen-ops/gen.js';
import { DEFAULT_HEADER, readSchemas } from '../scripts/gen-ops/select.js';
import * as specs from '../src/tensor/aten/specs.generated.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HEADER = process.env.TORCHLAB_ATEN_HEADER ?? DEFAULT_HEADER;

test('regenerating from the installed ATen header changes nothing', { skip: !existsSync(HEADER) && `no ${HEADER}` }, () => {
  const files = generate(HEADER);
  assert.ok(files.size >= 15);
  const stale = [...files].filter(([p, text]) => !existsSync(ROOT + p) || readFileSync(ROOT + p, 'utf8') !== text).map(([p]) => p);
  assert.deepEqual(stale, [], 'run `npx tsx scripts/gen-ops/gen.ts` and commit the result');
});

test('at least 900 public ops are bound; the coverage file lists every other one with a reason', { skip: !existsSync(HEADER) && `no ${HEADER}` }, () => {
  const bound = new Set(Object.values(specs).map((s) => s.name));
  assert.ok(bound.size >= 900, `${bound.size} ops bound`);
  const coverage = readFileSync(ROOT + 'native/generated/COVERAGE.md', 'utf8');
  const listed = new Map([...coverage.matchAll(/^\| `(\w+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]));
  const publicNames = new Set(readSchemas(HEADER).map((s) => s.replace(/^aten::/, '').split(/[.(]/)[0]).filter((n) => !n.startsWith('_')));
  const missing = [...publicNames].filter((n) => !bound.has(n) && !listed.has(n));
  assert.deepEqual(missing, [], 'public ops neither bound nor listed');
  for (const [n, why] of listed) assert.ok(why.trim().length > 10, `${n}: reason`);
  console.log(`aten: ${bound.size} of ${publicNames.size} public ops bound, ${listed.size} listed as left out`);
});

test('an op the TS layer knows but this libtorch lacks throws a clear TorchError naming it', async () => {
  const torch = await import('../src/index.js');
  const { callOp, spec } = await import('../src/tensor/aten-runtime.js');
  const x = torch.zeros([2]);
  const absent = spec('frobnicate', ['frobnicate.Tensor(Tensor self, int n=1) -> Tensor']);
  assert.throws(() => callOp(absent, [x]), (e: Error) =>
    e instanceof torch.TorchError && e.kind === 'NotImplementedError' && /aten::frobnicate\.Tensor is not in the libtorch/.test(e.message));
  // and a call that fits no overload is a TypeError listing the schemas
  assert.throws(() => callOp(absent, [x, 'a']), (e: Error) => e instanceof TypeError && /aten::frobnicate: no overload matches \(Tensor, string a\)/.test(e.message));
  x.dispose();
});
