// torchlab's notebook output without Jupyter: each kernel's hook is stood in for by a recorder
// (Deno's `Deno.jupyter.display`, and a module at .../tslab/dist/jupyter.js in Node's module cache,
// where the real tslab kernel keeps its per-cell writer), and the messages torchlab sends are checked:
// the progress bar's one display updated in place, the PNG of a grid, a plot as SVG + PNG, PyTorch's
// repr through Symbol.for('Jupyter.display'), and nothing at all outside a notebook.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as torch from '../src/index.js';
import { nn } from '../src/index.js';
import { display, displayBundle, notebookKernel } from '../src/tensor/jupyter.js';
import { ProgressBar, showPlot, fit } from '../src/train/index.js';
import { reportFrameHtml } from '../src/lab/report-display.js';
import { DataLoader, TensorDataset } from '../src/data/index.js';
import { optim } from '../src/index.js';
import { lossProgressionSpec } from '../src/train/plots.js';
import { imshow, makeGrid } from '../src/data/index.js';

interface Sent { data: Record<string, string>; update: boolean; displayId?: string }

/** Pretends to be Deno's kernel; returns what torchlab sends to it. */
function fakeDeno(): Sent[] {
  const sent: Sent[] = [];
  (globalThis as { Deno?: unknown }).Deno = {
    jupyter: {
      display: async (obj: Record<string, string>, o: { raw?: boolean; update?: boolean; display_id?: string }) => {
        assert.equal(o.raw, true, 'a mime bundle is sent raw');
        sent.push({ data: obj, update: o.update ?? false, displayId: o.display_id });
      },
    },
  };
  return sent;
}
afterEach(() => {
  delete (globalThis as { Deno?: unknown }).Deno;
  delete process.env.TORCHLAB_NOTEBOOK;
});

const pngSize = (b64: string): [number, number] => {
  const p = PNG.sync.read(Buffer.from(b64, 'base64'));
  return [p.width, p.height];
};

test('outside a notebook nothing is sent and the bar draws terminal text', () => {
  assert.equal(notebookKernel(), null);
  assert.equal(displayBundle({ 'text/plain': 'x' }), false);
  const bar = new ProgressBar(3, 'Epoch 0', { stream: { write: () => true, isTTY: false } as never });
  assert.equal(bar.displayId, undefined);
  bar.close();
  assert.equal(imshow(torch.rand([3, 4, 4])), false);
});

test('Deno: a progress bar is one display, replaced in place, ending with the tqdm line', async () => {
  const sent = fakeDeno();
  assert.equal(notebookKernel(), 'deno');
  const bar = new ProgressBar(50, 'Epoch 2');
  for (let i = 0; i < 50; i++) {
    bar.update(1, { loss: 0.5, stage: 'train' });
    if (i === 24) await new Promise((r) => setTimeout(r, 220)); // past the 200 ms throttle once
  }
  bar.close();
  assert.ok(bar.displayId && /^[0-9a-f]{16}$/.test(bar.displayId));
  assert.ok(sent.every((m) => m.displayId === bar.displayId), 'every message targets the one display');
  assert.deepEqual(sent.map((m) => m.update), [false, true, true], 'shown once, then one throttled update and the final one');
  assert.match(sent[0].data['text/plain'], /^Epoch 2:   0%\|          \| 0\/50 \[00:00<\?, \?it\/s\]$/);
  assert.match(sent[1].data['text/plain'], /^Epoch 2:  52%\|█████▏    \| 26\/50 /);
  assert.match(sent[2].data['text/plain'], /^Epoch 2: 100%\|██████████\| 50\/50 \[00:00<00:00, +[\d.]+it\/s, loss=0\.5, stage=train\]$/);
  // (the text is ProgressBar.line(), the terminal bar's own formatTqdm line)
});

test('Deno: imshow sends the grid as a PNG of its size; showPlot sends SVG with a PNG fallback', async () => {
  const sent = fakeDeno();
  torch.manualSeed(0);
  torch.tidy(() => assert.equal(imshow(makeGrid(torch.rand([10, 1, 28, 28]), { nrow: 5, padding: 10 })), true));
  assert.deepEqual(pngSize(sent[0].data['image/png']), [200, 86]);
  assert.equal(sent[0].data['text/plain'], '<image 200x86>');

  assert.equal(await showPlot(lossProgressionSpec([{ name: 'cnn', losses: [2.3, 1.9, 1.2, 0.8, 0.7] }])), true);
  const plot = sent[1].data;
  assert.match(plot['image/svg+xml'], /^<svg[^>]*class="marks"[\s\S]*Loss progression across steps/);
  const [w, h] = pngSize(plot['image/png']);
  const svgW = Number(/width="(\d+)"/.exec(plot['image/svg+xml'])![1]);
  assert.equal(w, svgW, 'the PNG fallback has the SVG\'s size');
  assert.ok(h > 100);
  assert.equal(plot['text/plain'], '<Loss progression across steps>');
});

