// The lab's experiment report: report.md (readable in a terminal or on GitHub, plots linked as
// PNG files next to it) and report.html (one self-contained file with the plots inlined).
// Rendering lives in report-md.ts (table model, validation, Markdown) and report-html.ts.
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunResult } from '../train/records.js';
import { checkReport, renderMarkdown } from './report-md.js';
import { renderHtml } from './report-html.js';

export { renderMarkdown, checkReport } from './report-md.js';
export { renderHtml } from './report-html.js';

/** Absolute file paths written by the plot module. */
export interface PlotRef {
  title: string;
  svg: string;
  png: string;
  caption?: string;
}

export interface ExperimentSection {
  /** e.g. 'learning-rate'; unique within the report. */
  id: string;
  /** e.g. 'The importance of the learning rate'. */
  title: string;
  /** What was compared, one or two sentences. */
  question: string;
  runs: RunResult[];
  /** Sentences computed from the numbers by the caller (rendered as given, escaped). */
  lessons: string[];
  plots: PlotRef[];
  /** e.g. "lr finder suggests 0.05". */
  notes?: string[];
}

export interface LabReport {
  title: string;
  meta: {
    dataset: string;
    preset: string;
    device: string;
    /** Data-parallel processes that trained every run (absent or 1: one process). */
    processes?: number;
    createdAt: string;
    torchlabVersion: string;
    libtorchVersion: string;
    /** Total wall-clock seconds of the lab. */
    seconds: number;
    command?: string;
  };
  sections: ExperimentSection[];
}

function checkPlotFiles(report: LabReport): void {
  for (const s of report.sections) {
    for (const p of s.plots) {
      for (const file of [p.svg, p.png]) {
        if (!existsSync(file) || !statSync(file).isFile()) {
          throw new Error(`report: plot file does not exist: ${file} (section '${s.id}', plot '${p.title}')`);
        }
      }
    }
  }
}

/** Temp file in the same directory, then rename: a reader never sees a half-written report. */
async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes `<dir>/report.html` and `<dir>/report.md` (creating dir) and returns their absolute paths.
 * Both are rendered before either is written, so bad input leaves the directory untouched.
 */
export async function writeReport(dir: string, report: LabReport): Promise<{ html: string; md: string }> {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('writeReport: dir must be a non-empty string');
  checkReport(report);
  checkPlotFiles(report);
  const absDir = path.resolve(dir);
  const md = renderMarkdown(report, absDir);
  const html = renderHtml(report);
  await mkdir(absDir, { recursive: true });
  const out = { html: path.join(absDir, 'report.html'), md: path.join(absDir, 'report.md') };
  await writeAtomic(out.md, md);
  await writeAtomic(out.html, html);
  return out;
}
