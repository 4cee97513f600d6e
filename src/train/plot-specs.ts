// Pure vega-lite spec builders for training reports. No I/O and no vega here: every function
// takes plain run records and returns a self-contained TopLevelSpec (inline data only), which
// plots.ts renders to SVG/PNG headlessly. Validation happens here, so bad input fails with a
// message about the data rather than a vega stack trace from deep inside the renderer.

import type { TopLevelSpec } from 'vega-lite';
import type { EpochRecord, GradFlowRecord } from './records.js';

/** The one font every spec uses; plots.ts hands resvg exactly this font's files. */
export const PLOT_FONT = 'DejaVu Sans';
/** Above this many points a loss series is thinned (every k-th point kept, plus the last). */
export const MAX_POINTS_PER_SERIES = 2000;

const WIDTH = 560;
const HEIGHT = 320;
const DIVERGED_COLOR = '#c62828';
const SINGLE_COLOR = '#4c78a8';
// Few ticks on log axes: vega otherwise labels 2×/5× subdivisions and draws a grid line for each.
const LOG_AXIS = { format: '.0e', tickCount: 5 };
// Integer axes (epochs, layer depth) padded by half a unit: end points stay off the frame and
// ticks fall on whole numbers.
const INT_AXIS = { tickMinStep: 1, format: 'd' };
const halfPad = (max: number) => ({ domain: [0.5, max + 0.5], nice: false, zero: false });

// vega-lite's own types for deeply nested literals are unwieldy to build piecewise (string
// literal unions widen as soon as a part is factored out), so specs are assembled as plain
// objects and cast once; the tests render every builder, which validates the result for real.
type Obj = Record<string, unknown>;
const asSpec = (spec: Obj): TopLevelSpec => spec as unknown as TopLevelSpec;

function titleOf(title: string | undefined, fallback: string, subtitle?: string): Obj | undefined {
  const text = title ?? fallback;
  // An explicit empty title means "no title" (e.g. a plot embedded under a report heading).
  if (text === '') return undefined;
  return subtitle ? { text, subtitle } : { text };
}

function base(title: Obj | undefined, width = WIDTH, height = HEIGHT): Obj {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title ? { title } : {}),
    width,
    height,
    background: 'white',
    padding: 8,
    config: {
      // Set per element too: some vega defaults (title, legend) don't inherit `font`.
      font: PLOT_FONT,
      title: { font: PLOT_FONT, subtitleFont: PLOT_FONT, fontSize: 14, anchor: 'start', offset: 10 },
      axis: { labelFont: PLOT_FONT, titleFont: PLOT_FONT, labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
      legend: { labelFont: PLOT_FONT, titleFont: PLOT_FONT, labelFontSize: 11, titleFontSize: 12 },
      header: { labelFont: PLOT_FONT, titleFont: PLOT_FONT },
      mark: { font: PLOT_FONT },
      text: { font: PLOT_FONT },
      view: { stroke: '#cccccc' },
    },
  };
}

function fail(fn: string, problem: string): never {
  throw new Error(`${fn}: ${problem}`);
}

/** Names label lines and bars; duplicates would silently merge two runs into one mark. */
function checkNames(fn: string, what: 'series' | 'runs', names: string[]): void {
  const one = what === 'runs' ? 'run' : 'series';
  if (names.length === 0) fail(fn, `no ${what} given (expected at least one)`);
  const seen = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string' || n === '') fail(fn, `every ${one} needs a non-empty name`);
    if (seen.has(n)) fail(fn, `duplicate ${one} name "${n}" (names label the legend, so must be unique)`);
    seen.add(n);
  }
}

