// Builds the lab notebooks from their source, examples/lab-notebook.nb.ts (the "percent" format:
// `// %%` starts a code cell, `// %% [markdown]` a markdown cell whose lines are `// ` comments):
//   examples/lab-notebook.ipynb       for the tslab kernel (Node)
//   examples/lab-notebook-deno.ipynb  for Deno's kernel (`deno jupyter`): the same cells
// A plain TypeScript source keeps the notebook reviewable in diffs; the .ipynb files are committed so
// that `torchlab notebook` can copy them. `--check` exits 1 when they are not up to date.
//   node --import tsx scripts/build-notebook.ts [--check]
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
export const NOTEBOOK_SOURCE = join(root, 'examples', 'lab-notebook.nb.ts');

interface Cell { cell_type: 'markdown' | 'code'; source: string[] }

/** Splits percent-format source into cells (markdown lines lose their `// `). */
export function parseCells(text: string): Cell[] {
  const cells: Cell[] = [];
  let cur: { type: Cell['cell_type']; lines: string[] } | undefined;
  const flush = (): void => {
    if (!cur) return;
    const lines = cur.lines;
    while (lines.length && lines[0].trim() === '') lines.shift();
    while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
    if (lines.length) cells.push({ cell_type: cur.type, source: lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)) });
  };
  for (const line of text.split('\n')) {
    const m = /^\/\/ %%(?: \[(markdown)\])?\s*$/.exec(line);
    if (m) { flush(); cur = { type: m[1] ? 'markdown' : 'code', lines: [] }; continue; }
    if (!cur) continue; // nothing before the first marker
    if (cur.type === 'markdown') {
      if (line.trim() !== '' && !line.startsWith('//')) throw new Error(`markdown cell line is not a comment: ${line}`);
      cur.lines.push(line.replace(/^\/\/ ?/, ''));
    } else cur.lines.push(line);
  }
  flush();
  return cells;
}

const KERNELSPECS = {
  tslab: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' },
  deno: { name: 'deno', display_name: 'Deno', language: 'typescript' },
} as const;

/** The .ipynb text (nbformat 4.5) of `cells` for `kernel`. */
export function notebookJson(cells: Cell[], kernel: keyof typeof KERNELSPECS): string {
  const nb = {
    cells: cells.map((c, i) => (c.cell_type === 'code'
      ? { cell_type: 'code', execution_count: null, id: `cell-${i}`, metadata: {}, outputs: [], source: c.source }
      : { cell_type: 'markdown', id: `cell-${i}`, metadata: {}, source: c.source })),
    metadata: {
      kernelspec: KERNELSPECS[kernel],
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + '\n';
}

export const NOTEBOOK_OUTPUTS = {
  tslab: join(root, 'examples', 'lab-notebook.ipynb'),
  deno: join(root, 'examples', 'lab-notebook-deno.ipynb'),
} as const;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const cells = parseCells(readFileSync(NOTEBOOK_SOURCE, 'utf8'));
  let stale = 0;
  for (const kernel of ['tslab', 'deno'] as const) {
    const file = NOTEBOOK_OUTPUTS[kernel];
    const text = notebookJson(cells, kernel);
    if (check) {
      if (!existsSync(file) || readFileSync(file, 'utf8') !== text) { console.error(`${file} is not up to date: node --import tsx scripts/build-notebook.ts`); stale++; }
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${file} (${cells.length} cells)`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}
