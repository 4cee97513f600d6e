// Plot rendering: every spec builder must render headlessly to an SVG with its texts, and to a
// PNG where the text really is drawn (resvg silently draws no text when it has no fonts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { PNG } from 'pngjs';
import type { TopLevelSpec } from 'vega-lite';
import type { EpochRecord, GradFlowRecord } from '../src/train/records.js';
import {
  accuracyBarsSpec,
  epochCurvesSpec,
  gradFlowOverTimeSpec,
  gradFlowSpec,
  lossProgressionSpec,
  lrFinderSpec,
  renderSvg,
  savePlot,
  svgToPng,
} from '../src/train/plots.js';

// ---- fixtures ---------------------------------------------------------------------------------

const decay = (n: number, scale = 2.3) => Array.from({ length: n }, (_, i) => scale * Math.exp(-i / (n / 4)) + 0.05 * Math.sin(i));

function epochs(n: number, acc0: number): EpochRecord[] {
  return Array.from({ length: n }, (_, e) => ({
    epoch: e, trainLoss: 1 / (e + 1), trainAccuracy: acc0 + 3 * e,
    testLoss: e === 1 ? null : 1.1 / (e + 1), testAccuracy: acc0 - 1 + 2 * e, lr: 0.01, seconds: 3,
  }));
}

// Model order deliberately not alphabetical, with biases and a BatchNorm-ish bias mixed in.
const MODEL_ORDER = ['features.conv1.weight', 'features.conv2.weight', 'classifier.weight'];
function gradFlow(steps: number, first: number): GradFlowRecord[] {
  return Array.from({ length: steps }, (_, s) => ({
    epoch: 0, step: s * 50,
    norms: {
      'features.conv1.weight': first * (s + 1), 'features.conv1.bias': 5,
      'features.conv2.weight': 1e-2, 'features.bn.bias': 7, 'classifier.weight': 0.3, 'classifier.bias': 9,
    },
  }));
}

const ALL: { name: string; spec: () => TopLevelSpec; texts: string[] }[] = [
  {
    name: 'lossProgression',
    spec: () => lossProgressionSpec([{ name: 'adam', losses: decay(300) }, { name: 'sgd', losses: decay(300, 1.5) }], { smoothing: 0.8 }),
    texts: ['Loss progression across steps', 'Steps', 'Loss', 'adam', 'sgd'],
  },
  {
    name: 'epochCurves(loss)',
    spec: () => epochCurvesSpec([{ name: 'a', epochs: epochs(4, 70) }, { name: 'b', epochs: epochs(3, 60) }], 'loss'),
    texts: ['Loss per epoch', 'Epoch', 'Loss', 'train', 'test'],
  },
  {
    name: 'epochCurves(accuracy)',
    spec: () => epochCurvesSpec([{ name: 'a', epochs: epochs(4, 70) }], 'accuracy', { title: 'My accuracy' }),
    texts: ['My accuracy', 'Epoch', 'Accuracy (%)'],
  },
  {
    name: 'accuracyBars',
    spec: () => accuracyBarsSpec([
      { name: 'adam', accuracy: 91.25, status: 'completed' },
      { name: 'sgd', accuracy: 42, status: 'completed' },
      { name: 'lr=10', accuracy: null, status: 'diverged' },
    ]),
    texts: ['Final test accuracy', 'Test accuracy (%)', '91.3%', '42.0%', 'diverged'],
  },
  {
    name: 'lrFinder',
    spec: () => lrFinderSpec({
      lrs: Array.from({ length: 60 }, (_, i) => 1e-6 * 10 ** (i / 10)),
      losses: Array.from({ length: 60 }, (_, i) => 2.3 - Math.sin(i / 20) + (i > 50 ? i - 50 : 0)),
      suggestedLr: 3e-3,
    }),
    texts: ['Learning rate finder', 'Learning rate (log scale)', 'Loss', 'suggested lr 3.00e-3'],
  },
  {
    name: 'gradFlow',
    spec: () => gradFlowSpec([{ name: 'plain', gradFlow: gradFlow(3, 1e-5) }, { name: 'resnet', gradFlow: gradFlow(2, 1e-1) }]),
    texts: ['Gradient flow (mean gradient norm per layer)', 'Layer depth (input → output)', 'Mean gradient L2 norm (log)', 'plain', 'resnet'],
  },
  {
    name: 'gradFlowOverTime',
    spec: () => gradFlowOverTimeSpec([{ name: 'plain', gradFlow: gradFlow(5, 1e-5) }]),
    texts: ['First-layer gradient norm over training', 'layer: features.conv1.weight', 'Step', 'Gradient L2 norm (log)'],
  },
];

