// runLab's result in a notebook (tslab via display(result), Deno also as a cell's value): the lab
// report itself, the self-contained report.html, in an iframe (its stylesheet stays out of the
// notebook's page), with the report's paths as the text fallback.
import { readFileSync } from 'node:fs';
import { withDisplay } from '../tensor/jupyter.js';
import type { LabResult } from './lab.js';

/** Height of the report's frame in the notebook (CSS pixels); the report scrolls inside it. */
const FRAME_HEIGHT = 800;

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** The HTML a notebook shows for a report file: the page in an iframe's srcdoc. */
export function reportFrameHtml(reportHtmlPath: string): string {
  const page = readFileSync(reportHtmlPath, 'utf8');
  return `<iframe srcdoc="${attr(page)}" style="width: 100%; height: ${FRAME_HEIGHT}px; border: 1px solid #ddd"></iframe>`;
}

export function withReportDisplay(result: LabResult): LabResult {
  return withDisplay(result, () => ({
    'text/html': reportFrameHtml(result.report.html),
    'text/plain': `lab report: ${result.report.html}\n            ${result.report.md}  (${result.seconds.toFixed(0)} s)`,
  }));
}
