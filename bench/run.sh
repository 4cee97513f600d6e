#!/usr/bin/env bash
# torchlab vs PyTorch, side by side, in one invocation (no npm needed):
#
#   bash bench/run.sh                 # about 80 s on an idle 2-core machine
#   THREADS=1 ROUNDS=5 bash bench/run.sh
#
# Runs, on the same libtorch (Debian's libtorch1.13 is behind both the addon and python3-torch):
#   1. the notebook's CNN train step at batch 256: bench/step.ts and bench/step_torch.py, ROUNDS
#      rounds alternating the two sides (so that load from other processes hits both alike);
#   2. the tiny-op loop (a.add(b) on 1-element tensors): bench/tiny.ts and bench/tiny_torch.py;
#   3. the memory run (2000 steps at batch 32, RSS every 100 steps): bench/memory.ts and
#      bench/memory_torch.py;
# then prints the summary table (bench/report.py) with the torchlab/PyTorch ratios.
#
# Environment: PYTHON (default /usr/bin/python3: Debian's, which has torch), THREADS (default: the
# number of cores), ROUNDS (default 5), STEPS (timed steps per round, default 30), MEM_STEPS (2000),
# OUT (a file to keep the JSON records in; default a temporary file).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-/usr/bin/python3}
THREADS=${THREADS:-$(nproc)}
ROUNDS=${ROUNDS:-5}
STEPS=${STEPS:-30}
MEM_STEPS=${MEM_STEPS:-2000}
OUT=${OUT:-$(mktemp -t torchlab-bench.XXXXXX.jsonl)}
: >"$OUT"

. bench/preflight.sh
require_addon
require_python torch
NODE=(node --import tsx)

echo "== machine"
echo "cores (nproc): $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "libtorch: $("${NODE[@]}" -e "import('./src/index.ts').then((t) => console.log(t.libtorchVersion))" 2>/dev/null || echo '?')" \
  "(torchlab addon); torch $("$PYTHON" -c 'import torch; print(torch.__version__)') ($PYTHON)" \
  "$(command -v dpkg-query >/dev/null && dpkg-query -W -f='; Debian libtorch1.13 ${Version}' libtorch1.13 2>/dev/null)"
if command -v update-alternatives >/dev/null; then
  echo "libblas.so.3: $(update-alternatives --display libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/.*link currently points to //p')"
fi
echo "threads: $THREADS (both sides); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
check_idle
start=$SECONDS

echo
echo "== 1. CNN train step, batch 256 ($ROUNDS rounds x $STEPS steps per side, alternating)"
for r in $(seq 1 "$ROUNDS"); do
  "$PYTHON" bench/step_torch.py --threads "$THREADS" --steps "$STEPS" --json "$OUT"
  "${NODE[@]}" bench/step.ts --threads "$THREADS" --steps "$STEPS" --json "$OUT"
done
echo
echo "== 1b. diagnostics (one round each): where the step time goes"
# PyTorch with zero_grad(set_to_none=True), what torchlab's RawSGD.zeroGrad does
"$PYTHON" bench/step_torch.py --threads "$THREADS" --steps "$STEPS" --set-to-none --json "$OUT"
# torchlab with the forward in a nested tidy (intermediates' handles dropped when forward ends)
"${NODE[@]}" bench/step.ts --threads "$THREADS" --steps "$STEPS" --forward-tidy --json "$OUT"
# both sides with glibc malloc told to keep freed memory (no mmap/trim churn, so no page faults)
TUNED=(env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296)
echo "(glibc malloc tuned: ${TUNED[*]:1})"
"${TUNED[@]}" "$PYTHON" bench/step_torch.py --threads "$THREADS" --steps "$STEPS" --json "$OUT"
"${TUNED[@]}" "${NODE[@]}" bench/step.ts --threads "$THREADS" --steps "$STEPS" --json "$OUT"
"${TUNED[@]}" "${NODE[@]}" bench/step.ts --threads "$THREADS" --steps "$STEPS" --forward-tidy --json "$OUT"

echo
echo "== 2. tiny op: a.add(b) on 1-element tensors"
"$PYTHON" bench/tiny_torch.py --threads "$THREADS" --json "$OUT"
"${NODE[@]}" bench/tiny.ts --threads "$THREADS" --json "$OUT"

echo
echo "== 3. memory: $MEM_STEPS steps at batch 32"
"${NODE[@]}" bench/memory.ts --threads "$THREADS" --steps "$MEM_STEPS" --json "$OUT"
"$PYTHON" bench/memory_torch.py --threads "$THREADS" --steps "$MEM_STEPS" --json "$OUT"

echo
echo "== summary (load average after: $(cut -d' ' -f1-3 /proc/loadavg); $((SECONDS - start)) s; records in $OUT)"
"$PYTHON" bench/report.py "$OUT"
