// The published entry point: `import * as torch from 'torchlab'` resolves to the compiled dist/
// (with .d.ts) through package.json "exports", and is the same API as src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

test("import 'torchlab' gives the compiled, typed package", async () => {
  const torch = await import('torchlab');
  assert.ok(existsSync(new URL('../dist/index.d.ts', import.meta.url)));
  const x = torch.tidy(() => torch.ones([2, 2]).mul(3).sum());
  assert.equal(x.item(), 12);
  assert.equal(typeof torch.F.conv2d, 'function');
  x.dispose();
});
