// Headless plot rendering for training reports: vega-lite spec → SVG (vega, no browser or canvas)
// → PNG (resvg, with the font files passed explicitly). Nothing here reads system font config, so
// the same spec renders the same pixels on any machine that has Debian's fonts-dejavu-core.

import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { PLOT_FONT } from './plot-specs.js';

// vega, vega-lite and resvg load on the first plot, not at `import 'torchlab'`: together they
// are about a third of the package's import time, and most programs never plot.
const require = createRequire(import.meta.url);
let renderers: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;
const loadRenderers = () => (renderers ??= Promise.all([import('vega'), import('vega-lite')]));

export {
  lossProgressionSpec,
  epochCurvesSpec,
  accuracyBarsSpec,
  lrFinderSpec,
  gradFlowSpec,
  gradFlowOverTimeSpec,
  PLOT_FONT,
  MAX_POINTS_PER_SERIES,
} from './plot-specs.js';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const FONT_REGULAR = join(FONT_DIR, 'DejaVuSans.ttf');
const FONT_BOLD = join(FONT_DIR, 'DejaVuSans-Bold.ttf');

// vega-lite reports questionable encodings through its logger; keep them visible (they usually
// mean a spec bug) but label their origin, since the default logger prints bare messages.
const vlLogger = {
  level(): number { return 0; },
  error(...args: unknown[]) { throw new Error(`vega-lite: ${args.map(String).join(' ')}`); },
  warn(...args: unknown[]) { console.warn('plots: vega-lite warning:', ...args); return this; },
  info() { return this; },
  debug() { return this; },
};

/**
 * Render a vega-lite spec to an SVG string, headlessly (vega View with renderer 'none').
 * @example const svg = await renderSvg(lossProgressionSpec([{ name: 'run', losses }]));
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  if (spec === null || typeof spec !== 'object') throw new TypeError('renderSvg: spec must be a vega-lite spec object');
  let view: Vega.View | undefined;
  try {
    const [vega, { compile }] = await loadRenderers();
    const compiled = compile(spec, { logger: vlLogger as never }).spec;
    view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn });
    return await view.toSVG();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`renderSvg: could not render the plot spec: ${msg}`, { cause: e });
  } finally {
    view?.finalize(); // releases dataflow timers/listeners so a long report doesn't leak views
  }
}

/** The DejaVu files resvg needs; without them text would silently not render at all. */
function fontFiles(): string[] {
  if (!existsSync(FONT_REGULAR)) {
    throw new Error(
      `svgToPng: font file ${FONT_REGULAR} not found; plots need DejaVu Sans to render text ` +
        `(Debian/Ubuntu: sudo apt-get install fonts-dejavu-core)`,
    );
  }
  // Bold is optional: titles fall back to synthesized weight from the regular face.
  return existsSync(FONT_BOLD) ? [FONT_REGULAR, FONT_BOLD] : [FONT_REGULAR];
}

/**
 * Rasterize an SVG to PNG with resvg, at `scale` × the SVG's size (default 2), on white.
 * @example writeFileSync('/tmp/loss.png', svgToPng(await renderSvg(spec)));
 */
export function svgToPng(svg: string, o: { scale?: number } = {}): Buffer {
  const scale = o.scale ?? 2;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > 16) {
    throw new RangeError(`svgToPng: scale must be a number in (0, 16], got ${String(o.scale)}`);
  }
  if (typeof svg !== 'string' || !svg.includes('<svg')) throw new TypeError('svgToPng: expected an SVG document string');
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: PLOT_FONT },
  });
  return resvg.render().asPng();
}

/** PNG pixel size from the IHDR chunk (bytes 16..23), so saving doesn't decode the image. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Write via a temp file in the same directory + rename: readers never see half a file. */
async function writeAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Render `spec` and write `<dir>/<name>.svg` and `<dir>/<name>.png` (dir is created).
 * Returns absolute paths and the PNG's pixel size.
 * @example const { png } = await savePlot(epochCurvesSpec(runs, 'loss'), 'runs/report', 'loss-per-epoch');
 */
export async function savePlot(
  spec: TopLevelSpec,
  dir: string,
  name: string,
): Promise<{ svg: string; png: string; width: number; height: number }> {
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new TypeError(`savePlot: invalid plot name ${JSON.stringify(name)} (use only letters, digits, '.', '_' and '-')`);
  }
  if (typeof dir !== 'string' || dir === '') throw new TypeError('savePlot: dir must be a non-empty path');
  // Render both first: a spec or font error then leaves no files at all.
  const svgText = await renderSvg(spec);
  const pngData = svgToPng(svgText);
  const absDir = resolve(dir);
  await mkdir(absDir, { recursive: true });
  const svg = join(absDir, `${name}.svg`);
  const png = join(absDir, `${name}.png`);
  await writeAtomic(svg, svgText);
  await writeAtomic(png, pngData);
  return { svg, png, ...pngSize(pngData) };
}
