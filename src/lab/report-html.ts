// The self-contained HTML report: one file with inline CSS and the plots inlined, no scripts, no
// external URLs (a Content-Security-Policy meta tag makes the browser refuse any that slip in), so
// it can be mailed, attached to CI runs or opened from disk years later.
import { readFileSync } from 'node:fs';
import type { LabReport, PlotRef } from './report.js';
import { COLUMNS, checkReport, metaFacts, runRow } from './report-md.js';

export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// Inline SVG is used only when it is plain drawing markup. Anything that could run code, load a
// resource or leak styles into the page sends the plot down the PNG path instead.
const UNSAFE_SVG = [
  /<script/i,
  /<style/i,
  /<foreignObject/i,
  /<iframe|<object|<embed/i,
  /\son[a-z]+\s*=/i,
  /(?:href|src)\s*=\s*["']?\s*(?!#|["'])/i, // any reference that is not a fragment of this SVG
  /url\(\s*["']?\s*(?!#|["'])/i,
  /@import/i,
];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The SVG markup ready to inline, with every id prefixed by `prefix` (vega names its clip paths
 * clip1, clip2... in every plot, so two inlined plots would otherwise clip with each other's
 * rectangles), or null when the file is not a plain, safe SVG.
 */
export function inlineSvg(text: string, prefix: string, label: string): string | null {
  const body = text
    .replace(/^\uFEFF/, '')
    .replace(/<\?xml[\s\S]*?\?>/g, '')
    .replace(/<!DOCTYPE[^>]*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .trim();
  if (!/^<svg[\s>]/.test(body) || !/<\/svg>$/.test(body)) return null;
  // The namespace declarations are the one place a URL legitimately appears; drop them before the
  // safety scan (the HTML parser puts inline <svg> in the SVG namespace by itself).
  const markup = body.replace(/\sxmlns(?::\w+)?\s*=\s*("[^"]*"|'[^']*')/g, '');
  if (UNSAFE_SVG.some((re) => re.test(markup))) return null;
  const renamed = markup
    .replace(/(\sid\s*=\s*)(["'])([^"']+)\2/g, (_m, a: string, q: string, id: string) => `${a}${q}${prefix}${id}${q}`)
    .replace(/url\(\s*(["']?)#([^)"']+)\1\s*\)/g, (_m, q: string, id: string) => `url(${q}#${prefix}${id}${q})`)
    .replace(/(href\s*=\s*)(["'])#([^"']+)\2/g, (_m, a: string, q: string, id: string) => `${a}${q}#${prefix}${id}${q}`);
  // (xlink:href needs no declaration: the HTML parser maps it to the XLink namespace itself.)
  return renamed.replace(/^<svg/, `<svg role="img" aria-label="${htmlEscape(label)}"`);
}

function plotFigure(p: PlotRef, prefix: string): string {
  let svgText: string | null = null;
  try {
    svgText = readFileSync(p.svg, 'utf8');
  } catch (e) {
    throw new Error(`report: cannot read plot SVG ${p.svg}: ${(e as Error).message}`);
  }
  let graphic = inlineSvg(svgText, prefix, p.title);
  if (graphic === null) {
    let png: Buffer;
    try {
      png = readFileSync(p.png);
    } catch (e) {
      throw new Error(`report: cannot read plot PNG ${p.png}: ${(e as Error).message}`);
    }
    if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) {
      throw new Error(`report: ${p.png} is not a PNG file (and ${p.svg} is not a plain SVG to inline)`);
    }
    graphic = `<img alt="${htmlEscape(p.title)}" src="data:image/png;base64,${png.toString('base64')}">`;
  }
  const caption = p.caption ? `<br><span class="caption">${htmlEscape(p.caption)}</span>` : '';
  return `<figure class="plot"><div class="graphic">${graphic}</div><figcaption><strong>${htmlEscape(p.title)}</strong>${caption}</figcaption></figure>`;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'section';
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f7f9; color: #1d2330; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; min-height: 100vh; }
h1 { font-size: 1.6em; margin: 0 0 8px; }
h2 { font-size: 1.3em; margin: 40px 0 8px; padding-top: 16px; border-top: 2px solid #e3e6eb; }
h3 { font-size: 1em; margin: 18px 0 6px; color: #3a4356; }
.meta { color: #4b5366; margin: 0 0 12px; }
.meta span { display: inline-block; margin-right: 16px; }
.meta b { font-weight: 600; color: #1d2330; }
pre { background: #f1f3f6; padding: 8px 12px; border-radius: 4px; overflow-x: auto; font-size: 13px; }
nav { background: #f1f3f6; border-radius: 4px; padding: 8px 16px; margin: 16px 0; }
nav ol { margin: 4px 0; padding-left: 20px; }
a { color: #1f5fbf; }
.question { font-style: italic; color: #3a4356; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0; width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e3e6eb; text-align: left; vertical-align: top; }
th { background: #f1f3f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tr.diverged td { background: #fdecec; }
tr.diverged td.status { color: #b3261e; font-weight: 600; }
ul { padding-left: 22px; }
figure.plot { margin: 16px 0; padding: 12px; border: 1px solid #e3e6eb; border-radius: 4px; display: inline-block; max-width: 100%; }
figure.plot .graphic svg, figure.plot .graphic img { display: block; max-width: 100%; height: auto; }
figcaption { margin-top: 6px; font-size: 13px; color: #4b5366; }
`;

/** The report as one self-contained HTML document (reads the plot files, so they must exist). */
export function renderHtml(report: LabReport): string {
  checkReport(report);
  const anchors = report.sections.map((s, i) => `s${i + 1}-${slug(s.id)}`);
  const facts = metaFacts(report.meta)
    .map(([k, v]) => `<span><b>${htmlEscape(k)}:</b> ${htmlEscape(v)}</span>`)
    .join('');
  const parts: string[] = [];
  parts.push(`<h1>${htmlEscape(report.title)}</h1>`, `<p class="meta">${facts}</p>`);
  if (report.meta.command) parts.push(`<pre><code>${htmlEscape(report.meta.command)}</code></pre>`);
  if (report.sections.length > 0) {
    const items = report.sections.map((s, i) => `<li><a href="#${anchors[i]}">${htmlEscape(s.title)}</a></li>`);
    parts.push(`<nav aria-label="Contents"><strong>Contents</strong><ol>${items.join('')}</ol></nav>`);
  }
  report.sections.forEach((s, i) => {
    const sec: string[] = [];
    sec.push(`<h2>${htmlEscape(s.title)}</h2>`, `<p class="question">${htmlEscape(s.question)}</p>`);
    if (s.runs.length > 0) {
      const head = COLUMNS.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${htmlEscape(c.label)}</th>`).join('');
      const rows = s.runs.map((r) => {
        const row = runRow(r);
        const tds = row.cells.map((cell, k) => {
          const cls = COLUMNS[k].numeric ? 'num' : k === COLUMNS.length - 1 ? 'status' : '';
          return `<td${cls ? ` class="${cls}"` : ''}>${htmlEscape(cell)}</td>`;
        });
        return `<tr${row.diverged ? ' class="diverged"' : ''}>${tds.join('')}</tr>`;
      });
      sec.push(`<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`);
    }
    if (s.lessons.length > 0) {
      sec.push(`<h3>Lessons</h3><ul class="lessons">${s.lessons.map((l) => `<li>${htmlEscape(l)}</li>`).join('')}</ul>`);
    }
    if (s.notes && s.notes.length > 0) {
      sec.push(`<h3>Notes</h3><ul class="notes">${s.notes.map((n) => `<li>${htmlEscape(n)}</li>`).join('')}</ul>`);
    }
    s.plots.forEach((p, j) => sec.push(plotFigure(p, `${anchors[i]}-p${j + 1}-`)));
    parts.push(`<section id="${anchors[i]}">${sec.join('\n')}</section>`);
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<link rel="icon" href="data:,">
<title>${htmlEscape(report.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${parts.join('\n')}
</main>
</body>
</html>
`;
}
