// `torchlab setup`: makes this copy of torchlab ready to run, from a checkout or an installed package.
//   1. system packages, with apt when missing: libtorch (the runtime libtorch1.13 when the prebuilt
//      addon fits it, libtorch-dev when the addon must be built), OpenBLAS (libtorch's matmuls and
//      convs run several times faster on it than on the reference BLAS), the lab's offline data
//      (dataset-fashion-mnist), the plots' font (fonts-dejavu-core), cmake, g++ and libgloo-dev
//      (torch.distributed's Gloo headers) when building,
//      and with --with-chromium the browser the report tests use;
//   2. the addon: nothing to do when the prebuilt one fits the libtorch found here and none was
//      built; else built with cmake-js against the libtorch of libtorch.ts (LIBTORCH,
//      LIBTORCH_USE_PYTORCH, or the system's), and rebuilt when a native source or that libtorch
//      changed. Every step is skipped when already done.
// Nothing here loads the addon (it may not exist yet).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  builtAddonPath, buildStampPath, packageRoot, prebuiltDir, prebuiltMismatch, readBuildStamp, readPrebuiltManifest,
  type BuildStamp, type PrebuiltManifest,
} from '../tensor/addon.js';
import { findLibtorch, type Libtorch } from './libtorch.js';

export interface SetupOptions {
  /** Build the addon even when the prebuilt one fits. */
  build?: boolean;
  /** Install missing system packages with apt (default true). */
  apt?: boolean;
  /** Also install Chromium (the report's browser tests). */
  withChromium?: boolean;
  /** Also install Jupyter (Debian) and the tslab and Deno kernels (the notebook tests; see notebook.ts). */
  withJupyter?: boolean;
  log?: (line: string) => void;
}

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const dpkgHas = (pkg: string): boolean => has('dpkg') && spawnSync('dpkg', ['-s', pkg], { stdio: 'ignore' }).status === 0;
const isRoot = (): boolean => process.getuid?.() === 0;

