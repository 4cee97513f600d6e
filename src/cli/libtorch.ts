// Which libtorch to build the addon against, resolved the way tch-rs resolves it:
//   1. LIBTORCH=/path/to/libtorch   an unpacked libtorch download (has share/cmake/Torch)
//   2. LIBTORCH_USE_PYTORCH=1       the Python `torch` on PATH (e.g. a pip install with CUDA)
//   3. the system libtorch          Debian/Ubuntu `libtorch-dev`
// Only reads files and asks python; installing is setup.ts's job.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Libtorch {
  /** The CMake prefix to pass as CMAKE_PREFIX_PATH. */
  prefix: string;
  /** How it was chosen. */
  source: 'LIBTORCH' | 'LIBTORCH_USE_PYTORCH' | 'system';
  /** The CMake package version (Debian's 1.13.1 calls itself 1.13.0 there), when readable. */
  cmakeVersion?: string;
}

const SYSTEM_CMAKE_DIRS = ['/usr/lib/x86_64-linux-gnu/cmake/Torch', '/usr/lib/aarch64-linux-gnu/cmake/Torch', '/usr/lib/cmake/Torch',
  '/usr/local/lib/cmake/Torch', '/usr/local/share/cmake/Torch'];

function cmakeVersion(torchCmakeDir: string): string | undefined {
  try {
    return /set\(PACKAGE_VERSION "([^"]+)"\)/.exec(readFileSync(join(torchCmakeDir, 'TorchConfigVersion.cmake'), 'utf8'))?.[1];
  } catch { return undefined; }
}

/** The libtorch to build against, undefined when there is none; throws when LIBTORCH* names one that is not usable. */
export function findLibtorch(env: NodeJS.ProcessEnv = process.env): Libtorch | undefined {
  if (env.LIBTORCH) {
    for (const d of ['share/cmake/Torch', 'lib/cmake/Torch']) {
      const dir = join(env.LIBTORCH, d);
      if (existsSync(join(dir, 'TorchConfig.cmake'))) return { prefix: env.LIBTORCH, source: 'LIBTORCH', cmakeVersion: cmakeVersion(dir) };
    }
    throw new Error(`LIBTORCH=${env.LIBTORCH} has no share/cmake/Torch/TorchConfig.cmake: point it at an unpacked libtorch`);
  }
  if (env.LIBTORCH_USE_PYTORCH === '1') {
    let prefix: string;
    try {
      prefix = execFileSync('python3', ['-c', 'import torch.utils; print(torch.utils.cmake_prefix_path)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch {
      throw new Error("LIBTORCH_USE_PYTORCH=1 but the python3 on PATH cannot import torch");
    }
    return { prefix, source: 'LIBTORCH_USE_PYTORCH', cmakeVersion: cmakeVersion(join(prefix, 'Torch')) };
  }
  for (const d of SYSTEM_CMAKE_DIRS) {
    if (existsSync(join(d, 'TorchConfig.cmake'))) return { prefix: dirname(dirname(d)), source: 'system', cmakeVersion: cmakeVersion(d) };
  }
  return undefined;
}
