#!/usr/bin/env bash
# Prints the CMake prefix of the libtorch to build against, like tch-rs resolves it:
#   1. LIBTORCH=/path/to/libtorch      (an unpacked libtorch download: has share/cmake/Torch)
#   2. LIBTORCH_USE_PYTORCH=1          (the Python `torch` on PATH, e.g. a pip install with CUDA)
#   3. the system libtorch             (Debian/Ubuntu `libtorch-dev`)
# Exits 1 (printing nothing) when none is found.
set -euo pipefail
if [ -n "${LIBTORCH:-}" ]; then
  for d in "$LIBTORCH/share/cmake/Torch" "$LIBTORCH/lib/cmake/Torch"; do
    [ -f "$d/TorchConfig.cmake" ] && { echo "$LIBTORCH"; exit 0; }
  done
  echo "LIBTORCH=$LIBTORCH has no share/cmake/Torch/TorchConfig.cmake: point it at an unpacked libtorch" >&2
  exit 1
fi
if [ "${LIBTORCH_USE_PYTORCH:-}" = "1" ]; then
  py=$(command -v python3 || command -v python || true)
  [ -n "$py" ] || { echo "LIBTORCH_USE_PYTORCH=1 but no python3 on PATH" >&2; exit 1; }
  prefix=$("$py" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)' 2>/dev/null) || {
    echo "LIBTORCH_USE_PYTORCH=1 but '$py' cannot import torch" >&2; exit 1; }
  echo "$prefix"
  exit 0
fi
for d in /usr/lib/x86_64-linux-gnu/cmake/Torch /usr/lib/aarch64-linux-gnu/cmake/Torch /usr/lib/cmake/Torch \
         /usr/local/lib/cmake/Torch /usr/local/share/cmake/Torch; do
  [ -f "$d/TorchConfig.cmake" ] && { echo "$(dirname "$(dirname "$d")")"; exit 0; }
done
exit 1