export function aptInstall(pkgs: string[], log: (l: string) => void): void {
  if (!has('apt-get')) throw new Error(`these packages are missing and there is no apt-get to install them: ${pkgs.join(' ')}`);
  const sudo = isRoot() ? [] : has('sudo') ? ['sudo'] : null;
  if (!sudo) throw new Error(`these packages are missing; install them as root: apt-get install --no-install-recommends ${pkgs.join(' ')}`);
  log(`[setup] installing Debian packages: ${pkgs.join(' ')}`);
  const run = (args: string[]): void => {
    const [cmd, ...rest] = [...sudo, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args];
    const r = spawnSync(cmd, rest, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status}); torchlab needs libtorch: ` +
      'apt-get install libtorch-dev libopenblas0, or LIBTORCH=/path/to/libtorch, or LIBTORCH_USE_PYTORCH=1 with a pip torch');
  };
  run(['update', '-q']);
  run(['install', '-y', '-q', '--no-install-recommends', ...pkgs]);
}

/** The prebuilt addon's manifest, when the package has a prebuilt addon for this platform. */
const prebuiltManifest = (): PrebuiltManifest | undefined =>
  existsSync(join(prebuiltDir(), 'torchlab.node')) ? readPrebuiltManifest() : undefined;

/** Why the built addon must be (re)built, or undefined when it is current for `lib`. */
export function buildReason(lib: Libtorch): string | undefined {
  const addon = builtAddonPath();
  if (!existsSync(addon)) return 'no addon is built';
  const stamp = readBuildStamp();
  if (!stamp) return `${buildStampPath()} is missing`;   // an old or foreign build
  if (stamp.libtorchPrefix !== lib.prefix) return `it was built against ${stamp.libtorchPrefix}, now ${lib.prefix} is chosen`;
  const built = statSync(addon).mtimeMs;
  const nativeDir = join(packageRoot, 'native');
  const newer = readdirSync(nativeDir).find((f) => statSync(join(nativeDir, f)).mtimeMs > built);
  return newer ? `native/${newer} changed` : undefined;
}

export function buildAddon(lib: Libtorch, log: (l: string) => void): void {
  log(`[setup] building the native addon against libtorch at ${lib.prefix} (${lib.source})`);
  const require = createRequire(import.meta.url);
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const r = spawnSync(process.execPath, [cmakeJs, 'compile', '--directory', join(packageRoot, 'native'), '--out', join(packageRoot, 'build'),
    '--parallel', String(availableParallelism()), `--CDCMAKE_PREFIX_PATH=${lib.prefix}`, '--log-level', 'warn'],
    // the compiler's output goes to stderr: stdout stays the command's own (npm pack --json prints its JSON there)
    { cwd: packageRoot, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`building the addon failed (cmake-js exit ${r.status}); the compiler's messages are above`);
  // The version the addon reports (the CMake files of Debian's 1.13.1 say 1.13.0).
  const torchVersion = execFileSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(builtAddonPath())}).version())`], { encoding: 'utf8' });
  const stamp: BuildStamp = { libtorchPrefix: lib.prefix, torchVersion, builtAt: new Date().toISOString() };
  writeFileSync(buildStampPath(), JSON.stringify(stamp, null, 2) + '\n');
}

export async function setup(o: SetupOptions = {}): Promise<void> {
  setupTorchlab(o);
  if (o.withJupyter) (await import('./notebook.js')).installJupyter({ apt: o.apt });
}

function setupTorchlab(o: SetupOptions): void {
  const log = o.log ?? ((l: string) => console.log(l));
  const custom = Boolean(process.env.LIBTORCH || process.env.LIBTORCH_USE_PYTORCH === '1');
  const apt = (pkgs: string[]): void => {
    if (!pkgs.length) return;
    if (o.apt === false) throw new Error(`missing: ${pkgs.join(' ')} (sudo apt-get install --no-install-recommends ${pkgs.join(' ')})`);
    aptInstall(pkgs, log);
  };

  // What everything needs, whichever addon runs.
  const want: string[] = [];
  if (!custom && has('dpkg') && !dpkgHas('libopenblas0')) want.push('libopenblas0');
  if (!existsSync('/usr/share/datasets/fashion-mnist')) want.push('dataset-fashion-mnist');
  if (!existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf')) want.push('fonts-dejavu-core');
  if (o.withChromium && !has('chromium')) want.push('chromium');

  // The prebuilt addon serves when it fits the libtorch here and nothing was built here before
  // (a built addon, e.g. against LIBTORCH, always wins at load: keep it current instead).
  const manifest = custom || o.build || existsSync(builtAddonPath()) ? undefined : prebuiltManifest();
  if (manifest) {
    const runtimePkg = /^Debian (\S+)/.exec(manifest.libtorchPackage)?.[1];
    if (prebuiltMismatch(manifest) && runtimePkg && !dpkgHas(runtimePkg)) want.push(runtimePkg);
    apt([...new Set(want)]);
    const mismatch = prebuiltMismatch(manifest);
    if (!mismatch) {
      log(`[setup] the prebuilt addon fits this machine's libtorch (${manifest.libtorchPackage}): nothing to build`);
      return;
    }
    log(`[setup] the prebuilt addon does not fit: ${mismatch}; building from source`);
    want.length = 0;
  }

  // Building: libtorch with its headers and CMake files, cmake, g++.
  let lib = findLibtorch();
  if (!lib && !custom) want.push('libtorch-dev');
  // torch.distributed (native/distributed.cc) compiles against Gloo's headers; Debian's libtorch
  // links libgloo itself but its -dev package does not pull them in.
  if (!custom && !existsSync('/usr/include/gloo/config.h')) want.push('libgloo-dev');
  if (!has('cmake')) want.push('cmake');
  if (!has('g++')) want.push('g++');
  apt([...new Set(want)]);
  lib = lib ?? findLibtorch();
  if (!lib) {
    throw new Error('no libtorch found to build against: sudo apt-get install --no-install-recommends libtorch-dev libopenblas0, ' +
      'or LIBTORCH=/path/to/libtorch, or LIBTORCH_USE_PYTORCH=1 with a pip torch');
  }
  const reason = o.build ? 'asked to build (--build)' : buildReason(lib);
  if (!reason) { log(`[setup] the built addon is current (libtorch at ${lib.prefix})`); return; }
  log(`[setup] ${reason}`);
  buildAddon(lib, log);
}
