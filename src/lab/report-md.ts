// The report's table model (one row of formatted cells per run), input validation and the
// Markdown renderer. report-html.ts renders the same rows, so both outputs always agree.
// Types are imported type-only: report.ts re-exports this module, and a runtime import back
// would make a cycle.
import * as path from 'node:path';
import type { RunResult } from '../train/records.js';
import type { LabReport } from './report.js';

export const EMPTY = '—';

/** Percent with 1 decimal ("86.3%"); non-finite values are printed as-is (a diverged run's NaN is information). */
export function fmtAccuracy(v: number | null | undefined): string {
  if (v === null || v === undefined) return EMPTY;
  return Number.isFinite(v) ? `${v.toFixed(1)}%` : String(v);
}

export function fmtLoss(v: number | null | undefined): string {
  if (v === null || v === undefined) return EMPTY;
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}

export function fmtSeconds(v: number | null | undefined): string {
  if (v === null || v === undefined) return EMPTY;
  return Number.isFinite(v) ? `${v.toFixed(1)} s` : String(v);
}

/** Header of the run table; `numeric` columns are right-aligned in both outputs. */
export const COLUMNS: { label: string; numeric: boolean }[] = [
  { label: 'run', numeric: false },
  { label: 'model', numeric: false },
  { label: 'optimizer', numeric: false },
  { label: 'epochs', numeric: true },
  { label: 'test accuracy', numeric: true },
  { label: 'test loss', numeric: true },
  { label: 'train loss', numeric: true },
  { label: 'time', numeric: true },
  { label: 'status', numeric: false },
];

export interface RunRow {
  diverged: boolean;
  /** Plain-text cells in COLUMNS order (escaping is the renderer's job). */
  cells: string[];
}