// ---- helpers ----------------------------------------------------------------------------------

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Text as an SVG <text> element's content (vega writes one element per label). */
const hasText = (svg: string, text: string) => svg.includes(`>${escapeXml(text)}</text>`);

function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*\swidth="(\d+(?:\.\d+)?)"[^>]*\sheight="(\d+(?:\.\d+)?)"/.exec(svg);
  assert.ok(m, 'root <svg> has width/height attributes');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** Plot area's top edge in SVG units: the first translate() of the chart's root group. */
function plotTop(svg: string): number {
  const m = /transform="translate\((\d+(?:\.\d+)?),(\d+(?:\.\d+)?)\)"/.exec(svg);
  assert.ok(m);
  return Number(m[2]);
}

interface PixelStats { nonWhite: number; dark: number; total: number }
function pixels(png: PNG, rows?: [number, number]): PixelStats {
  const [y0, y1] = rows ?? [0, png.height];
  let nonWhite = 0;
  let dark = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      if (r < 245 || g < 245 || b < 245) nonWhite++;
      if (r < 60 && g < 60 && b < 60) dark++;
    }
  }
  return { nonWhite, dark, total: (y1 - y0) * png.width };
}

const values = (spec: TopLevelSpec) => (spec as unknown as { data: { values: Record<string, unknown>[] } }).data.values;

// ---- rendering --------------------------------------------------------------------------------

for (const c of ALL) {
  test(`${c.name}: renders SVG with its texts and a non-blank PNG of the right size`, async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const spec = c.spec();
    assert.ok(!JSON.stringify(spec).includes('"url"'), 'inline data only');
    const svg = await renderSvg(spec);
    assert.equal(warn.mock.callCount(), 0, `vega-lite warnings: ${JSON.stringify(warn.mock.calls.map((k) => k.arguments))}`);
    for (const text of c.texts) assert.ok(hasText(svg, text), `SVG has text "${text}"`);
    assert.match(svg, /font-family="DejaVu Sans"/);
    assert.doesNotMatch(svg, /font-family="sans-serif"/, 'every text element uses the configured font');

    const { width, height } = svgSize(svg);
    assert.ok(width >= 560 && width < 900, `width ${width}`);
    const png = PNG.sync.read(svgToPng(svg));
    assert.equal(png.width, Math.round(width * 2));
    assert.equal(png.height, Math.round(height * 2));
    const px = pixels(png);
    assert.ok(px.nonWhite / px.total > 0.02, `non-white fraction ${(px.nonWhite / px.total).toFixed(4)}`);
    assert.ok(px.dark > 500, `dark (text) pixels: ${px.dark}`);
  });
}

test('svgToPng: scale sets the pixel size; bad scale is rejected', async () => {
  const svg = await renderSvg(ALL[0].spec());
  const { width, height } = svgSize(svg);
  const png = PNG.sync.read(svgToPng(svg, { scale: 1 }));
  assert.deepEqual([png.width, png.height], [width, height]);
  assert.throws(() => svgToPng(svg, { scale: 0 }), /scale/);
  assert.throws(() => svgToPng('not an svg'), /SVG/);
});

test('text really renders in the PNG: the title band holds dark glyph pixels that change with the title', async () => {
  const a = await renderSvg(lossProgressionSpec([{ name: 'x', losses: decay(50) }], { title: 'AAAA AAAA AAAA' }));
  const b = await renderSvg(lossProgressionSpec([{ name: 'x', losses: decay(50) }], { title: 'WWWW WWWW WWWW' }));
  const none = await renderSvg(lossProgressionSpec([{ name: 'x', losses: decay(50) }], { title: '' }));
  assert.ok(hasText(a, 'AAAA AAAA AAAA') && !hasText(none, 'AAAA AAAA AAAA'));
  assert.ok(svgSize(none).height < svgSize(a).height, 'an empty title removes the title band');
  // Rows above the plot area minus room for the top y-axis label, which sticks up a little.
  const band: [number, number] = [0, Math.floor((plotTop(a) - 8) * 2)];
  assert.ok(band[1] > 20, `title band of ${band[1]} px rows`);
  const pa = PNG.sync.read(svgToPng(a));
  const pb = PNG.sync.read(svgToPng(b));
  assert.ok(pixels(pa, band).dark > 200, 'title glyphs are drawn');
  let differ = 0;
  for (let i = 0; i < band[1] * pa.width * 4; i++) if (pa.data[i] !== pb.data[i]) differ++;
  assert.ok(differ > 500, `title band differs between titles (${differ} bytes)`);
  // Below the title band both images show the same plot.
  const rest = band[1] * pa.width * 4 + 40 * pa.width * 4;
  assert.deepEqual(pa.data.subarray(rest, rest + 4000), pb.data.subarray(rest, rest + 4000));
});

