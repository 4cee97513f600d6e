# Sourced by the bench/run*.sh drivers: the checks and machine facts every side-by-side run starts with.
#   require_addon              exits when build/Release/torchlab.node is missing
#   require_python MODULE...   exits when $PYTHON cannot import one of the modules
#   check_idle                 samples the CPUs' idle share for 2 s and warns below 80%
#                              (figures taken on a busy machine are noise, and OpenMP slows down badly
#                              when its threads are preempted)

require_addon() {
  if [ ! -f build/Release/torchlab.node ]; then
    echo "bench: the addon is not built; run: bash scripts/setup.sh" >&2
    exit 1
  fi
}

require_python() {
  local m
  for m in "$@"; do
    if ! "$PYTHON" -c "import $m" 2>/dev/null; then
      echo "bench: $PYTHON cannot import $m (Debian: apt-get install --no-install-recommends python3-torch python3-torchvision python3-tqdm; or set PYTHON=/path/to/python3)" >&2
      exit 1
    fi
  done
}

check_idle() {
  local a b c d e f g t0 i0 t1 i1 idle
  read -r _ a b c d e f g _ </proc/stat; t0=$((a + b + c + d + e + f + g)); i0=$((d + e))
  sleep 2
  read -r _ a b c d e f g _ </proc/stat; t1=$((a + b + c + d + e + f + g)); i1=$((d + e))
  idle=$((100 * (i1 - i0) / (t1 - t0 > 0 ? t1 - t0 : 1)))
  echo "CPU idle before start: ${idle}%"
  if [ "$idle" -lt 80 ]; then
    echo "WARNING: other processes are using the CPUs; the times will be noisy. Rerun on an idle machine for figures to quote."
  fi
}
