// The lab notebook in Deno's kernel (issue 13, done-when 2): examples/lab-notebook-deno.ipynb (the
// same cells as the tslab notebook) executed headless by `torchlab notebook --kernel deno --execute`
// (nbclient + `deno jupyter`) with the quick switch on, in a fresh project folder where torchlab is
// in node_modules; the same output checks as in the tslab kernel. Deno's kernel reads the tensors'
// and modules' Symbol.for('Jupyter.display'), and torchlab's displays go through Deno.jupyter.display.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, executeLab, labOutputProblems, makeProject, join1 } from './notebook-helpers.js';

const PRINT = readFileSync(join(ROOT, 'test', 'fixtures', 'notebook_resnet_print_c1_w8.txt'), 'utf8');
const dir = makeProject();
after(() => {
  if (!process.env.KEEP_NOTEBOOK_TEST) rmSync(dir, { recursive: true, force: true });
});

test('lab notebook in Deno\'s kernel via nbclient: the same outputs as in tslab', (t) => {
  const run = executeLab(dir, 'deno');
  assert.equal(run.status, 0, run.log.slice(-4000));
  t.diagnostic(`torchlab notebook --execute (deno, quick): ${(run.ms / 1000).toFixed(1)} s`);
  assert.deepEqual(labOutputProblems(run.cells, PRINT), []);
  // The last cell's value is shown by the kernel (execute_result) from Module's Jupyter.display hook.
  const last = run.cells.filter((c) => c.cell_type === 'code').at(-1)!;
  assert.deepEqual(last.outputs!.map((o) => o.output_type), ['execute_result']);
  assert.equal(join1(last.outputs![0].data!['text/plain']).trimEnd(), PRINT.trimEnd());
  // No other cell shows a value of its own (all their statements are declarations or calls returning nothing).
  const values = run.cells.flatMap((c) => (c === last ? [] : c.outputs ?? []).filter((o) => o.output_type === 'execute_result'));
  assert.deepEqual(values, []);
});