// ---- spec content -----------------------------------------------------------------------------

test('lossProgression: a diverged series (NaN/Infinity) renders, ends where it diverged and is marked', async () => {
  const losses = [...decay(100), NaN, NaN];
  const spec = lossProgressionSpec([{ name: 'ok', losses: decay(150) }, { name: 'boom', losses }]);
  const rows = values(spec);
  assert.ok(rows.every((r) => Number.isFinite(r.loss)), 'no non-finite values reach vega');
  const mark = rows.find((r) => r.kind === 'diverged');
  assert.deepEqual({ ...mark }, { series: 'boom', kind: 'diverged', step: 100, loss: losses[99], label: 'boom diverged' });
  const svg = await renderSvg(spec);
  assert.ok(hasText(svg, 'boom diverged'));

  // Single series starting non-finite, and +Infinity: still a marker, label just "diverged".
  const one = lossProgressionSpec([{ name: 'x', losses: [Infinity, 2, 1.5, -Infinity] }]);
  assert.deepEqual(values(one).filter((r) => r.kind === 'diverged').map((r) => [r.step, r.loss]), [[0, 2]]);
  assert.ok(hasText(await renderSvg(one), 'diverged'));
  // A clean run has no marker.
  assert.ok(!values(lossProgressionSpec([{ name: 'x', losses: [3, 2] }])).some((r) => r.kind === 'diverged'));
});

test('lossProgression: 20000 steps are downsampled (last point kept) and the SVG stays small', async () => {
  const long = decay(20000);
  const spec = lossProgressionSpec([{ name: 'long', losses: long }], { smoothing: 0.9 });
  const raw = values(spec).filter((r) => r.kind === 'raw');
  assert.ok(raw.length <= 2001 && raw.length >= 1000, `${raw.length} points kept`);
  assert.equal(raw[raw.length - 1].step, 19999);
  assert.equal(raw[raw.length - 1].loss, long[19999]);
  assert.equal(values(spec).filter((r) => r.kind === 'smooth').length, raw.length);
  const svg = await renderSvg(spec);
  assert.ok(svg.length < 150_000, `SVG is ${svg.length} chars`);
  // Short series are untouched.
  assert.equal(values(lossProgressionSpec([{ name: 's', losses: decay(2000) }])).length, 2000);
});

test('lossProgression: smoothing is a bias-corrected EMA (first value unchanged, then lags)', () => {
  const rows = values(lossProgressionSpec([{ name: 's', losses: [4, 0, 0] }], { smoothing: 0.5 }));
  const smooth = rows.filter((r) => r.kind === 'smooth').map((r) => r.loss as number);
  // ema = 2, 1, 0.5; divided by 1 - 0.5^t = 0.5, 0.75, 0.875.
  assert.deepEqual(smooth.map((v) => +v.toFixed(9)), [4, 4 / 3, 4 / 7].map((v) => +v.toFixed(9)));
});

test('epochCurves: epochs shown 1-based, nulls skipped', () => {
  const rows = values(epochCurvesSpec([{ name: 'a', epochs: epochs(3, 70) }], 'loss'));
  assert.deepEqual([...new Set(rows.map((r) => r.epoch))], [1, 2, 3]);
  assert.deepEqual(rows.filter((r) => r.split === 'test').map((r) => r.epoch), [1, 3], 'epoch index 1 had testLoss null');
});

