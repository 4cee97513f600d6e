// `torchlab notebook [--kernel tslab|deno] [--execute]`: the lab as a Jupyter notebook in TypeScript.
//   1. Jupyter from Debian (jupyter-client, python3-nbclient, python3-ipykernel, jupyter-notebook,
//      python3-nbconvert), with apt when missing;
//   2. the kernel from npm (tslab, or deno's npm package), installed into a folder of its own
//      (~/.cache/torchlab/kernels, or TORCHLAB_KERNELS) rather than the project: tslab brings a
//      TypeScript whose `tsc` would take the project's node_modules/.bin/tsc over;
//   3. its kernel spec, written into Jupyter's data folder (`jupyter --data-dir`, JUPYTER_DATA_DIR);
//   4. the lab notebook copied into the current folder; with --execute it is run headless with
//      nbclient (Jupyter's own client) and exported to HTML with nbconvert.
// Nothing here loads the addon: the kernel does, when the notebook imports torchlab.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { packageRoot } from '../tensor/addon.js';
import { aptInstall } from './setup.js';

export const KERNELS = ['tslab', 'deno'] as const;
export type KernelName = (typeof KERNELS)[number];

/** The npm packages of the kernels, at the versions torchlab is tested with. */
export const KERNEL_PACKAGES: Record<KernelName, string> = { tslab: 'tslab@1.0.22', deno: 'deno@2.9.6' };
/** Debian's Jupyter: the client and protocol, nbclient (headless runs), the front end, nbconvert. */
export const JUPYTER_DEBS = ['jupyter-client', 'python3-nbclient', 'python3-ipykernel', 'jupyter-notebook', 'python3-nbconvert'];
/** The kernel spec names we write (tslab's and Deno's own names, so notebooks made elsewhere open too). */
export const KERNEL_SPEC: Record<KernelName, { name: string; display: string }> = {
  tslab: { name: 'tslab', display: 'TypeScript' },
  deno: { name: 'deno', display: 'Deno' },
};
/** The lab notebook of each kernel (examples/ in a checkout, dist/notebooks/ in the package). */
export const NOTEBOOK_FILES: Record<KernelName, string> = { tslab: 'lab-notebook.ipynb', deno: 'lab-notebook-deno.ipynb' };

const python = '/usr/bin/python3';
const log = (l: string): void => console.log(l);

export const kernelsDir = (): string => process.env.TORCHLAB_KERNELS ?? join(homedir(), '.cache', 'torchlab', 'kernels');

/** The Debian packages of JUPYTER_DEBS that are not installed (all of them where there is no dpkg). */
export function missingJupyterDebs(): string[] {
  return JUPYTER_DEBS.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
}

/** The kernel's program: tslab's bin script (run with this node) or deno's binary. */
function kernelProgram(kernel: KernelName): string {
  return kernel === 'tslab' ? join(kernelsDir(), 'node_modules', 'tslab', 'bin', 'tslab') : join(kernelsDir(), 'node_modules', 'deno', 'deno');
}

