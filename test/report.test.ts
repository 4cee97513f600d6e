// The experiment report writer: Markdown table/links, self-contained and escaped HTML, unique ids
// across inlined SVGs, atomic writes, and clear errors for malformed input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import type { RunResult } from '../src/train/records.js';
import { renderHtml, renderMarkdown, writeReport, type LabReport } from '../src/lab/report.js';
import { fmtAccuracy, fmtLoss, fmtSeconds } from '../src/lab/report-md.js';
import { inlineSvg } from '../src/lab/report-html.js';

const root = mkdtempSync(path.join(tmpdir(), 'torchlab-report-'));
process.on('exit', () => { if (!process.env.KEEP_REPORT_TMP) rmSync(root, { recursive: true, force: true }); });
const plotDir = path.join(root, 'plots');
mkdirSync(plotDir);

// Shaped like vega's output: every plot names its clip path "clip1".
function svg(color: string): string {
  return `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="120" height="80" viewBox="0 0 120 80">` +
    `<defs><clipPath id="clip1"><rect width="100" height="60"/></clipPath></defs>` +
    `<g clip-path="url(#clip1)"><path d="M0,60L50,20L100,40" stroke="${color}" fill="none"/></g></svg>`;
}

function png(file: string): string {
  const img = new PNG({ width: 12, height: 8 });
  for (let i = 0; i < img.data.length; i += 4) img.data.set([i % 255, 80, 160, 255], i);
  writeFileSync(file, PNG.sync.write(img));
  return file;
}

function plot(name: string, svgText: string, caption?: string) {
  const svgPath = path.join(plotDir, `${name}.svg`);
  writeFileSync(svgPath, svgText);
  return { title: `${name} plot`, svg: svgPath, png: png(path.join(plotDir, `${name}.png`)), caption };
}

function run(name: string, config: Record<string, unknown>, o: Partial<RunResult> = {}): RunResult {
  return {
    name, config, status: 'completed', divergence: null, steps: [], gradFlow: [], seconds: 45.678,
    epochs: [
      { epoch: 0, trainLoss: 1.2, trainAccuracy: 60, testLoss: 0.9, testAccuracy: 68, lr: 0.01, seconds: 15 },
      { epoch: 1, trainLoss: 0.81234, trainAccuracy: 70, testLoss: 0.8, testAccuracy: 70, lr: 0.01, seconds: 15 },
    ],
    test: { loss: 0.77664, accuracy: 71.234, correct: 7123, total: 10000 },
    ...o,
  };
}

const diverged = run('lr=0.9', { model: 'cnn', optimizer: 'sgd', lr: 0.9, epochs: 5 }, {
  status: 'diverged',
  divergence: { epoch: 1, step: 130, value: NaN, message: 'loss is NaN' },
  steps: [{ epoch: 1, step: 129, loss: 2.3, lr: 0.9 }, { epoch: 1, step: 130, loss: NaN, lr: 0.9 }],
  epochs: [{ epoch: 0, trainLoss: NaN, trainAccuracy: 10, testLoss: NaN, testAccuracy: 10, lr: 0.9, seconds: 9 }],
  test: null,
});