test('gradFlow: layers in model order (not alphabetical), biases skipped, log scale, bad norms dropped', async () => {
  const spec = gradFlowSpec([{ name: 'r', gradFlow: gradFlow(3, 1e-5) }]);
  const rows = values(spec);
  assert.deepEqual(rows.map((r) => [r.depth, r.layer]), MODEL_ORDER.map((l, i) => [i + 1, l]));
  assert.ok(Math.abs((rows[0].norm as number) - 2e-5) < 1e-12, 'first layer: mean of 1e-5, 2e-5, 3e-5');
  const enc = (spec as unknown as { encoding: { y: { scale: { type: string } } } }).encoding;
  assert.equal(enc.y.scale.type, 'log');

  // A layer whose gradient is always 0 or NaN can't be placed on a log axis: dropped, order kept.
  const recs: GradFlowRecord[] = [
    { epoch: 0, step: 0, norms: { 'z.weight': 0.1, 'a.weight': 0, 'm.weight': NaN, 'b.weight': 0.2 } },
    { epoch: 0, step: 1, norms: { 'z.weight': 0.3, 'a.weight': 0, 'm.weight': Infinity, 'b.weight': 0.4, 'late.weight': 1 } },
  ];
  const r2 = values(gradFlowSpec([{ name: 'r', gradFlow: recs }]));
  // Depth stays the layer's position in the model, so a dead layer leaves a gap rather than shifting the rest.
  assert.deepEqual(r2.map((r) => [r.depth, r.layer]), [[1, 'z.weight'], [4, 'b.weight'], [5, 'late.weight']]);
  const svg = await renderSvg(gradFlowSpec([{ name: 'r', gradFlow: recs }]));
  assert.ok(hasText(svg, 'Layer depth (input → output)'));
});

test('gradFlowOverTime: tracks the first (non-bias) layer per step', () => {
  const rows = values(gradFlowOverTimeSpec([{ name: 'r', gradFlow: gradFlow(4, 1e-3) }]));
  assert.deepEqual(rows.map((r) => [r.step, r.layer]), [0, 50, 100, 150].map((s) => [s, 'features.conv1.weight']));
  assert.deepEqual(rows.map((r) => +(r.norm as number).toPrecision(6)), [1e-3, 2e-3, 3e-3, 4e-3]);
});

// ---- savePlot ---------------------------------------------------------------------------------