/** Color by run with a legend only when there is more than one run; a lone run needs no key. */
function runColor(field: string, names: string[]): Obj {
  if (names.length === 1) return { value: SINGLE_COLOR };
  // Opaque, stroke-shaped legend symbols: the faint raw line must not set the key's look.
  return { field, type: 'nominal', title: 'Run', scale: { domain: names }, legend: { symbolOpacity: 1, symbolType: 'stroke', symbolStrokeWidth: 3 } };
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** Indices to keep so at most ~MAX_POINTS_PER_SERIES remain: every k-th, and always the last. */
function thin(n: number): number[] {
  if (n <= MAX_POINTS_PER_SERIES) return Array.from({ length: n }, (_, i) => i);
  const k = Math.ceil(n / MAX_POINTS_PER_SERIES);
  const keep: number[] = [];
  for (let i = 0; i < n; i += k) keep.push(i);
  if (keep[keep.length - 1] !== n - 1) keep.push(n - 1);
  return keep;
}

/**
 * Loss per optimizer step, one line per series (the lab notebook's "Loss progression" plot).
 * Non-finite losses are dropped and the point where a series diverged is marked "diverged".
 * @example lossProgressionSpec([{ name: 'sgd', losses: run.steps.map((s) => s.loss) }], { smoothing: 0.9 })
 */
export function lossProgressionSpec(
  series: { name: string; losses: number[] }[],
  o: { title?: string; smoothing?: number } = {},
): TopLevelSpec {
  const fn = 'lossProgressionSpec';
  if (!Array.isArray(series)) fail(fn, 'series must be an array of { name, losses }');
  const names = series.map((s) => s.name);
  checkNames(fn, 'series', names);
  const smoothing = o.smoothing ?? 0;
  if (!isNum(smoothing) || smoothing < 0 || smoothing >= 1) fail(fn, `smoothing must be in [0, 1), got ${o.smoothing}`);

  const rows: Obj[] = [];
  for (const s of series) {
    if (!Array.isArray(s.losses) || s.losses.length === 0) fail(fn, `series "${s.name}" has no losses`);
    const steps: number[] = [];
    const losses: number[] = [];
    let divergedAt = -1;
    s.losses.forEach((v, i) => {
      if (isNum(v)) steps.push(i), losses.push(v);
      else if (divergedAt < 0) divergedAt = i;
    });
    if (losses.length === 0) fail(fn, `series "${s.name}" has no finite losses (all ${s.losses.length} are NaN/Infinity)`);
    // EMA with TensorBoard's bias correction, so the smoothed line doesn't start near 0.
    let acc = 0;
    const smooth = smoothing > 0 ? losses.map((v, j) => (acc = smoothing * acc + (1 - smoothing) * v) / (1 - smoothing ** (j + 1))) : [];
    for (const j of thin(losses.length)) {
      rows.push({ series: s.name, kind: 'raw', step: steps[j], loss: losses[j] });
      if (smoothing > 0) rows.push({ series: s.name, kind: 'smooth', step: steps[j], loss: smooth[j] });
    }
    if (divergedAt >= 0) {
      // Mark at the first bad step, at the height of the last good loss before it (or the
      // first good one after it, if the series started out non-finite).
      const before = steps.filter((st) => st < divergedAt).length;
      const y = before > 0 ? losses[before - 1] : losses[0];
      const label = series.length > 1 ? `${s.name} diverged` : 'diverged';
      rows.push({ series: s.name, kind: 'diverged', step: divergedAt, loss: y, label });
    }
  }
  const x = { field: 'step', type: 'quantitative', title: 'Steps' };
  const y = { field: 'loss', type: 'quantitative', title: 'Loss' };
  const color = runColor('series', names);
  const tooltip = [{ field: 'series', title: 'Run' }, { field: 'step', title: 'Step' }, { field: 'loss', title: 'Loss', format: '.4g' }];
  const line = (kind: string, opacity: number, strokeWidth: number): Obj => ({
    transform: [{ filter: `datum.kind === '${kind}'` }],
    mark: { type: 'line', opacity, strokeWidth, clip: true },
    encoding: { x, y, color, detail: { field: 'series' }, tooltip },
  });
  const layer: Obj[] = smoothing > 0 ? [line('raw', 0.25, 1), line('smooth', 1, 2)] : [line('raw', 1, 1.5)];
  if (rows.some((r) => r.kind === 'diverged')) {
    const only = [{ filter: "datum.kind === 'diverged'" }];
    layer.push(
      { transform: only, mark: { type: 'point', shape: 'cross', size: 150, filled: true, opacity: 1, color: DIVERGED_COLOR }, encoding: { x, y, tooltip } },
      {
        transform: only,
        mark: { type: 'text', align: 'right', dx: -6, dy: -10, color: DIVERGED_COLOR, fontWeight: 'bold', fontSize: 11 },
        encoding: { x, y, text: { field: 'label' } },
      },
    );
  }
  return asSpec({ ...base(titleOf(o.title, 'Loss progression across steps')), data: { values: rows }, layer });
}

/**
 * Train and test loss (or accuracy) per epoch: color = run, dashed = test split. Epochs are shown 1-based.
 * @example epochCurvesSpec([{ name: 'adam', epochs: run.epochs }], 'accuracy')
 */
export function epochCurvesSpec(
  runs: { name: string; epochs: EpochRecord[] }[],
  metric: 'loss' | 'accuracy',
  o: { title?: string } = {},
): TopLevelSpec {
  const fn = 'epochCurvesSpec';
  if (metric !== 'loss' && metric !== 'accuracy') fail(fn, `metric must be 'loss' or 'accuracy', got ${String(metric)}`);
  if (!Array.isArray(runs)) fail(fn, 'runs must be an array of { name, epochs }');
  const names = runs.map((r) => r.name);
  checkNames(fn, 'runs', names);
  const rows: Obj[] = [];
  let maxEpoch = 1;
  for (const r of runs) {
    if (!Array.isArray(r.epochs)) fail(fn, `run "${r.name}" has no epochs array`);
    for (const e of r.epochs) {
      const train = metric === 'loss' ? e.trainLoss : e.trainAccuracy;
      const test = metric === 'loss' ? e.testLoss : e.testAccuracy;
      const epoch = e.epoch + 1;
      if (isNum(train)) rows.push({ run: r.name, split: 'train', epoch, value: train });
      if (isNum(test)) rows.push({ run: r.name, split: 'test', epoch, value: test });
      if (isNum(train) || isNum(test)) maxEpoch = Math.max(maxEpoch, epoch);
    }
  }
  if (rows.length === 0) fail(fn, `no finite ${metric} values in any run's epochs`);
  const label = metric === 'loss' ? 'Loss' : 'Accuracy (%)';
  return asSpec({
    ...base(titleOf(o.title, metric === 'loss' ? 'Loss per epoch' : 'Accuracy per epoch')),
    data: { values: rows },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'Epoch', scale: halfPad(maxEpoch), axis: INT_AXIS },
      // Not from zero (like matplotlib and TensorBoard): runs that end at 2.29 and 2.10 must not look alike.
      y: { field: 'value', type: 'quantitative', title: label, scale: { zero: false } },
      color: runColor('run', names),
      strokeDash: {
        field: 'split', type: 'nominal', title: 'Split',
        scale: { domain: ['train', 'test'], range: [[1, 0], [6, 4]] },
        // vega-lite styles this key like the filled points (transparent stroke), which would hide
        // the dash pattern; draw the symbols as dark strokes instead.
        legend: {
          symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300,
          encode: { symbols: { update: { stroke: { value: '#444444' }, fill: { value: 'transparent' } } } },
        },
      },
      detail: { field: 'run' },
      tooltip: [{ field: 'run', title: 'Run' }, { field: 'split', title: 'Split' }, { field: 'epoch', title: 'Epoch' }, { field: 'value', title: label, format: '.4g' }],
    },
  });
}

