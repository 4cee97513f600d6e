// Plots under a notebook cell (tslab or Deno's kernel; see src/tensor/jupyter.ts): one display_data
// holding the SVG, a PNG fallback for front ends and exports that do not render SVG, and a text line;
// and fit()'s result as an HTML table (shown by display(run), or as a cell's value in Deno).
import type { TopLevelSpec } from 'vega-lite';
import { displayBundle, notebookKernel, withDisplay } from '../tensor/jupyter.js';
import type { RunResult } from './records.js';

/** The PNG's scale in a notebook: 1 keeps the inline image at the plot's own size (the files use 2). */
const NOTEBOOK_PNG_SCALE = 1;

/**
 * Renders a plot spec (from torchlab/plots: lossProgressionSpec, epochCurvesSpec, lrFinderSpec,
 * gradFlowSpec, ...) under the running notebook cell. Returns false, rendering nothing, outside a
 * notebook. (PyTorch has no plotting; this is matplotlib's plt.show() for our vega-lite specs.)
 * @example await showPlot(lossProgressionSpec([{ name: 'cnn', losses }]));
 */
export async function showPlot(spec: TopLevelSpec): Promise<boolean> {
  if (notebookKernel() === null) return false;
  const { renderSvg, svgToPng } = await import('./plots.js');
  const svg = await renderSvg(spec);
  const png = svgToPng(svg, { scale: NOTEBOOK_PNG_SCALE });
  const t = (spec as { title?: string | { text?: string } }).title;
  const title = typeof t === 'string' ? t : typeof t?.text === 'string' ? t.text : 'plot';
  return displayBundle({ 'image/svg+xml': svg, 'image/png': png, 'text/plain': `<${title}>` });
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const num = (v: number | null, digits: number): string => (v === null ? '' : v.toFixed(digits));

/** A run's one-line summary: name, status, epochs, final test loss and accuracy. */
export function runSummary(run: RunResult): string {
  const test = run.test ? `, test loss ${run.test.loss.toFixed(4)}, accuracy ${run.test.accuracy.toFixed(2)}% (${run.test.correct}/${run.test.total})` : '';
  return `${run.name}: ${run.status} after ${run.epochs.length} epoch${run.epochs.length === 1 ? '' : 's'}${test}, ${run.seconds.toFixed(1)} s` +
    (run.divergence ? ` (${run.divergence.message})` : '');
}

/** A run as HTML: its summary and the per-epoch table (train / test loss and accuracy, lr, time). */
export function runResultHtml(run: RunResult): string {
  const rows = run.epochs.map((e) => `<tr><td>${e.epoch}</td><td>${num(e.trainLoss, 4)}</td><td>${num(e.trainAccuracy, 2)}</td>` +
    `<td>${num(e.testLoss, 4)}</td><td>${num(e.testAccuracy, 2)}</td><td>${e.lr.toPrecision(3)}</td><td>${e.seconds.toFixed(1)}</td></tr>`).join('');
  return `<div class="torchlab-run"><p><b>${esc(run.name)}</b>: ${esc(runSummary(run).slice(run.name.length + 2))}</p>` +
    '<table><thead><tr><th>epoch</th><th>train loss</th><th>train acc %</th><th>test loss</th><th>test acc %</th><th>lr</th><th>s</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></div>`;
}

/** fit()'s result with its notebook display (an HTML table; the summary line as text). */
export function withRunDisplay(run: RunResult): RunResult {
  return withDisplay(run, () => ({ 'text/html': runResultHtml(run), 'text/plain': runSummary(run) }));
}