test('savePlot: writes svg + png atomically (no temp files left), returns absolute paths and size', async () => {
  const root = mkdtempSync(join(tmpdir(), 'torchlab-plots-'));
  try {
    const dir = join(root, 'nested', 'report');
    const out = await savePlot(ALL[3].spec(), dir, 'acc_bars-1.final');
    assert.ok(isAbsolute(out.svg) && isAbsolute(out.png));
    assert.equal(out.svg, join(dir, 'acc_bars-1.final.svg'));
    assert.equal(out.png, join(dir, 'acc_bars-1.final.png'));
    assert.deepEqual(readdirSync(dir).sort(), ['acc_bars-1.final.png', 'acc_bars-1.final.svg']);
    const svg = readFileSync(out.svg, 'utf8');
    assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'));
    const png = PNG.sync.read(readFileSync(out.png));
    assert.deepEqual([png.width, png.height], [out.width, out.height]);
    assert.deepEqual([out.width, out.height], [svgSize(svg).width * 2, svgSize(svg).height * 2]);
    // Overwriting works and still leaves exactly the two files.
    await savePlot(ALL[0].spec(), dir, 'acc_bars-1.final');
    assert.equal(readdirSync(dir).length, 2);

    for (const bad of ['', 'a b', '../escape', 'x/y', 'plot?', 'ü']) {
      await assert.rejects(savePlot(ALL[0].spec(), dir, bad), (e: Error) => e instanceof TypeError && e.message.includes(JSON.stringify(bad)));
    }
    // A render error leaves nothing behind.
    await assert.rejects(savePlot({ mark: 'nonsense' } as unknown as TopLevelSpec, join(root, 'fail'), 'x'), /renderSvg/);
    assert.deepEqual(readdirSync(root), ['nested']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('lrFinder: the loss axis stops above the starting loss when the sweep explodes, and says so', async () => {
  const lrs = Array.from({ length: 40 }, (_, i) => 1e-5 * 10 ** (i / 6));
  // Flat at 2.3, a dip to 2.0, then an explosion to 45 in the last points (what the lab's CNN does).
  const losses = lrs.map((_, i) => (i < 36 ? 2.3 - 0.3 * Math.sin((Math.PI * i) / 36) : 2.3 * 2 ** (i - 35)));
  const spec = lrFinderSpec({ lrs, losses, suggestedLr: lrs[20] }) as unknown as { title: { subtitle?: string }; layer: { encoding: { y?: { scale: { domain?: number[] } } } }[] };
  const domain = spec.layer[0].encoding.y!.scale.domain!;
  const top = 2.3 + 2 * (2.3 - Math.min(...losses));
  assert.ok(Math.abs(domain[1] - top) < 1e-9, `top ${domain[1]} vs ${top}`);
  assert.ok(domain[0] < Math.min(...losses) && domain[0] > 1.9, `bottom ${domain[0]}`);
  assert.equal(spec.title.subtitle, `loss axis cut at ${top.toPrecision(3)}; the loss rose to ${Math.max(...losses).toPrecision(3)} at the largest learning rates`);
  const svg = await renderSvg(spec as unknown as TopLevelSpec);
  assert.ok(hasText(svg, spec.title.subtitle!));
  // A sweep that never rises far keeps vega's own axis, without a subtitle.
  const calm = lrFinderSpec({ lrs, losses: lrs.map((_, i) => 2.3 - i * 0.01), suggestedLr: null }) as unknown as typeof spec;
  assert.equal(calm.layer[0].encoding.y!.scale.domain, undefined);
  assert.equal(calm.title.subtitle, undefined);
});

// ---- bad input --------------------------------------------------------------------------------

test('bad input gives clear errors, not vega stack traces', async () => {
  assert.throws(() => lossProgressionSpec([]), /lossProgressionSpec: no series given/);
  assert.throws(() => lossProgressionSpec([{ name: 'x', losses: [] }]), /series "x" has no losses/);
  assert.throws(() => lossProgressionSpec([{ name: 'x', losses: [NaN, Infinity] }]), /series "x" has no finite losses/);
  assert.throws(() => lossProgressionSpec([{ name: 'x', losses: [1] }, { name: 'x', losses: [2] }]), /duplicate series name "x"/);
  assert.throws(() => lossProgressionSpec([{ name: 'x', losses: [1] }], { smoothing: 1 }), /smoothing must be in \[0, 1\)/);
  assert.throws(() => epochCurvesSpec([], 'loss'), /epochCurvesSpec: no runs given/);
  assert.throws(() => epochCurvesSpec([{ name: 'a', epochs: [] }], 'loss'), /no finite loss values/);
  assert.throws(() => epochCurvesSpec([{ name: 'a', epochs: epochs(2, 50) }], 'f1' as 'loss'), /metric must be/);
  assert.throws(() => accuracyBarsSpec([]), /accuracyBarsSpec: no runs given/);
  assert.throws(() => accuracyBarsSpec([{ name: 'a', accuracy: 0.91 * 200, status: 'completed' }]), /accuracy 182.*\[0, 100\]/);
  assert.throws(() => lrFinderSpec({ lrs: [1e-3, 1e-2], losses: [1], suggestedLr: null }), /lrs and losses differ in length \(2 vs 1\)/);
  assert.throws(() => lrFinderSpec({ lrs: [], losses: [], suggestedLr: null }), /no points/);
  assert.throws(() => lrFinderSpec({ lrs: [0, -1], losses: [1, 2], suggestedLr: null }), /positive finite lr/);
  assert.throws(() => lrFinderSpec({ lrs: [1e-3], losses: [1], suggestedLr: 0 }), /suggestedLr must be a positive number/);
  assert.throws(() => gradFlowSpec([]), /gradFlowSpec: no runs given/);
  assert.throws(() => gradFlowSpec([{ name: 'r', gradFlow: [] }]), /run "r" has no gradient-flow records/);
  assert.throws(() => gradFlowSpec([{ name: 'r', gradFlow: [{ epoch: 0, step: 0, norms: { 'a.weight': 0 } }] }]), /no positive finite/);
  assert.throws(() => gradFlowOverTimeSpec([{ name: 'r', gradFlow: [{ epoch: 0, step: 0, norms: { 'a.bias': 1 } }] }]), /no \(non-bias\) parameters/);
  await assert.rejects(renderSvg({ mark: 'nonsense' } as unknown as TopLevelSpec), /^Error: renderSvg: could not render the plot spec/);
});