/** Installs the kernel's npm package into kernelsDir() unless it is there already; returns its program. */
export function installKernelPackage(kernel: KernelName): string {
  const program = kernelProgram(kernel);
  if (existsSync(program)) return program;
  const dir = kernelsDir();
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  log(`[notebook] npm install ${KERNEL_PACKAGES[kernel]} into ${dir}`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', KERNEL_PACKAGES[kernel]], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(program)) throw new Error(`npm install ${KERNEL_PACKAGES[kernel]} in ${dir} failed (exit ${r.status}); the npm registry must be reachable`);
  return program;
}

/** Jupyter's data folder, where kernels/<name>/kernel.json go (JUPYTER_DATA_DIR when set). */
export function jupyterDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  const r = spawnSync(python, ['-c', 'import jupyter_core.paths as p; print(p.jupyter_data_dir())'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not ask Jupyter for its data folder (is jupyter-client installed?): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Writes the kernel spec for `kernel` (its program at an absolute path: no PATH needed); returns its file. */
export function installKernelSpec(kernel: KernelName): string {
  const program = installKernelPackage(kernel);
  const argv = kernel === 'tslab'
    ? [process.execPath, program, 'kernel', '--config-path', '{connection_file}']
    : [program, 'jupyter', '--kernel', '--conn', '{connection_file}'];
  const dir = join(jupyterDataDir(), 'kernels', KERNEL_SPEC[kernel].name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'kernel.json');
  writeFileSync(file, JSON.stringify({ argv, display_name: KERNEL_SPEC[kernel].display, language: 'typescript' }, null, 2) + '\n');
  return file;
}

/** Jupyter and the kernels, for `torchlab setup --with-jupyter` (the notebook tests). */
export function installJupyter(o: { apt?: boolean; kernels?: readonly KernelName[] } = {}): void {
  const missing = missingJupyterDebs();
  if (missing.length) {
    if (o.apt === false) throw new Error(`missing: ${missing.join(' ')} (sudo apt-get install --no-install-recommends ${missing.join(' ')})`);
    aptInstall(missing, log);
  }
  for (const k of o.kernels ?? KERNELS) log(`[notebook] ${k} kernel spec: ${installKernelSpec(k)}`);
}

/**
 * Runs a notebook headless with nbclient in its kernel and exports it to HTML with nbconvert.
 * Writes `<name>.executed.ipynb` and `<name>.executed.html` beside it; returns their paths.
 * A cell error fails the run (nbclient's CellExecutionError, with the cell and its traceback).
 */
export function executeNotebook(file: string, kernel: KernelName, o: { timeoutS?: number } = {}): { ipynb: string; html: string } {
  const abs = resolve(file);
  const stem = abs.replace(/\.ipynb$/, '');
  const ipynb = `${stem}.executed.ipynb`;
  const html = `${stem}.executed.html`;
  const script = [
    'import sys, os, nbformat, nbclient',
    'src, out, kernel, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])',
    'nb = nbformat.read(src, as_version=4)',
    'client = nbclient.NotebookClient(nb, kernel_name=kernel, timeout=timeout, resources={"metadata": {"path": os.path.dirname(src)}})',
    'try:',
    '    client.execute()',
    'finally:',
    '    nbformat.write(nb, out)',
  ].join('\n');
  const r = spawnSync(python, ['-c', script, abs, ipynb, KERNEL_SPEC[kernel].name, String(o.timeoutS ?? 3600)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`running ${basename(abs)} in the ${kernel} kernel failed (exit ${r.status}); the failing cell is above, the partial notebook in ${ipynb}`);
  // PNG before SVG: Debian's nbconvert (6.5) passes inline SVG through its HTML sanitizer (clean_html),
  // which strips every element of vega's plots and leaves a blank box; the PNG fallback exports intact.
  const priority = ['application/vnd.jupyter.widget-view+json', 'application/javascript', 'text/html', 'text/markdown', 'image/png',
    'image/jpeg', 'image/svg+xml', 'text/latex', 'application/pdf', 'text/plain'];
  const c = spawnSync(python, ['-m', 'nbconvert', '--to', 'html', '--output', basename(html, '.html'),
    `--NbConvertBase.display_data_priority=${JSON.stringify(priority)}`, ipynb], { stdio: 'inherit' });
  if (c.status !== 0) throw new Error(`nbconvert --to html ${ipynb} failed (exit ${c.status})`);
  return { ipynb, html };
}

/** The first `node_modules/<name>` from `dir` up, as the kernels' module resolution finds packages. */
function findPackageUp(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', name))) return join(d, 'node_modules', name);
    if (dirname(d) === d) return undefined;
  }
}

/**
 * Makes `import 'torchlab'` resolve for the kernels in `dir`. In torchlab's own checkout Node finds it
 * by self-reference, but tslab's type checker (its own compiler options) and Deno look in node_modules
 * only, so the checkout gets node_modules/torchlab linked to itself. Elsewhere a project must have it
 * installed; tslab also needs @types/node there. Returns what is missing, for the message.
 */
function prepareProject(dir: string, kernel: KernelName): string[] {
  const inCheckout = dir === packageRoot || dir.startsWith(packageRoot + sep);
  if (!findPackageUp(dir, 'torchlab') && inCheckout) {
    mkdirSync(join(packageRoot, 'node_modules'), { recursive: true });
    symlinkSync('..', join(packageRoot, 'node_modules', 'torchlab'));
    log(`[notebook] linked ${relative(process.cwd(), join(packageRoot, 'node_modules', 'torchlab')) || '.'} -> the checkout, so that the kernel finds 'torchlab'`);
  }
  const missing = findPackageUp(dir, 'torchlab') ? [] : ['torchlab'];
  if (kernel === 'tslab' && !findPackageUp(dir, join('@types', 'node'))) missing.push('@types/node');
  return missing;
}

export interface NotebookCommandOptions {
  kernel: KernelName;
  execute?: boolean;
  apt?: boolean;
  /** The folder the notebook is copied into (default the current one). */
  dir?: string;
  force?: boolean;
}

/** `torchlab notebook`: Jupyter + the kernel + its spec, the lab notebook copied here, optionally executed. */
export function notebookCommand(o: NotebookCommandOptions): void {
  if (!(KERNELS as readonly string[]).includes(o.kernel)) throw new Error(`unknown kernel '${o.kernel}'; expected ${KERNELS.join(' or ')}`);
  installJupyter({ apt: o.apt, kernels: [o.kernel] });
  // examples/ in a checkout; dist/notebooks/ in the npm package (scripts/prepack.ts copies them there).
  const places = [join(packageRoot, 'examples', NOTEBOOK_FILES[o.kernel]), join(packageRoot, 'dist', 'notebooks', NOTEBOOK_FILES[o.kernel])];
  const src = places.find((p) => existsSync(p));
  if (!src) throw new Error(`the lab notebook is missing from the package: none of ${places.join(', ')}`);
  const dir = resolve(o.dir ?? '.');
  const dest = join(dir, 'lab-notebook.ipynb');
  if (existsSync(dest) && !o.force) log(`[notebook] ${dest} exists: kept (--force replaces it)`);
  else { mkdirSync(dir, { recursive: true }); copyFileSync(src, dest); log(`[notebook] wrote ${dest} (${o.kernel} kernel)`); }
  const missing = prepareProject(dir, o.kernel);
  if (missing.length) log(`[notebook] the notebook imports what is not installed here: npm install ${missing.join(' ')}`);
  if (o.execute) {
    const out = executeNotebook(dest, o.kernel);
    log(`[notebook] executed: ${out.ipynb}\n[notebook] HTML export: ${out.html}`);
    return;
  }
  log(`\nOpen it:  jupyter notebook ${dest}\n(TORCHLAB_QUICK=1 jupyter notebook ... for the quick version; run headless: torchlab notebook --execute)`);
}
