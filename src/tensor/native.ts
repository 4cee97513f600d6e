// Loads the Node-API addon (native/), built by scripts/setup.sh into build/Release.
// Everything else in torchlab reaches libtorch only through this object; handles it deals in never
// leave src/tensor (they live in private fields of Tensor).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The addon's functions take and return handles (numbers), scalars, arrays and strings.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeFn = (...args: any[]) => any;

function findAddon(): string {
  // src/tensor or dist/tensor -> repo root -> build/Release
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'build', 'Release', 'torchlab.node');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(
    'torchlab: the native addon is not built (build/Release/torchlab.node is missing). ' +
      'Run `npm run setup` (it installs libtorch if needed and builds the addon).',
  );
}

const require = createRequire(import.meta.url);
export const native: Record<string, NativeFn> = require(findAddon());
