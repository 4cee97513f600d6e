#!/usr/bin/env bash
# One idempotent setup step, run before `npm start` and `npm test` (and by CI):
#   system packages (libtorch, OpenBLAS, Fashion-MNIST, DejaVu fonts; with --test also Chromium
#   for the report's browser test) -> npm ci -> native addon -> dist/.
# Each step is skipped when already done, so a second run takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_install() {
  command -v apt-get >/dev/null || return 1
  echo "[setup] installing Debian packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# 1. libtorch (see scripts/find-libtorch.sh for LIBTORCH / LIBTORCH_USE_PYTORCH)
want=()
if ! prefix=$(bash scripts/find-libtorch.sh); then
  if [ -n "${LIBTORCH:-}${LIBTORCH_USE_PYTORCH:-}" ]; then exit 1; fi
  want+=(libtorch-dev libopenblas0)
fi
# OpenBLAS makes libtorch's CPU matmuls/convs several times faster than the reference BLAS.
if command -v dpkg >/dev/null && [ -z "${LIBTORCH:-}${LIBTORCH_USE_PYTORCH:-}" ] && ! dpkg -s libopenblas0 >/dev/null 2>&1; then
  want+=(libopenblas0)
fi
# The offline default data of the project (Fashion-MNIST as IDX .gz).
[ -d /usr/share/datasets/fashion-mnist ] || want+=(dataset-fashion-mnist)
# The font plots are rendered with (resvg gets the files explicitly; without them text would not render).
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || want+=(fonts-dejavu-core)
# Headless Chromium, only for the tests (the report is opened and screenshotted in it).
if [ "${1:-}" = "--test" ] && ! command -v chromium >/dev/null; then want+=(chromium); fi
# cmake and a C++ compiler for the addon.
command -v cmake >/dev/null || want+=(cmake)
command -v g++ >/dev/null || want+=(g++)
if [ ${#want[@]} -gt 0 ]; then
  if ! apt_install $(printf '%s\n' "${want[@]}" | sort -u); then
    cat >&2 <<MSG
[setup] could not install: ${want[*]}
  torchlab needs libtorch. Either install it (Debian/Ubuntu: sudo apt-get install libtorch-dev libopenblas0),
  or set LIBTORCH=/path/to/unpacked/libtorch, or LIBTORCH_USE_PYTORCH=1 to use the pip 'torch' on PATH.
MSG
    exit 1
  fi
  prefix=$(bash scripts/find-libtorch.sh)
fi

# 2. npm dependencies (offline-safe: only the npm registry is used)
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund
fi

# 3. the addon, rebuilt when a native source or the libtorch prefix changed
addon=build/Release/torchlab.node
stamp=build/.libtorch-prefix
if [ ! -f "$addon" ] || [ -n "$(find native -newer "$addon" -type f | head -1)" ] ||
   [ "$(cat "$stamp" 2>/dev/null)" != "$prefix" ]; then
  echo "[setup] building the native addon against libtorch at $prefix"
  npx cmake-js compile --directory native --out build --parallel "$(nproc 2>/dev/null || echo 2)" \
    --CDCMAKE_PREFIX_PATH="$prefix" --log-level warn
  echo "$prefix" > "$stamp"
fi

# 4. the compiled package (dist/: ESM + .d.ts), which `import 'torchlab'` resolves to
if [ ! -f dist/index.js ] || [ -n "$(find src -newer dist/index.js -type f | head -1)" ]; then
  echo "[setup] compiling TypeScript to dist/"
  npx tsc -p tsconfig.build.json
fi
