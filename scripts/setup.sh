#!/usr/bin/env bash
# The checkout's setup, run before `npm start` and `npm test` (and by CI):
#   npm ci -> `torchlab setup` (Debian packages when missing: libtorch-dev, OpenBLAS, Fashion-MNIST,
#   DejaVu fonts, cmake/g++, with --test also Chromium for the report's browser test; then the addon,
#   built or rebuilt when native/ or the chosen libtorch changed) -> dist/.
# The setup step is the same code an installed package runs as `npx torchlab setup` (src/cli/setup.ts).
# Each step is skipped when already done, so a second run takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. npm dependencies first: the setup command runs on them (tsx, cmake-js). Only the npm registry is used.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund
fi

# 2. system packages and the native addon (LIBTORCH / LIBTORCH_USE_PYTORCH choose another libtorch)
node --import tsx src/cli/main.ts setup $([ "${1:-}" = "--test" ] && echo --with-chromium)

# 3. the compiled package (dist/: ESM + .d.ts), which `import 'torchlab'` resolves to
if [ ! -f dist/index.js ] || [ -n "$(find src -newer dist/index.js -type f | head -1)" ]; then
  echo "[setup] compiling TypeScript to dist/"
  npx tsc -p tsconfig.build.json
fi
