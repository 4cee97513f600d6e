// The lab as users run it: `torchlab lab all` with the quick preset on Fashion-MNIST (the README's
// main command, here into a temp folder). Checks that each lesson of the notebook holds in the
// numbers of this run, that the report states it with those numbers, and that the report opens
// in headless Chromium with every plot drawn. Takes a few minutes on 2 cores.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRun } from '../src/train/metrics.js';
import { htmlEscape } from '../src/lab/report-html.js';
import { checkExperimentDir, torchlab } from './lab-helpers.js';
import { launchBrowser, noProblems, openPage, pixelStats, serveDir } from './browser.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'torchlab-quick-'));
after(() => fs.rmSync(out, { recursive: true, force: true }));

interface Summary { experiments: { id: string; lessons: { claim: string; holds: boolean; text: string }[] }[]; meta: { preset: string; dataset: string } }

let stdout = '';
test('lab all --preset quick runs every experiment and leaves report.html, report.md and PNGs', () => {
  stdout = torchlab(['lab', 'all', '--preset', 'quick', '--no-progress', '--out', out], { timeoutMs: 1_200_000 }).stdout;
  for (const f of ['report.html', 'report.md', 'lab.json']) assert.ok(fs.existsSync(path.join(out, f)), `${f} missing`);
  checkExperimentDir(path.join(out, 'learning-rate'), ['sgd-lr0.001', 'sgd-lr0.01', 'sgd-lr0.9'], out);
  checkExperimentDir(path.join(out, 'momentum'), ['sgd-lr0.001', 'sgd-lr0.001-momentum0.9'], out);
  checkExperimentDir(path.join(out, 'batchnorm'), ['cnn-sgd-lr0.01', 'cnn-bn-sgd-lr0.01', 'cnn-bn-sgd-lr0.05'], out);
  checkExperimentDir(path.join(out, 'residual'), ['resnet18-plain', 'resnet18-residual'], out);
  // Each experiment also gets its own report (and lab.json) in its folder, naming only its runs.
  const own: Record<string, string[]> = {
    'learning-rate': ['sgd-lr0.9'], momentum: ['sgd-lr0.001-momentum0.9'], batchnorm: ['cnn-bn-sgd-lr0.05'], residual: ['resnet18-residual'],
  };
  for (const [exp, runs] of Object.entries(own)) {
    const md = fs.readFileSync(path.join(out, exp, 'report.md'), 'utf8');
    assert.ok(fs.existsSync(path.join(out, exp, 'report.html')), `${exp}/report.html missing`);
    const j = JSON.parse(fs.readFileSync(path.join(out, exp, 'lab.json'), 'utf8')) as Summary;
    assert.deepEqual(j.experiments.map((e) => e.id), [exp]);
    for (const [other, otherRuns] of Object.entries(own)) {
      for (const id of otherRuns) assert.equal(md.includes(`| ${id} |`), other === exp, `${exp}/report.md and run ${id}`);
    }
    for (const m of md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) assert.ok(fs.existsSync(path.join(out, exp, decodeURIComponent(m[1]))), `${exp}/report.md links ${m[1]}`);
  }
});

const acc = (exp: string, run: string): string => `${readRun(path.join(out, exp, run)).test!.accuracy.toFixed(1)}%`;

test('the lessons hold in the numbers, and the report states them from those numbers', () => {
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'lab.json'), 'utf8')) as Summary;
  assert.equal(summary.meta.preset, 'quick');
  assert.equal(summary.meta.dataset, 'fashion-mnist');
  const lesson = (claim: string) => {
    const l = summary.experiments.flatMap((e) => e.lessons).find((x) => x.claim === claim);
    assert.ok(l, `no lesson '${claim}'`);
    return l;
  };
  const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  const stated = (text: string) => {
    assert.ok(md.includes(text), `report.md does not state: ${text}`);
    assert.ok(html.includes(htmlEscape(text)), `report.html does not state: ${text}`);
    assert.ok(stdout.includes(text), `not printed: ${text}`);
  };

  // lr 0.001 ends far worse than with momentum.
  const mom = lesson('momentum-speeds-up');
  assert.ok(mom.holds, mom.text);
  assert.ok(mom.text.includes(`lr 0.001 reached ${acc('learning-rate', 'sgd-lr0.001')}`), mom.text); // the reused run's number
  assert.ok(mom.text.includes(`with momentum 0.9, ${acc('momentum', 'sgd-lr0.001-momentum0.9')}`), mom.text);
  assert.ok(parseFloat(acc('momentum', 'sgd-lr0.001-momentum0.9')) - parseFloat(acc('learning-rate', 'sgd-lr0.001')) >= 10);
  stated(mom.text);

  // lr 0.9 is reported as diverged or stuck near chance.
  const big = lesson('large-lr-fails');
  assert.ok(big.holds, big.text);
  const high = readRun(path.join(out, 'learning-rate', 'sgd-lr0.9'));
  assert.ok(high.status === 'diverged' || high.test!.accuracy <= 20, `lr 0.9: ${high.status}, ${high.test!.accuracy}%`);
  assert.ok(big.text.includes(high.status === 'diverged' ? 'diverged' : `ended at ${acc('learning-rate', 'sgd-lr0.9')} test accuracy`), big.text);
  stated(big.text);

  // BN beats no BN at equal epochs.
  const bn = lesson('batchnorm-helps');
  assert.ok(bn.holds, bn.text);
  assert.ok(bn.text.includes(`without BatchNorm ${acc('batchnorm', 'cnn-sgd-lr0.01')}, with BatchNorm ${acc('batchnorm', 'cnn-bn-sgd-lr0.01')}`), bn.text);
  assert.equal(readRun(path.join(out, 'batchnorm', 'cnn-sgd-lr0.01')).epochs.length, readRun(path.join(out, 'batchnorm', 'cnn-bn-sgd-lr0.01')).epochs.length);
  stated(bn.text);

  // Residual beats plain ResNet.
  const res = lesson('residual-beats-plain');
  assert.ok(res.holds, res.text);
  assert.ok(res.text.includes(`plain ResNet-18 ${acc('residual', 'resnet18-plain')}, residual ResNet-18 ${acc('residual', 'resnet18-residual')}`), res.text);
  stated(res.text);

  // Every other lesson is stated too, whatever its verdict.
  for (const l of summary.experiments.flatMap((e) => e.lessons)) stated(l.text);
});

test('the lab report opens in headless Chromium without errors and its plots are drawn', async () => {
  const browser = await launchBrowser();
  const server = await serveDir(out);
  try {
    const { context, page, problems } = await openPage(browser, `${server.origin}/report.html`, { width: 1100, height: 800 });
    try {
      assert.ok(noProblems(problems), JSON.stringify(problems));
      assert.deepEqual(server.requests, ['/report.html'], 'self-contained');
      const figures = page.locator('figure.plot .graphic > *');
      const n = await figures.count();
      assert.ok(n >= 4 * 4 + 1 + 2, `expected every experiment's plots, found ${n}`);
      for (const i of [0, n - 1]) {
        const shot = pixelStats(await figures.nth(i).screenshot());
        assert.ok(shot.width > 300 && shot.height > 200, JSON.stringify(shot));
        assert.ok(shot.nonWhite > 0.03 && shot.colors > 8, `plot ${i} looks blank: ${JSON.stringify(shot)}`);
      }
    } finally {
      await context.close();
    }
  } finally {
    await server.close();
    await browser.close();
  }
});