/**
 * Horizontal bars of each run's final test accuracy (%), labelled; diverged runs in red.
 * @example accuracyBarsSpec(results.map((r) => ({ name: r.name, accuracy: r.test?.accuracy ?? null, status: r.status })))
 */
export function accuracyBarsSpec(
  runs: { name: string; accuracy: number | null; status: 'completed' | 'diverged' }[],
  o: { title?: string } = {},
): TopLevelSpec {
  const fn = 'accuracyBarsSpec';
  if (!Array.isArray(runs)) fail(fn, 'runs must be an array of { name, accuracy, status }');
  const names = runs.map((r) => r.name);
  checkNames(fn, 'runs', names);
  const rows = runs.map((r) => {
    if (r.status !== 'completed' && r.status !== 'diverged') fail(fn, `run "${r.name}" has status ${String(r.status)} (expected 'completed' or 'diverged')`);
    if (r.accuracy !== null && (!isNum(r.accuracy) || r.accuracy < 0 || r.accuracy > 100)) {
      fail(fn, `run "${r.name}" has accuracy ${r.accuracy}; expected a percent in [0, 100] or null`);
    }
    const pct = r.accuracy === null ? 'n/a' : `${r.accuracy.toFixed(1)}%`;
    const label = r.status === 'diverged' ? (r.accuracy === null ? 'diverged' : `${pct} (diverged)`) : pct;
    return { run: r.name, status: r.status, accuracy: r.accuracy ?? 0, label };
  });
  const x = { field: 'accuracy', type: 'quantitative', title: 'Test accuracy (%)', scale: { domain: [0, 100] } };
  const y = { field: 'run', type: 'nominal', title: 'Run', sort: null };
  const anyDiverged = rows.some((r) => r.status === 'diverged');
  // Labels go inside the bar's end when it is long (white on color) and after it otherwise,
  // so a 98% label never runs off the 0..100 axis.
  const inside = 'datum.accuracy >= 75';
  const text = { field: 'label' };
  return asSpec({
    ...base(titleOf(o.title, 'Final test accuracy'), WIDTH, Math.max(60, 28 * rows.length)),
    data: { values: rows },
    encoding: { y },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.7 } },
        encoding: {
          x,
          color: {
            field: 'status', type: 'nominal', title: 'Status', legend: anyDiverged ? {} : null,
            scale: { domain: ['completed', 'diverged'], range: [SINGLE_COLOR, DIVERGED_COLOR] },
          },
          tooltip: [{ field: 'run', title: 'Run' }, { field: 'label', title: 'Test accuracy' }],
        },
      },
      { transform: [{ filter: inside }], mark: { type: 'text', align: 'right', dx: -4, color: 'white', fontWeight: 'bold', fontSize: 11 }, encoding: { x, text } },
      {
        transform: [{ filter: `!(${inside})` }],
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: { x, text, color: { condition: { test: "datum.status === 'diverged'", value: DIVERGED_COLOR }, value: '#222222' } },
      },
    ],
  });
}