// config is whatever the run was given; read it defensively, it may lack any key.
function cfgString(config: Record<string, unknown>, key: string): string | null {
  const v = config[key];
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function optimizerCell(config: Record<string, unknown>): string {
  const parts: string[] = [];
  const opt = cfgString(config, 'optimizer');
  if (opt !== null) parts.push(opt);
  const lr = cfgString(config, 'lr');
  if (lr !== null) parts.push(`lr=${lr}`);
  const momentum = cfgString(config, 'momentum');
  if (momentum !== null) parts.push(`momentum=${momentum}`);
  return parts.length > 0 ? parts.join(' ') : EMPTY;
}

export function statusText(run: RunResult): string {
  if (run.status !== 'diverged') return run.status;
  const d = run.divergence;
  return d ? `diverged at epoch ${d.epoch} step ${d.step}` : 'diverged';
}

export function runRow(run: RunResult): RunRow {
  const config = run.config ?? {};
  const last = run.epochs.length > 0 ? run.epochs[run.epochs.length - 1] : null;
  const planned = cfgString(config, 'epochs');
  // The final evaluation wins; a run without one (e.g. diverged) falls back to its last epoch's test metrics.
  const testAcc = run.test ? run.test.accuracy : (last?.testAccuracy ?? null);
  const testLoss = run.test ? run.test.loss : (last?.testLoss ?? null);
  return {
    diverged: run.status === 'diverged',
    cells: [
      run.name,
      cfgString(config, 'model') ?? EMPTY,
      optimizerCell(config),
      planned !== null ? `${run.epochs.length}/${planned}` : String(run.epochs.length),
      fmtAccuracy(testAcc),
      fmtLoss(testLoss),
      fmtLoss(last ? last.trainLoss : null),
      fmtSeconds(run.seconds),
      statusText(run),
    ],
  };
}

/** One line of meta facts, shared by both outputs. */
export function metaFacts(meta: LabReport['meta']): [string, string][] {
  return [
    ['dataset', meta.dataset],
    ['preset', meta.preset],
    ['device', meta.device],
    ...(meta.processes && meta.processes > 1 ? [['processes', `${meta.processes} (data-parallel; batch sizes are global)`] as [string, string]] : []),
    ['total time', fmtSeconds(meta.seconds)],
    ['torchlab', meta.torchlabVersion],
    ['libtorch', meta.libtorchVersion],
    ['created', meta.createdAt],
  ];
}

// ---------------------------------------------------------------------------------------------
// Validation: the report is assembled by lab code from many runs; a wrong shape should fail
// here with the path of the bad field, not as "cannot read properties of undefined" mid-render.

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function need(cond: boolean, where: string, what: string): asserts cond {
  if (!cond) throw new TypeError(`report: ${where} must be ${what}`);
}

function strArray(v: unknown, where: string): void {
  need(Array.isArray(v), where, 'an array of strings');
  v.forEach((s, i) => need(typeof s === 'string', `${where}[${i}]`, 'a string'));
}

/** Throws a TypeError naming the offending field when `report` is not a well-formed LabReport. */
export function checkReport(report: unknown): asserts report is LabReport {
  need(isObj(report), 'the report', 'an object');
  need(typeof report.title === 'string' && report.title !== '', 'report.title', 'a non-empty string');
  const meta = report.meta;
  need(isObj(meta), 'report.meta', 'an object');
  for (const k of ['dataset', 'preset', 'device', 'createdAt', 'torchlabVersion', 'libtorchVersion']) {
    need(typeof meta[k] === 'string', `report.meta.${k}`, 'a string');
  }
  need(typeof meta.seconds === 'number', 'report.meta.seconds', 'a number');
  need(meta.command === undefined || typeof meta.command === 'string', 'report.meta.command', 'a string if given');
  need(Array.isArray(report.sections), 'report.sections', 'an array of sections');
  const ids = new Set<string>();
  report.sections.forEach((s: unknown, i: number) => {
    const at = `report.sections[${i}]`;
    need(isObj(s), at, 'an object');
    need(typeof s.id === 'string' && s.id !== '', `${at}.id`, 'a non-empty string');
    if (ids.has(s.id)) throw new Error(`report: duplicate section id '${s.id}' (${at})`);
    ids.add(s.id);
    need(typeof s.title === 'string', `${at}.title`, 'a string');
    need(typeof s.question === 'string', `${at}.question`, 'a string');
    strArray(s.lessons, `${at}.lessons`);
    if (s.notes !== undefined) strArray(s.notes, `${at}.notes`);
    need(Array.isArray(s.runs), `${at}.runs`, 'an array of RunResult');
    s.runs.forEach((r: unknown, j: number) => {
      const rat = `${at}.runs[${j}]`;
      need(isObj(r), rat, 'a RunResult object');
      need(typeof r.name === 'string', `${rat}.name`, 'a string');
      need(r.config === undefined || isObj(r.config), `${rat}.config`, 'an object');
      need(r.status === 'completed' || r.status === 'diverged', `${rat}.status`, "'completed' or 'diverged'");
      need(Array.isArray(r.epochs), `${rat}.epochs`, 'an array');
      need(typeof r.seconds === 'number', `${rat}.seconds`, 'a number');
      need(r.test === null || r.test === undefined || isObj(r.test), `${rat}.test`, 'an EvalResult or null');
      need(r.divergence === null || r.divergence === undefined || isObj(r.divergence), `${rat}.divergence`, 'a Divergence or null');
    });
    need(Array.isArray(s.plots), `${at}.plots`, 'an array of PlotRef');
    s.plots.forEach((p: unknown, j: number) => {
      const pat = `${at}.plots[${j}]`;
      need(isObj(p), pat, 'a PlotRef object');
      need(typeof p.title === 'string', `${pat}.title`, 'a string');
      need(typeof p.svg === 'string' && p.svg !== '', `${pat}.svg`, 'a file path');
      need(typeof p.png === 'string' && p.png !== '', `${pat}.png`, 'a file path');
      need(p.caption === undefined || typeof p.caption === 'string', `${pat}.caption`, 'a string if given');
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** Backslash-escapes CommonMark punctuation that could start markup (valid for any ASCII punctuation). */
export function mdEscape(s: string): string {
  return s.replace(/[\\`*_[\]<>|&#]/g, (c) => `\\${c}`).replace(/\s*\n\s*/g, ' ');
}

/** A path relative to `dir`, '/'-separated and percent-encoded per segment so spaces etc. survive as a link. */
export function relLink(dir: string, file: string): string {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel.split(path.sep).map(encodeURIComponent).join('/');
}

export function renderMarkdown(report: LabReport, dir: string): string {
  checkReport(report);
  const out: string[] = [];
  out.push(`# ${mdEscape(report.title)}`, '');
  out.push(metaFacts(report.meta).map(([k, v]) => `**${k}:** ${mdEscape(v)}`).join(' · '), '');
  if (report.meta.command) {
    // A fence longer than any backtick run inside, so the command is shown verbatim.
    const longest = Math.max(2, ...(report.meta.command.match(/`+/g) ?? []).map((m) => m.length));
    const fence = '`'.repeat(longest + 1);
    out.push(`${fence}sh`, report.meta.command, fence, '');
  }
  if (report.sections.length > 0) {
    out.push('## Contents', '');
    for (const s of report.sections) out.push(`- ${mdEscape(s.title)}`);
    out.push('');
  }
  for (const s of report.sections) {
    out.push(`## ${mdEscape(s.title)}`, '', mdEscape(s.question), '');
    if (s.runs.length > 0) {
      out.push(`| ${COLUMNS.map((c) => c.label).join(' | ')} |`);
      out.push(`| ${COLUMNS.map((c) => (c.numeric ? '---:' : '---')).join(' | ')} |`);
      for (const r of s.runs) {
        const row = runRow(r);
        const cells = row.cells.map(mdEscape);
        // Bold the status so a diverged run stands out in the plain text as well.
        if (row.diverged) cells[cells.length - 1] = `**${cells[cells.length - 1]}**`;
        out.push(`| ${cells.join(' | ')} |`);
      }
      out.push('');
    }
    if (s.lessons.length > 0) {
      out.push('**Lessons**', '');
      for (const l of s.lessons) out.push(`- ${mdEscape(l)}`);
      out.push('');
    }
    if (s.notes && s.notes.length > 0) {
      out.push('**Notes**', '');
      for (const n of s.notes) out.push(`- ${mdEscape(n)}`);
      out.push('');
    }
    for (const p of s.plots) {
      out.push(`![${mdEscape(p.title)}](${relLink(dir, p.png)})`, '');
      if (p.caption) out.push(`*${mdEscape(p.caption)}*`, '');
    }
  }
  return out.join('\n');
}
