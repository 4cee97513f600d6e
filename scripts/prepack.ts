// `npm pack` / `npm publish` run this first (package.json "prepack"): it makes what the tarball
// ships besides the sources: a clean dist/ (ESM + .d.ts) and the prebuilt addon in
// prebuilds/<platform>-<arch>/ with torchlab.json, which records the libtorch it links (sonames and
// the library files they resolved to, and the Debian package), so that the loader uses it only
// where the same libtorch is found (src/tensor/addon.ts).
//
// Why a prebuilt folder inside the package (as prebuildify does) and not platform packages (as
// @resvg/resvg-js and esbuild do): the addon fits a libtorch, not only a platform, and one tarball
// that carries it installs from a file or a registry alike, with no install script and no second
// package to publish. Only an addon built against a distribution's libtorch is shipped: one built
// against LIBTORCH or a pip torch would only load on the packing machine.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtAddonPath, packageRoot, platformTag, prebuiltDir, resolveLibrary, type PrebuiltManifest } from '../src/tensor/addon.js';
import { buildAddon, buildReason } from '../src/cli/setup.js';
import { findLibtorch } from '../src/cli/libtorch.js';

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { cwd: packageRoot, encoding: 'utf8' });

// 1. dist/, from scratch (no stale files from renamed sources).
rmSync(join(packageRoot, 'dist'), { recursive: true, force: true });
run(process.execPath, [join(packageRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);

// 2. the addon, current with native/ and built against the system libtorch.
const lib = findLibtorch({ ...process.env, LIBTORCH: '', LIBTORCH_USE_PYTORCH: '' });
if (!lib) throw new Error('prepack: the prebuilt addon is built against the system libtorch: apt-get install libtorch-dev');
const reason = buildReason(lib);
if (reason) {
  console.error(`[prepack] ${reason}`);
  buildAddon(lib, (l) => console.error(l));
}

// 3. prebuilds/<platform>/torchlab.{node,json}
const addon = builtAddonPath();
const needed = [...run('readelf', ['-d', addon]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1])
  .filter((so) => /^lib(torch|c10)/.test(so));
const libraries: Record<string, string> = {};
let libtorchPackage = '';
for (const so of needed) {
  const found = resolveLibrary(so);
  if (!found) throw new Error(`prepack: ${so}, which the addon links, is not found`);
  libraries[so] = found.file;
  if (!libtorchPackage) {
    const owner = run('dpkg', ['-S', realpathSync(found.path)]).split(':')[0];  // dpkg knows /usr/lib, not the /lib link
    libtorchPackage = `Debian ${run('dpkg-query', ['-W', '-f', '${Package} ${Version}', owner])}`;
  }
}
const manifest: PrebuiltManifest = {
  platform: platformTag,
  napiVersion: 8,
  torchVersion: run(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(addon)}).version())`]),
  libtorchPackage,
  libraries,
  builtAt: new Date().toISOString(),
};
const out = prebuiltDir();
rmSync(join(packageRoot, 'prebuilds'), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
copyFileSync(addon, join(out, 'torchlab.node'));
writeFileSync(join(out, 'torchlab.json'), JSON.stringify(manifest, null, 2) + '\n');
console.error(`[prepack] prebuilt addon for ${platformTag} against ${libtorchPackage}: ${Object.values(libraries).join(', ')}`);