/**
 * Learning-rate finder: loss vs lr on a log x axis, with a rule at the suggested lr.
 * @example lrFinderSpec({ lrs: found.lrs, losses: found.losses, suggestedLr: found.suggestedLr })
 */
export function lrFinderSpec(
  r: { lrs: number[]; losses: number[]; suggestedLr: number | null },
  o: { title?: string } = {},
): TopLevelSpec {
  const fn = 'lrFinderSpec';
  if (!r || !Array.isArray(r.lrs) || !Array.isArray(r.losses)) fail(fn, 'expected { lrs: number[], losses: number[], suggestedLr }');
  if (r.lrs.length !== r.losses.length) fail(fn, `lrs and losses differ in length (${r.lrs.length} vs ${r.losses.length})`);
  if (r.lrs.length === 0) fail(fn, 'no points (lrs and losses are empty)');
  // Log x: lr must be > 0; losses after divergence are NaN/Infinity and simply end the curve.
  const rows = r.lrs.flatMap((lr, i) => (isNum(lr) && lr > 0 && isNum(r.losses[i]) ? [{ lr, loss: r.losses[i] }] : []));
  if (rows.length === 0) fail(fn, 'no point has both a positive finite lr and a finite loss');
  const s = r.suggestedLr;
  if (s !== null && (!isNum(s) || s <= 0)) fail(fn, `suggestedLr must be a positive number or null, got ${s}`);
  const x = { field: 'lr', type: 'quantitative', title: 'Learning rate (log scale)', scale: { type: 'log' }, axis: LOG_AXIS };
  // The sweep ends when the loss explodes (often 10-20x the start); an axis up to that peak would
  // flatten the part that matters. As fastai's plot drops the last points, the y axis stops a little
  // above the starting loss (the curve leaves the plot where it blows up), and the subtitle says so.
  const first = rows[0].loss;
  const minLoss = rows.reduce((m, p) => Math.min(m, p.loss), first);
  const peak = rows.reduce((m, p) => Math.max(m, p.loss), first);
  const top = first + Math.max(2 * (first - minLoss), 0.25 * Math.abs(first), 1e-6);
  const clipped = peak > top;
  const yScale = clipped ? { zero: false, domain: [minLoss - 0.05 * (top - minLoss), top] } : { zero: false };
  const layer: Obj[] = [{
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2, color: SINGLE_COLOR, clip: true },
    encoding: {
      x,
      y: { field: 'loss', type: 'quantitative', title: 'Loss', scale: yScale },
      tooltip: [{ field: 'lr', title: 'lr', format: '.3e' }, { field: 'loss', title: 'Loss', format: '.4g' }],
    },
  }];
  if (s !== null) {
    const data = { values: [{ lr: s, label: `suggested lr ${s.toExponential(2)}` }] };
    // Label on the rule's left when the rule sits in the right part of the (log) range, so it stays inside the plot.
    const lo = Math.log(rows.reduce((m, p) => Math.min(m, p.lr), s));
    const hi = Math.log(rows.reduce((m, p) => Math.max(m, p.lr), s));
    const right = (Math.log(s) - lo) / (hi - lo || 1) > 0.6;
    const text = { type: 'text', align: right ? 'right' : 'left', dx: right ? -5 : 5, baseline: 'top', y: 4, color: DIVERGED_COLOR, fontWeight: 'bold', fontSize: 11 };
    layer.push(
      { data, mark: { type: 'rule', color: DIVERGED_COLOR, strokeDash: [5, 3], strokeWidth: 1.5 }, encoding: { x } },
      { data, mark: text, encoding: { x, text: { field: 'label' } } },
    );
  }
  const subtitle = clipped ? `loss axis cut at ${top.toPrecision(3)}; the loss rose to ${peak.toPrecision(3)} at the largest learning rates` : undefined;
  return asSpec({ ...base(titleOf(o.title, 'Learning rate finder', subtitle)), layer });
}

