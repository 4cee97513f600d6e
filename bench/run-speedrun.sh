#!/usr/bin/env bash
# The speedrun (issue 14) side by side: torchlab (bench/speedrun.ts, the recipe of
# `torchlab speedrun fashion-mnist`) and its PyTorch twin (bench/speedrun_torch.py, PyTorch's default
# contiguous layout), one seed at a time, alternating which side goes first, then the report
# (bench/speedrun_report.py: per-seed figures, mean ± std, the PyTorch/torchlab time ratio).
#
#   bash bench/run-speedrun.sh                       # seeds 0-4: about 10 minutes on 2 cores
#   SEEDS="3 4" OUT=runs/speedrun.jsonl bash bench/run-speedrun.sh   # append more seeds to one file
#   LOCK=/work/measure/cpu.lock bash bench/run-speedrun.sh            # each seed pair under flock LOCK
#
# Environment: SEEDS (default "0 1 2 3 4"), OUT (JSON lines, appended; default
# runs/bench-speedrun.jsonl), PYTHON (default /usr/bin/python3, Debian's torch 1.13), LOCK (a file to
# flock around each seed pair, so that the machine is otherwise idle), TORCH_ARGS / TL_ARGS (extra
# arguments for each side, e.g. TORCH_ARGS=--channels-last).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
SEEDS=${SEEDS:-0 1 2 3 4}
OUT=${OUT:-runs/bench-speedrun.jsonl}
mkdir -p "$(dirname "$OUT")"
. bench/preflight.sh
require_addon
require_python torch

pair() {  # seed, first side
  local s=$1
  echo "load average before seed $s: $(cut -d' ' -f1-3 /proc/loadavg)"
  local tl="node --import tsx bench/speedrun.ts --seed $s --json $OUT ${TL_ARGS:-}"
  local py="$PYTHON bench/speedrun_torch.py --seed $s --no-progress --json $OUT ${TORCH_ARGS:-}"
  if [ $((s % 2)) -eq 0 ]; then $tl; $py; else $py; $tl; fi
}
for s in $SEEDS; do
  if [ -n "${LOCK:-}" ]; then
    export -f pair; export OUT PYTHON TL_ARGS TORCH_ARGS
    flock "$LOCK" bash -c "pair $s"
  else
    pair "$s"
  fi
done
"$PYTHON" bench/speedrun_report.py "$OUT"
