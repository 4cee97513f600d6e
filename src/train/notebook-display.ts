// Plots under a notebook cell (tslab or Deno's kernel; see src/tensor/jupyter.ts): one display_data
// holding the SVG, a PNG fallback for front ends and exports that do not render SVG, and a text line.
import type { TopLevelSpec } from 'vega-lite';
import { displayBundle, notebookKernel } from '../tensor/jupyter.js';

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
