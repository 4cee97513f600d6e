// Finding the native addon (native/, libtorch behind Node-API) that this copy of torchlab loads.
//
// Two kinds of addon can sit in the package, tried in this order:
//   1. built   build/Release/torchlab.node, compiled on this machine by `torchlab setup` (or the
//              checkout's scripts/setup.sh) against the libtorch recorded in build/torchlab-build.json;
//   2. prebuilt prebuilds/<platform>-<arch>/torchlab.node, compiled by the packing step (npm pack)
//              against Debian's libtorch and described by torchlab.json beside it. It is used only
//              when the libtorch libraries it links are the ones the dynamic linker finds here (same
//              sonames, same library versions) and LIBTORCH / LIBTORCH_USE_PYTORCH do not ask for
//              another libtorch. No install script is involved, so `npm install` needs no compiler.
// TORCHLAB_ADDON=/path/to/torchlab.node overrides both. When nothing loads, the import throws one
// error listing what was looked for and the command that fixes it.
//
// This file only reads files: it knows nothing of tensors, and `torchlab doctor` uses it to explain
// where the addon came from.
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder (src/tensor or dist/tensor -> two levels up). */
export const packageRoot: string = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
/** This package's version (package.json), like torch.__version__. */
export const torchlabVersion: string = (() => {
  try { return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version; } catch { return 'unknown'; }
})();
export const platformTag = `${process.platform}-${process.arch}`;

/** What the packing step records beside a prebuilt addon (prebuilds/<platform>/torchlab.json). */
export interface PrebuiltManifest {
  platform: string;
  napiVersion: number;
  torchVersion: string;
  /** Where it was built, e.g. "Debian libtorch1.13 1.13.1+dfsg-4". */
  libtorchPackage: string;
  /** Each libtorch soname the addon links -> the file name it resolved to when built (the library's version). */
  libraries: Record<string, string>;
  builtAt: string;
}
/** What `torchlab setup` records beside a built addon (build/torchlab-build.json). */
export interface BuildStamp {
  libtorchPrefix: string;
  torchVersion: string;
  builtAt: string;
}
export interface AddonCandidate {
  kind: 'env' | 'built' | 'prebuilt';
  path: string;
  /** Why it was not used (undefined: it loaded). */
  rejected?: string;
}
export interface AddonOrigin {
  kind: AddonCandidate['kind'];
  path: string;
  /** How it came to be: the build stamp or the prebuilt manifest, when there is one. */
  built?: BuildStamp;
  prebuilt?: PrebuiltManifest;
  /** Every candidate looked at, in order, with why the earlier ones were passed over. */
  candidates: AddonCandidate[];
}

const readJson = <T>(file: string): T | undefined => {
  try { return JSON.parse(readFileSync(file, 'utf8')) as T; } catch { return undefined; }
};

export const builtAddonPath = (): string => join(packageRoot, 'build', 'Release', 'torchlab.node');
export const buildStampPath = (): string => join(packageRoot, 'build', 'torchlab-build.json');
export const prebuiltDir = (platform = platformTag): string => join(packageRoot, 'prebuilds', platform);
export const readBuildStamp = (): BuildStamp | undefined => readJson<BuildStamp>(buildStampPath());
export const readPrebuiltManifest = (): PrebuiltManifest | undefined => readJson<PrebuiltManifest>(join(prebuiltDir(), 'torchlab.json'));

/**
 * The folders the dynamic linker searches for a library without a slash, in its order for our
 * addon: LD_LIBRARY_PATH, the addon's RUNPATH (/usr/lib for Debian's libtorch), then ld.so.conf's
 * folders and the defaults. Reading /etc/ld.so.conf.d is enough here: Debian's multiarch folders
 * are listed there.
 */
export function linkerSearchPath(): string[] {
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean);
  dirs.push('/usr/lib');
  const confDir = '/etc/ld.so.conf.d';
  try {
    for (const f of readdirSync(confDir).filter((n) => n.endsWith('.conf')).sort()) {
      for (const line of readFileSync(join(confDir, f), 'utf8').split('\n')) {
        const d = line.trim();
        if (d.startsWith('/')) dirs.push(d);
      }
    }
  } catch { /* no ld.so.conf.d: the defaults below */ }
  dirs.push('/lib', '/usr/lib', '/lib64', '/usr/lib64');
  return [...new Set(dirs)];
}

/** Where the linker would find `soname`, and the file it points to (its version), or undefined. */
export function resolveLibrary(soname: string, dirs = linkerSearchPath()): { path: string; file: string } | undefined {
  for (const d of dirs) {
    const p = join(d, soname);
    if (existsSync(p)) {
      try { return { path: p, file: basename(realpathSync(p)) }; } catch { /* dangling link: keep looking */ }
    }
  }
  return undefined;
}