test('tensors and modules show PyTorch\'s repr through Symbol.for("Jupyter.display")', () => {
  const t = torch.tensor([[1, 2], [3, 4]]);
  assert.deepEqual((t as unknown as Record<symbol, () => unknown>)[Symbol.for('Jupyter.display')](), { 'text/plain': 'tensor([[1., 2.],\n        [3., 4.]])' });
  const m = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
  assert.deepEqual((m as unknown as Record<symbol, () => unknown>)[Symbol.for('Jupyter.display')](), {
    'text/plain': 'Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)',
  });
});

test('tslab: found through its kernel module in Node\'s cache; bundles and updates go to its writer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchlab-fake-tslab-'));
  const file = join(dir, 'tslab', 'dist', 'jupyter.js');
  mkdirSync(join(dir, 'tslab', 'dist'), { recursive: true });
  writeFileSync(file, 'exports.lastWriteDisplayData = null;\n');
  const require = createRequire(import.meta.url);
  const mod = require(file) as { lastWriteDisplayData: unknown };
  try {
    assert.equal(notebookKernel(), null, 'not a kernel until a cell runs (the writer is null)');
    const sent: { content: { data: Record<string, string>; transient: { display_id?: string } }; update: boolean }[] = [];
    mod.lastWriteDisplayData = (content: never, update: boolean) => sent.push({ content, update });
    assert.equal(notebookKernel(), 'tslab');
    assert.equal(displayBundle({ 'image/png': new Uint8Array([1, 2, 3]), 'text/plain': 'p' }), true);
    assert.deepEqual(sent[0], { content: { data: { 'image/png': 'AQID', 'text/plain': 'p' }, metadata: {}, transient: {} }, update: false });
    displayBundle({ 'text/plain': 'b' }, { displayId: 'abc', update: true });
    assert.deepEqual(sent[1].content.transient, { display_id: 'abc' });
    assert.equal(sent[1].update, true);
    process.env.TORCHLAB_NOTEBOOK = '0';
    assert.equal(notebookKernel(), null, 'TORCHLAB_NOTEBOOK=0 turns notebook output off');
    assert.equal(displayBundle({ 'text/plain': 'c' }), false);
    assert.equal(sent.length, 2);
  } finally {
    delete require.cache[file];
    rmSync(dir, { recursive: true, force: true });
  }
});

test('display(): rich bundles in a notebook, plain text in a terminal; fit\'s result as an HTML table', async () => {
  torch.manualSeed(0);
  const x = torch.randn([32, 4]);
  const y = x.narrow(1, 0, 3).argmax(1);
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 8 });
  const model = new nn.Linear(4, 3);
  const run = await fit(model, loader, new optim.SGD(model.parameters(), { lr: 0.1 }), { epochs: 2, testLoader: loader, progress: false, name: 'tiny' });
  // Still plain data for JSON and comparisons: the hook is a non-enumerable symbol.
  assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(run))), Object.keys(run));
  assert.equal(Object.getOwnPropertySymbols(run).filter((k) => Object.prototype.propertyIsEnumerable.call(run, k)).length, 0);

  const printed: string[] = [];
  const log = console.log;
  console.log = (s: string) => { printed.push(s); };
  try {
    await display(run); // a terminal: the text line
  } finally {
    console.log = log;
  }
  assert.equal(printed.length, 1);
  assert.match(printed[0], new RegExp(`^tiny: completed after 2 epochs, test loss ${run.test!.loss.toFixed(4)}, accuracy ${run.test!.accuracy.toFixed(2)}% \\(${run.test!.correct}/32\\), [\\d.]+ s$`));

  const sent = fakeDeno();
  await display(run);
  await display(torch.tensor([1.5, 2]));
  await display({ a: 1 });
  const html = sent[0].data['text/html'];
  assert.equal((html.match(/<tr><td>/g) ?? []).length, 2, 'one row per epoch');
  assert.ok(html.includes(`<td>${run.epochs[1].trainLoss.toFixed(4)}</td>`), html);
  assert.equal(sent[0].data['text/plain'], printed[0]);
  assert.deepEqual(sent[1].data, { 'text/plain': 'tensor([1.5000, 2.0000])' });
  assert.deepEqual(sent[2].data, { 'text/plain': '{ a: 1 }' });
});

test('a lab report shows in an iframe whose srcdoc is the whole page, quotes escaped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchlab-report-frame-'));
  try {
    const file = join(dir, 'report.html');
    writeFileSync(file, '<!doctype html><p class="x">a & b</p>');
    assert.equal(reportFrameHtml(file),
      '<iframe srcdoc="<!doctype html><p class=&quot;x&quot;>a &amp; b</p>" style="width: 100%; height: 800px; border: 1px solid #ddd"></iframe>');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: clear errors', () => {
  assert.throws(() => displayBundle({}), /non-empty mime bundle/);
  assert.throws(() => displayBundle(null as never), /non-empty mime bundle/);
  assert.throws(() => displayBundle({ 'text/plain': 'x' }, { update: true }), /update needs the displayId/);
});