/** Parameter names in model order (first appearance across records), biases left out. */
function layerOrder(records: GradFlowRecord[]): string[] {
  const keys = new Set<string>();
  for (const rec of records) for (const k of Object.keys(rec.norms ?? {})) if (!k.endsWith('bias')) keys.add(k);
  return [...keys];
}

function checkGradRuns(fn: string, runs: { name: string; gradFlow: GradFlowRecord[] }[]): void {
  if (!Array.isArray(runs)) fail(fn, 'runs must be an array of { name, gradFlow }');
  checkNames(fn, 'runs', runs.map((r) => r.name));
  for (const r of runs) {
    if (!Array.isArray(r.gradFlow) || r.gradFlow.length === 0) {
      fail(fn, `run "${r.name}" has no gradient-flow records (was gradFlowEvery set?)`);
    }
  }
}

const logY = (title: string) => ({ field: 'norm', type: 'quantitative', title, scale: { type: 'log' }, axis: LOG_AXIS });

/**
 * Gradient flow: mean gradient L2 norm per layer (input → output) on a log scale, one line per run.
 * Layers whose gradients vanish show up as a drop towards the left.
 * @example gradFlowSpec([{ name: 'plain', gradFlow: a.gradFlow }, { name: 'resnet', gradFlow: b.gradFlow }])
 */
