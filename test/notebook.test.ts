// The lab as a Jupyter notebook (issue 13): examples/lab-notebook.ipynb executed headless by
// `torchlab notebook --kernel tslab --execute` (nbclient, Debian's python3-nbclient, in the tslab
// kernel) with the quick switch on, in a fresh project folder; its outputs checked cell by cell; its
// HTML export (nbconvert) opened in headless Chromium with the plots screenshotted.
// Needs Jupyter and the kernels: `torchlab setup --with-jupyter` (scripts/setup.sh --test does it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, pixelStats, serveDir } from './browser.js';
import { ROOT, executeLab, labOutputProblems, makeProject, source, join1, type Cell } from './notebook-helpers.js';

const PRINT = readFileSync(join(ROOT, 'test', 'fixtures', 'notebook_resnet_print_c1_w8.txt'), 'utf8');

let dir: string;
let run: ReturnType<typeof executeLab>;
let browser: Browser | undefined;
before(() => {
  dir = makeProject();
  run = executeLab(dir, 'tslab');
});
after(async () => {
  await browser?.close();
  if (!process.env.KEEP_NOTEBOOK_TEST) rmSync(dir, { recursive: true, force: true });
});

test('the committed notebooks are built from examples/lab-notebook.nb.ts', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'build-notebook.ts'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('lab notebook in tslab via nbclient: grids, progress displays, loss plots, predict lines, the ResNet print', (t) => {
  assert.equal(run.status, 0, run.log.slice(-4000));
  t.diagnostic(`torchlab notebook --execute (tslab, quick): ${(run.ms / 1000).toFixed(1)} s`);
  assert.match(run.log, /\[notebook\] HTML export: .*lab-notebook\.executed\.html/);
  assert.deepEqual(labOutputProblems(run.cells, PRINT), []);
  // The quick switch was on: the subsets, and a ResNet 8 channels wide (the print above says so too).
  const all = run.cells.flatMap((c: Cell) => c.outputs ?? []).map((o) => join1(o.text)).join('');
  assert.match(all, /fashion-mnist: 4096 training and 2000 test images \(quick run\)/);
  assert.match(all, /18 weight layers: ResNet-18, 173,346 parameters/);
  // Bars: one display per epoch in 8 fit cells, not a stream: the whole notebook has 8 of them.
  const bars = run.cells.flatMap((c) => (c.outputs ?? []).filter((o) => /^Epoch /.test(join1(o.data?.['text/plain']))));
  assert.equal(bars.length, 8);
  const markdown = run.cells.filter((c) => c.cell_type === 'markdown').map(source).join('\n');
  assert.match(markdown, /## Momentum/);
  assert.match(markdown, /## Batch normalization/);
  assert.match(markdown, /## Residual connections/);
});

test('the HTML export opens in Chromium with every plot and grid drawn', async (t) => {
  assert.equal(run.status, 0, 'the notebook ran (see the test above)');
  browser = await launchBrowser();
  const server = await serveDir(dirname(run.html));
  try {
    const { context, page, problems } = await openPage(browser, `${server.origin}/${basename(run.html)}`, { width: 1200, height: 900 });
    try {
      // Debian's nbconvert page refers to MathJax and require.js as file:///usr/share/javascript/... URLs,
      // which a page served over http may not load (it needs neither: no widgets, and the formulas stay
      // as text); everything of the notebook itself is inlined, so only requests to 127.0.0.1 must succeed.
      const local = (u: string): boolean => u.includes('127.0.0.1');
      assert.deepEqual([...problems.failedRequests, ...problems.badResponses].filter(local), []);
      assert.deepEqual(problems.pageErrors.filter((e) => !/MathJax|require|define/.test(e)), []);

      // Images: the two sample grids (200x86) and the 8 loss plots, as PNGs (the export prefers the PNG
      // fallback: Debian's nbconvert sanitizes inline SVG into a blank box, see src/cli/notebook.ts).
      const imgs = page.locator('.jp-RenderedImage img');
      const sizes = await imgs.evaluateAll((els) => els.map((i) => [(i as HTMLImageElement).naturalWidth, (i as HTMLImageElement).naturalHeight]));
      assert.equal(sizes.length, 10, JSON.stringify(sizes));
      const isGrid = sizes.map(([w, h]) => w === 200 && h === 86);
      assert.equal(isGrid.filter(Boolean).length, 2, `two sample grids: ${JSON.stringify(sizes)}`);
      for (let i = 0; i < sizes.length; i++) {
        const el = imgs.nth(i);
        await el.scrollIntoViewIfNeeded();
        const box = (await el.boundingBox())!;
        const stats = pixelStats(await el.screenshot());
        if (isGrid[i]) {
          assert.ok(stats.nonWhite > 0.2, `grid ${i} shows images: ${JSON.stringify(stats)}`);
          continue;
        }
        assert.ok(box.width > 300 && box.height > 200, `plot ${i} has a size: ${JSON.stringify(box)} (natural ${sizes[i]})`);
        assert.ok(stats.nonWhite > 0.03 && stats.colors > 8, `plot ${i} is drawn, not blank: ${JSON.stringify(stats)}`);
      }
      const bars = await page.locator('.jp-OutputArea-output pre', { hasText: /^Epoch 0: 100%/ }).count();
      assert.equal(bars, 8, 'each progress bar appears once, at its final state');
      t.diagnostic(`HTML export: ${(readFileSync(run.html).length / 1e6).toFixed(2)} MB`);
    } finally {
      await context.close();
    }
  } finally {
    await server.close();
  }
});
