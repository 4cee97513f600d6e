// The notebook tests' plumbing: a fresh project folder with torchlab installed (a link to this
// checkout, as `npm install torchlab` would leave it), `torchlab notebook --execute` run in it with
// the quick switch on, and readers for the executed .ipynb.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');

export interface Output {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error';
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}
export interface Cell { cell_type: 'code' | 'markdown'; source: string | string[]; outputs?: Output[] }

export const join1 = (t: string | string[] | undefined): string => (Array.isArray(t) ? t.join('') : t ?? '');
export const source = (c: Cell): string => join1(c.source);

/** A project folder with node_modules/torchlab (this checkout) and @types/node (tslab type-checks cells). */
export function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'torchlab-notebook-'));
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'torchlab'));
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'));
  writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  return dir;
}

/**
 * `torchlab notebook --kernel K --execute` in `dir` with TORCHLAB_QUICK=1; Jupyter's kernel specs go
 * to dir/jupyter (JUPYTER_DATA_DIR), not the user's. Returns the command's result and the cells.
 */
export function executeLab(dir: string, kernel: 'tslab' | 'deno'): { status: number | null; log: string; cells: Cell[]; html: string; ms: number } {
  const env: NodeJS.ProcessEnv = { ...process.env, TORCHLAB_QUICK: '1', JUPYTER_DATA_DIR: join(dir, 'jupyter') };
  delete env.TORCHLAB_NOTEBOOK; // (turns notebook output off when '0')
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'notebook', '--kernel', kernel, '--execute', '--force', '--no-apt'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 9 * 60_000,
    env,
  });
  const ms = performance.now() - t0;
  const log = `${r.stdout}\n${r.stderr}`;
  let cells: Cell[] = [];
  try {
    cells = (JSON.parse(readFileSync(join(dir, 'lab-notebook.executed.ipynb'), 'utf8')) as { cells: Cell[] }).cells;
  } catch { /* no executed notebook: the status and log say why */ }
  return { status: r.status, log, cells, html: join(dir, 'lab-notebook.executed.html'), ms };
}

/** Width and height of a base64 PNG from a notebook output (decoded in full: it must be a valid PNG). */
export function pngSize(b64: string | string[]): { width: number; height: number } {
  const png = PNG.sync.read(Buffer.from(join1(b64), 'base64'));
  return { width: png.width, height: png.height };
}

export const TEST_SET = /^Test set: Avg\. loss: (\d+\.\d{4}), Accuracy: (\d+)\/(\d+) \((\d+)%\)$/gm;

/**
 * What the lab notebook's outputs must be after a quick run, in any kernel (done-when 1 of issue 13):
 * no errors; both sample-grid cells show a PNG of the grid's size; each of the 8 fit cells shows its
 * progress bar as one display per epoch (final tqdm text, no stream lines) and the loss plot as SVG
 * with a PNG fallback, then predict's line; the last cell prints the ResNet as PyTorch does.
 */
export function labOutputProblems(cells: Cell[], expectedPrint: string): string[] {
  const problems: string[] = [];
  const code = cells.filter((c) => c.cell_type === 'code');
  for (const c of code) for (const o of c.outputs ?? []) {
    if (o.output_type === 'error') problems.push(`cell error ${o.ename}: ${o.evalue} in\n${source(c).slice(0, 200)}`);
    if (o.output_type === 'stream' && o.name === 'stderr') problems.push(`stderr output: ${join1(o.text).slice(0, 300)}`);
  }
  // 10 Fashion-MNIST images of 28x28, 5 per row, padding 10: (5*38+10) x (2*38+10) = 200 x 86.
  const grids = code.filter((c) => source(c).includes('show('));
  const gridPngs = grids.flatMap((c) => (c.outputs ?? []).filter((o) => o.data?.['image/png']).map((o) => pngSize(o.data!['image/png'])));
  if (grids.length !== 2 || JSON.stringify(gridPngs) !== JSON.stringify([{ width: 200, height: 86 }, { width: 200, height: 86 }])) {
    problems.push(`sample grids: ${grids.length} cells, PNGs ${JSON.stringify(gridPngs)}`);
  }
  const fits = code.filter((c) => source(c).includes('.fit('));
  if (fits.length !== 8) problems.push(`${fits.length} fit cells, expected 8`);
  for (const [i, c] of fits.entries()) {
    const outs = c.outputs ?? [];
    const bars = outs.filter((o) => o.output_type === 'display_data' && /^Epoch \d+: /.test(join1(o.data?.['text/plain'])));
    // Quick: one epoch per fit, so one bar, drawn at 0 and replaced in place up to n/n.
    const bar = join1(bars[0]?.data?.['text/plain']);
    const m = /^Epoch 0: 100%\|█{10}\| (\d+)\/(\d+) \[\d\d:\d\d<00:00, +[\d.]+(?:it\/s|s\/it), loss=[\d.e+-]+, stage=train\]$/.exec(bar);
    if (bars.length !== 1 || !m || m[1] !== m[2]) problems.push(`fit cell ${i}: bars ${JSON.stringify(bars.map((b) => b.data?.['text/plain']))}`);
    const streams = outs.filter((o) => o.output_type === 'stream').map((o) => join1(o.text)).join('');
    if (/Epoch \d/.test(streams) || streams.split('\n').filter(Boolean).length !== 1) problems.push(`fit cell ${i}: stream lines ${JSON.stringify(streams)}`);
    const results = [...streams.matchAll(TEST_SET)];
    if (results.length !== 1 || results[0][3] !== '2000' || Number(results[0][4]) !== Math.round((100 * Number(results[0][2])) / 2000)) {
      problems.push(`fit cell ${i}: predict's line missing or wrong: ${JSON.stringify(streams)}`);
    }
    const plots = outs.filter((o) => o.data?.['image/svg+xml'] && o.data?.['image/png']);
    const plotSize = plots.length === 1 ? pngSize(plots[0].data!['image/png']) : undefined;
    if (!plotSize || plotSize.width < 200 || plotSize.height < 100 || !join1(plots[0].data!['image/svg+xml']).includes('Loss progression')) {
      problems.push(`fit cell ${i}: loss plot ${JSON.stringify(plotSize)} (${plots.length} plot outputs)`);
    }
  }
  const last = code[code.length - 1];
  const printed = (last.outputs ?? []).map((o) => join1(o.text ?? o.data?.['text/plain'])).join('');
  if (printed.trimEnd() !== expectedPrint.trimEnd()) problems.push(`last cell prints:\n${printed}\nexpected PyTorch's:\n${expectedPrint}`);
  return problems;
}
