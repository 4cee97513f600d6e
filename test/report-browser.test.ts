// The written report.html as a browser sees it: real vega plots, loaded from a local HTTP server in
// headless Chromium. Nothing may go wrong while loading, nothing but the page itself may be
// requested, every plot must render with a size, and the screenshots must show a drawn plot.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { RunResult } from '../src/train/records.js';
import { writeReport, type LabReport, type PlotRef } from '../src/lab/report.js';
import { epochCurvesSpec, lossProgressionSpec, savePlot } from '../src/train/plots.js';
import { launchBrowser, noProblems, openPage, pixelStats, serveDir, type FileServer } from './browser.js';

const VIEWPORT = { width: 1000, height: 700 };
const root = mkdtempSync(path.join(tmpdir(), 'torchlab-report-browser-'));
// Screenshots stay in the temp dir unless asked for (to look at them): KEEP_REPORT_TMP=1.
after(() => {
  if (!process.env.KEEP_REPORT_TMP) rmSync(root, { recursive: true, force: true });
});

function run(name: string, lr: number, losses: number[], diverged = false): RunResult {
  const steps = losses.map((loss, step) => ({ epoch: Math.floor(step / 20), step, loss, lr }));
  const epochs = diverged ? [] : [0, 1, 2].map((epoch) => ({
    epoch, trainLoss: losses[epoch * 20 + 19], trainAccuracy: 60 + 8 * epoch,
    testLoss: losses[epoch * 20 + 19] * 1.1, testAccuracy: 58 + 8 * epoch, lr, seconds: 3,
  }));
  const last = epochs.at(-1);
  return {
    name, config: { model: 'cnn', optimizer: 'sgd', lr, epochs: 3, batchSize: 64 },
    status: diverged ? 'diverged' : 'completed',
    divergence: diverged ? { epoch: 0, step: losses.length - 1, value: NaN, message: 'loss is NaN' } : null,
    steps, epochs, gradFlow: [],
    test: last ? { loss: last.testLoss!, accuracy: last.testAccuracy!, correct: 0, total: 10000 } : null,
    seconds: 9.5,
  };
}

const decay = (rate: number) => Array.from({ length: 60 }, (_, i) => 2.3 * Math.exp(-rate * i) + 0.3 + 0.05 * Math.sin(i));

async function buildReport(): Promise<LabReport> {
  const plotDir = path.join(root, 'plots');
  const runs = [run('lr=0.001', 0.001, decay(0.01)), run('lr=0.05', 0.05, decay(0.08)), run('lr=0.9 <big>', 0.9, [2.3, 5, 40, NaN], true)];
  const loss = await savePlot(lossProgressionSpec(runs.map((r) => ({ name: r.name, losses: r.steps.map((s) => s.loss) }))), plotDir, 'lr-loss');
  const acc = await savePlot(epochCurvesSpec(runs.slice(0, 2), 'accuracy'), plotDir, 'lr-accuracy');
  const plots: PlotRef[] = [
    { title: 'Loss per step', svg: loss.svg, png: loss.png, caption: 'The diverged run stops early.' },
    { title: 'Accuracy per epoch', svg: acc.svg, png: acc.png },
  ];
  return {
    title: 'torchlab lab: learning rate, momentum, BatchNorm, residual connections',
    meta: { dataset: 'fashion-mnist', preset: 'test', device: 'cpu', createdAt: new Date(0).toISOString(), torchlabVersion: '0.1.0', libtorchVersion: '2.6.0', seconds: 28.5, command: 'torchlab lab --preset test' },
    sections: [
      {
        id: 'learning-rate', title: 'The importance of the learning rate', question: 'Plain SGD at three learning rates.',
        runs, plots, lessons: ['lr=0.9 diverged at step 3.', 'lr=0.05 beat lr=0.001 by 0.0 points.'], notes: ['lr finder suggests 0.05'],
      },
      // Same plots again: two copies of one vega SVG inline is the worst case for clashing clip ids.
      { id: 'momentum', title: 'Momentum', question: 'SGD with and without momentum.', runs: runs.slice(0, 2), plots, lessons: ['Momentum helped.'] },
    ],
  };
}