export function gradFlowSpec(runs: { name: string; gradFlow: GradFlowRecord[] }[], o: { title?: string } = {}): TopLevelSpec {
  const fn = 'gradFlowSpec';
  checkGradRuns(fn, runs);
  const rows: Obj[] = [];
  for (const r of runs) {
    const before = rows.length;
    layerOrder(r.gradFlow).forEach((layer, i) => {
      const vals = r.gradFlow.map((rec) => rec.norms?.[layer]).filter(isNum);
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      // Zero/undefined means can't sit on a log axis; the gap itself is visible as a missing point.
      if (vals.length > 0 && isNum(mean) && mean > 0) rows.push({ run: r.name, depth: i + 1, layer, norm: mean, steps: vals.length });
    });
    if (rows.length === before) fail(fn, `run "${r.name}" has no positive finite gradient norms`);
  }
  const names = runs.map((r) => r.name);
  const maxDepth = Math.max(2, ...rows.map((r) => r.depth as number));
  return asSpec({
    ...base(titleOf(o.title, 'Gradient flow (mean gradient norm per layer)')),
    data: { values: rows },
    mark: { type: 'line', point: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'depth', type: 'quantitative', title: 'Layer depth (input → output)', axis: INT_AXIS, scale: halfPad(maxDepth) },
      y: logY('Mean gradient L2 norm (log)'),
      color: runColor('run', names),
      detail: { field: 'run' },
      order: { field: 'depth' },
      tooltip: [{ field: 'run', title: 'Run' }, { field: 'layer', title: 'Layer' }, { field: 'norm', title: 'Mean norm', format: '.3e' }, { field: 'steps', title: 'Steps averaged' }],
    },
  });
}

/**
 * Gradient norm of the first layer's weight vs step (log y), one line per run: do the earliest layers keep learning?
 * @example gradFlowOverTimeSpec([{ name: 'sigmoid', gradFlow: run.gradFlow }])
 */
export function gradFlowOverTimeSpec(runs: { name: string; gradFlow: GradFlowRecord[] }[], o: { title?: string } = {}): TopLevelSpec {
  const fn = 'gradFlowOverTimeSpec';
  checkGradRuns(fn, runs);
  const rows: Obj[] = [];
  const firstLayers = new Set<string>();
  for (const r of runs) {
    const layer = layerOrder(r.gradFlow)[0];
    if (layer === undefined) fail(fn, `run "${r.name}" has no (non-bias) parameters in its gradient-flow records`);
    firstLayers.add(layer);
    const before = rows.length;
    for (const rec of r.gradFlow) {
      const v = rec.norms?.[layer];
      if (isNum(v) && v > 0) rows.push({ run: r.name, step: rec.step, epoch: rec.epoch + 1, layer, norm: v });
    }
    if (rows.length === before) fail(fn, `run "${r.name}" has no positive finite gradient norms for its first layer "${layer}"`);
  }
  // Name the layer in the subtitle when all runs share it (same architecture), else it's per point.
  const subtitle = firstLayers.size === 1 ? `layer: ${[...firstLayers][0]}` : undefined;
  return asSpec({
    ...base(titleOf(o.title, 'First-layer gradient norm over training', subtitle)),
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'Step' },
      y: logY('Gradient L2 norm (log)'),
      color: runColor('run', runs.map((r) => r.name)),
      detail: { field: 'run' },
      tooltip: [{ field: 'run', title: 'Run' }, { field: 'layer', title: 'Layer' }, { field: 'step', title: 'Step' }, { field: 'epoch', title: 'Epoch' }, { field: 'norm', title: 'Norm', format: '.3e' }],
    },
  });
}