function makeReport(): LabReport {
  return {
    title: 'torchlab lab: learning rate & momentum',
    meta: { dataset: 'fashion-mnist', preset: 'quick', device: 'cpu', createdAt: '2025-01-02T03:04:05Z', torchlabVersion: '0.1.0', libtorchVersion: '2.6.0', seconds: 123.45, command: 'npx torchlab lab --preset quick' },
    sections: [
      {
        id: 'learning-rate', title: 'The importance of the learning rate', question: 'SGD with lr 0.001 vs 0.9: which <trains>?',
        runs: [run('lr=0.001', { model: 'cnn', optimizer: 'sgd', lr: 0.001, epochs: 2 }), run('a<b>&c', { model: 'cnn', optimizer: 'sgd', lr: 0.01, momentum: 0.9 }), diverged],
        lessons: ['lr=0.9 diverged at step 130 & never recovered.', 'lr=0.001 reached 71.2% test accuracy.'],
        plots: [plot('lr loss', svg('#1f77b4'), 'Loss per step; <diverged> runs end early.')],
        notes: ['lr finder suggests 0.05'],
      },
      {
        id: 'momentum', title: 'Momentum', question: 'Does momentum 0.9 speed up the slow run?',
        runs: [run('bare', {}, { epochs: [], test: null, seconds: 1 })],
        lessons: ['Momentum helped.'],
        // An SVG that could run code must never be inlined: it goes in as the PNG instead.
        plots: [plot('momentum', svg('#ff7f0e')), plot('unsafe', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
      },
    ],
  };
}

test('number formatting: accuracy 1 decimal %, loss 4 decimals, seconds 1 decimal, null as a dash', () => {
  assert.equal(fmtAccuracy(86.345), '86.3%');
  assert.equal(fmtAccuracy(null), '—');
  assert.equal(fmtLoss(0.123456), '0.1235');
  assert.equal(fmtLoss(NaN), 'NaN');
  assert.equal(fmtLoss(undefined), '—');
  assert.equal(fmtSeconds(12.345), '12.3 s');
});

test('markdown: meta line, run table rows, diverged status, lessons, notes, relative image links', async () => {
  const dir = path.join(root, 'md');
  const { md } = await writeReport(dir, makeReport());
  const text = readFileSync(md, 'utf8');
  assert.match(text, /^# torchlab lab: learning rate \\& momentum\n/);
  for (const s of ['**dataset:** fashion-mnist', '**preset:** quick', '**device:** cpu', '**total time:** 123.5 s', '**torchlab:** 0.1.0', '**libtorch:** 2.6.0']) {
    assert.ok(text.includes(s), `meta line has ${s}`);
  }
  assert.ok(text.includes('```sh\nnpx torchlab lab --preset quick\n```'));
  const rows = text.split('\n').filter((l) => l.startsWith('| '));
  assert.equal(rows.length, 2 * 2 + 4, 'header + separator per table, one row per run');
  assert.equal(rows[0], '| run | model | optimizer | epochs | test accuracy | test loss | train loss | time | status |');
  assert.ok(rows.includes('| lr=0.001 | cnn | sgd lr=0.001 | 2/2 | 71.2% | 0.7766 | 0.8123 | 45.7 s | completed |'), rows.join('\n'));
  assert.ok(rows.includes('| a\\<b\\>\\&c | cnn | sgd lr=0.01 momentum=0.9 | 2 | 71.2% | 0.7766 | 0.8123 | 45.7 s | completed |'), rows.join('\n'));
  // No final evaluation: accuracy/loss fall back to the last epoch, and NaN is shown as such.
  assert.ok(rows.includes('| lr=0.9 | cnn | sgd lr=0.9 | 1/5 | 10.0% | NaN | NaN | 45.7 s | **diverged at epoch 1 step 130** |'), rows.join('\n'));
  assert.ok(rows.includes('| bare | — | — | 0 | — | — | — | 1.0 s | completed |'), rows.join('\n'));
  assert.ok(text.includes('- lr=0.9 diverged at step 130 \\& never recovered.\n- lr=0.001 reached 71.2% test accuracy.'));
  assert.ok(text.includes('- lr finder suggests 0.05'));
  assert.ok(text.includes('*Loss per step; \\<diverged\\> runs end early.*'));
  const links = [...text.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)].map((m) => m[2]);
  assert.deepEqual(links, ['../plots/lr%20loss.png', '../plots/momentum.png', '../plots/unsafe.png']);
  for (const l of links) assert.ok(existsSync(path.resolve(dir, decodeURIComponent(l))), `${l} resolves from ${dir}`);
});

test('html: self-contained, escaped, diverged rows marked, unique ids, SVG inlined with renamed clip paths', async () => {
  const { html: file } = await writeReport(path.join(root, 'html'), makeReport());
  const html = readFileSync(file, 'utf8');
  assert.doesNotMatch(html, /https?:\/\//, 'no URL at all, so nothing can be fetched');
  assert.doesNotMatch(html, /<script/i);
  assert.ok(html.includes('<td>a&lt;b&gt;&amp;c</td>'));
  assert.ok(!html.includes('a<b>&c'));
  assert.ok(html.includes('which &lt;trains&gt;?'));
  assert.ok(html.includes('<li>lr=0.9 diverged at step 130 &amp; never recovered.</li>'));
  assert.match(html, /<tr class="diverged"><td>lr=0\.9<\/td>.*?<td class="status">diverged at epoch 1 step 130<\/td><\/tr>/);
  assert.equal((html.match(/<tr class="diverged">/g) ?? []).length, 1);
  assert.equal((html.match(/<svg /g) ?? []).length, 2, 'the two safe SVGs are inlined');
  assert.equal((html.match(/<img [^>]*src="data:image\/png;base64,/g) ?? []).length, 1, 'the unsafe one became a PNG');
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.join(' ')}`);
  const refs = [...html.matchAll(/url\(#([^)]+)\)|href="#([^"]+)"/g)].map((m) => m[1] ?? m[2]);
  assert.equal(refs.length, 2 + 2, 'two clip references + two table-of-contents links');
  for (const r of refs) assert.ok(ids.includes(r), `#${r} points at an element`);
  assert.ok(html.includes('<a href="#s2-momentum">Momentum</a>'));
});

test('inlineSvg: renames every id form, refuses anything that could load or run something', () => {
  const out = inlineSvg(`<svg><defs><linearGradient id='g'/></defs><rect fill="url('#g')"/><use href="#g"/></svg>`, 'p1-', 'T')!;
  assert.equal(out, `<svg role="img" aria-label="T"><defs><linearGradient id='p1-g'/></defs><rect fill="url('#p1-g')"/><use href="#p1-g"/></svg>`);
  for (const bad of ['<svg><image href="http://x/a.png"/></svg>', '<svg onload="x()"></svg>', '<svg><rect fill="url(https://x)"/></svg>', '<svg><style>a{}</style></svg>', 'not svg']) {
    assert.equal(inlineSvg(bad, 'p-', 't'), null, bad);
  }
});

test('writeReport: absolute paths, atomic (no temp files left, overwrite works), creates nested dirs', async () => {
  const dir = path.join(root, 'nested', 'a', 'b');
  const first = await writeReport(dir, makeReport());
  assert.ok(path.isAbsolute(first.html) && path.isAbsolute(first.md));
  assert.equal(first.html, path.join(dir, 'report.html'));
  const again = makeReport();
  again.title = 'second';
  await writeReport(dir, again);
  assert.deepEqual(readdirSync(dir).sort(), ['report.html', 'report.md']);
  assert.match(readFileSync(first.md, 'utf8'), /^# second\n/);
  assert.equal(renderMarkdown(again, dir), readFileSync(first.md, 'utf8'));
  assert.equal(renderHtml(again), readFileSync(first.html, 'utf8'));
});

test('malformed input: clear errors naming the field or the missing file, nothing written', async () => {
  const dir = path.join(root, 'bad');
  const noSections = { ...makeReport(), sections: undefined } as unknown as LabReport;
  await assert.rejects(writeReport(dir, noSections), { name: 'TypeError', message: /report\.sections must be an array/ });
  const missing = makeReport();
  missing.sections[1].plots[0].png = path.join(plotDir, 'nope.png');
  await assert.rejects(writeReport(dir, missing), (e: Error) => e.message.includes(path.join(plotDir, 'nope.png')) && /does not exist/.test(e.message));
  const badRun = makeReport();
  (badRun.sections[0].runs[1] as unknown as { name: unknown }).name = 42;
  await assert.rejects(writeReport(dir, badRun), { name: 'TypeError', message: /report\.sections\[0\]\.runs\[1\]\.name must be a string/ });
  const dup = makeReport();
  dup.sections[1].id = 'learning-rate';
  await assert.rejects(writeReport(dir, dup), /duplicate section id 'learning-rate'/);
  await assert.rejects(writeReport('', makeReport()), TypeError);
  assert.throws(() => renderMarkdown(null as unknown as LabReport, dir), TypeError);
  assert.throws(() => renderHtml({ ...makeReport(), meta: undefined } as unknown as LabReport), /report\.meta must be an object/);
  assert.equal(existsSync(dir), false, 'bad input leaves no directory behind');
});