let browser: Browser;
let server: FileServer;
before(async () => {
  // Launch the browser while the plots render: together they dominate this file's run time.
  const [b] = await Promise.all([launchBrowser(), writeReport(path.join(root, 'report'), await buildReport())]);
  browser = b;
  server = await serveDir(root);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('report.html loads cleanly, renders every plot, and screenshots show drawn plots', async (t) => {
  const { context, page, problems } = await openPage(browser, `${server.origin}/report/report.html`, VIEWPORT);
  try {
    assert.ok(noProblems(problems), `problems while loading: ${JSON.stringify(problems, null, 2)}`);
    assert.deepEqual(server.requests, ['/report/report.html'], 'self-contained: the page requested nothing else');

    const plots = await page.$$eval('figure.plot .graphic > *', (els) => els.map((el) => {
      const r = el.getBoundingClientRect();
      return { tag: el.tagName.toLowerCase(), w: r.width, h: r.height, natural: el instanceof HTMLImageElement ? el.naturalWidth : null };
    }));
    assert.equal(plots.length, 4);
    for (const p of plots) {
      assert.ok(p.w > 100 && p.h > 100, `plot rendered with a size: ${JSON.stringify(p)}`);
      if (p.tag === 'img') assert.ok(p.natural! > 0, 'image decoded');
    }
    assert.ok(plots.every((p) => p.tag === 'svg'), 'vega SVGs are inlined, not replaced by PNGs');
    // Every clip-path reference must land on a clipPath inside the same plot, not another plot's.
    const strays = await page.$$eval('[clip-path]', (els) => els.flatMap((el) => {
      const id = /url\(["']?#([^"')]+)/.exec(el.getAttribute('clip-path') ?? '')?.[1];
      const target = id ? document.getElementById(id) : null;
      return target && target.closest('svg') === el.closest('svg') ? [] : [id ?? '?'];
    }));
    assert.deepEqual(strays, []);
    assert.equal(await page.$$eval('tr.diverged', (rows) => rows.map((r) => r.textContent)).then((r) => r.length), 1);
    assert.equal(await page.locator('td', { hasText: 'lr=0.9 <big>' }).count(), 1, 'run name shown literally');

    // Nothing wider than the viewport: no sideways scrolling, no table scrolled inside its box.
    const overflow = await page.evaluate(() => [document.documentElement, ...document.querySelectorAll('.table-wrap')]
      .filter((el) => el.scrollWidth > el.clientWidth).map((el) => `${el.tagName}.${el.className}: ${el.scrollWidth} > ${el.clientWidth}`));
    assert.deepEqual(overflow, []);

    const full = await page.screenshot({ fullPage: true });
    const fullStats = pixelStats(full);
    const docHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.equal(fullStats.width, VIEWPORT.width);
    assert.equal(fullStats.height, docHeight);
    assert.ok(fullStats.height > VIEWPORT.height, 'a report with four plots is longer than one screen');

    const first = page.locator('figure.plot .graphic > *').first();
    const box = (await first.boundingBox())!;
    const shot = await first.screenshot();
    const stats = pixelStats(shot);
    // The element box can sit on fractional pixels; the screenshot covers it rounded outward.
    assert.ok(Math.abs(stats.width - box.width) <= 1 && Math.abs(stats.height - box.height) <= 1, `${stats.width}x${stats.height} vs ${JSON.stringify(box)}`);
    assert.ok(stats.nonWhite > 0.03, `plot is drawn, not blank: ${JSON.stringify(stats)}`);
    assert.ok(stats.colors > 8, `plot has lines, text and axes in several colors: ${JSON.stringify(stats)}`);

    writeFileSync(path.join(root, 'full.png'), full);
    writeFileSync(path.join(root, 'plot.png'), shot);
    t.diagnostic(`screenshots: ${root}/full.png, ${root}/plot.png`);
  } finally {
    await context.close();
  }
});