/** Why the prebuilt addon cannot be used here (undefined: it can). */
export function prebuiltMismatch(manifest: PrebuiltManifest): string | undefined {
  if (manifest.platform !== platformTag) return `it is for ${manifest.platform}, this is ${platformTag}`;
  if (process.env.LIBTORCH) return `LIBTORCH=${process.env.LIBTORCH} asks for another libtorch than the one it was built for (${manifest.libtorchPackage})`;
  if (process.env.LIBTORCH_USE_PYTORCH === '1') return `LIBTORCH_USE_PYTORCH=1 asks for the pip torch's libtorch, not ${manifest.libtorchPackage}`;
  const dirs = linkerSearchPath();
  for (const [soname, file] of Object.entries(manifest.libraries)) {
    const found = resolveLibrary(soname, dirs);
    if (!found) return `it links ${soname} (${manifest.libtorchPackage}), which is not installed`;
    if (found.file !== file) return `it was built against ${file}, but ${found.path} is ${found.file}`;
  }
  return undefined;
}

/** The addons to try, in order; `check` says why one cannot be used (run only when it is reached). */
function candidates(): (AddonCandidate & { check?: () => string | undefined })[] {
  if (process.env.TORCHLAB_ADDON) return [{ kind: 'env', path: process.env.TORCHLAB_ADDON }];
  const prebuiltPath = join(prebuiltDir(), 'torchlab.node');
  return [{ kind: 'built', path: builtAddonPath() }, {
    kind: 'prebuilt', path: prebuiltPath,
    check: () => {
      if (!existsSync(prebuiltPath)) return `no prebuilt addon for ${platformTag} in this package`;
      const manifest = readPrebuiltManifest();
      return manifest ? prebuiltMismatch(manifest) : `${join(prebuiltDir(), 'torchlab.json')} is missing or unreadable`;
    },
  }];
}

const require = createRequire(import.meta.url);

/** The shortest form of a dlopen error: the library that failed and why. */
function loadError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].replace(/^.*?: (\S+\.so[.\d]*): /, '$1: ');
}

function fixHint(tried: AddonCandidate[]): string {
  const prebuilt = tried.find((c) => c.kind === 'prebuilt');
  let fix: string[];
  if (tried.some((c) => c.kind === 'env')) {
    fix = ['point TORCHLAB_ADDON at a torchlab.node built by `npx torchlab setup`, or unset it'];
  } else if (process.env.LIBTORCH || process.env.LIBTORCH_USE_PYTORCH === '1') {
    fix = ['npx torchlab setup      (builds the addon against the libtorch LIBTORCH / LIBTORCH_USE_PYTORCH names; needs cmake and g++)'];
  } else if (prebuilt && existsSync(prebuilt.path)) {
    fix = ['sudo apt-get install --no-install-recommends libtorch1.13 libopenblas0   (Debian/Ubuntu: the libtorch of the prebuilt addon)',
      'or: npx torchlab setup  (the same with apt, or a build from source against another libtorch)'];
  } else {
    fix = ['npx torchlab setup      (installs Debian\'s libtorch-dev with apt when missing and builds the addon; needs cmake and g++)'];
  }
  return `  To fix it:\n${fix.map((l) => `    ${l}`).join('\n')}`;
}

/** Loads the addon, or throws one Error naming every place looked at and the command that fixes it. */
export function loadAddon(): { exports: unknown; origin: AddonOrigin } {
  const all = candidates();
  const tried: AddonCandidate[] = [];
  for (const { check, ...c } of all) {
    tried.push(c);
    c.rejected = check?.();
    if (c.rejected) continue;
    if (!existsSync(c.path)) { c.rejected = 'not there'; continue; }
    try {
      const exports = require(c.path) as unknown;
      const origin: AddonOrigin = { kind: c.kind, path: c.path, candidates: tried };
      if (c.kind === 'built') origin.built = readBuildStamp();
      if (c.kind === 'prebuilt') origin.prebuilt = readPrebuiltManifest();
      return { exports, origin };
    } catch (e) {
      c.rejected = `failed to load: ${loadError(e)}`;
    }
  }
  const looked = tried.map((c) => `    ${c.kind.padEnd(8)} ${c.path}: ${c.rejected}`).join('\n');
  throw new Error(`torchlab: no usable native addon (libtorch behind Node-API) was found.\n  Looked for:\n${looked}\n${fixHint(tried)}`);
}
