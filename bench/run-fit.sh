#!/usr/bin/env bash
# One training epoch of the notebook's CNN on Fashion-MNIST (60,000 images, batch 1024, SGD lr 0.01):
# torchlab's train.fit vs the notebook's PyTorch code (BasicModel.train_epoch with tqdm,
# torchvision FashionMNIST + ToTensor, DataLoader num_workers=2), in one invocation:
#
#   bash bench/run-fit.sh            # about 2-3 minutes on an idle 2-core machine
#   EPOCHS=5 DIAG=1 bash bench/run-fit.sh
#
# Each run: dataset load (not timed), 1 warm-up epoch, then EPOCHS timed epochs; the median is reported.
# Runs, sequentially on the same machine state: torchlab fit (progress bar on, as in the notebook);
# PyTorch with threads = cores (set_num_threads, as every other benchmark here); PyTorch with torch's
# default thread count (Debian's python3-torch: 1), which is the notebook's code untouched.
# DIAG=1 adds torchlab diagnostics: fit without the progress bar, and the DataLoader alone.
# The progress bars (stderr) go to a log file, the same for both sides (not a terminal).
#
# Environment: PYTHON (default /usr/bin/python3, Debian's, with torch, torchvision and tqdm),
# THREADS (default: the number of cores), EPOCHS (timed epochs per run, default 3), DIAG (0),
# LIMIT (only the first LIMIT training images, for a quick try; default 0: all 60,000),
# OUT (the JSON records; default runs/bench-fit-epoch.jsonl, next to it the summary .txt and the runs'
# stderr .log with the progress bars).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
THREADS=${THREADS:-$(nproc)}
EPOCHS=${EPOCHS:-3}
DIAG=${DIAG:-0}
LIMIT=${LIMIT:-0}
OUT=${OUT:-runs/bench-fit-epoch.jsonl}
LOG=${OUT%.jsonl}.log
mkdir -p "$(dirname "$OUT")"
: >"$OUT"; : >"$LOG"

. bench/preflight.sh
require_addon
require_python torch torchvision tqdm

echo "== machine"
echo "cores (nproc): $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "torch $("$PYTHON" -c 'import torch, torchvision, tqdm; print(torch.__version__, "torchvision", torchvision.__version__, "tqdm", tqdm.__version__)') ($PYTHON)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
check_idle
start=$SECONDS

run() { # label, command...
  local label=$1; shift
  echo "-- $label" >>"$LOG"
  "$@" --epochs "$EPOCHS" --limit "$LIMIT" --json "$OUT" >/dev/null 2>>"$LOG"
  printf '%-50s %s\n' "$label" "$(tail -1 "$OUT" | "$PYTHON" -c 'import json,sys; r=json.load(sys.stdin); print("epochs", r["epochSeconds"], "s")')"
}

echo
echo "== one epoch, 1 warm-up + $EPOCHS timed per run (progress bars: $LOG)"
run "torchlab fit, $THREADS threads" node --import tsx bench/fit-epoch.ts --threads "$THREADS"
run "PyTorch, $THREADS threads, num_workers=2" "$PYTHON" bench/fit_epoch_torch.py --threads "$THREADS"
run "PyTorch, torch's default threads, num_workers=2" "$PYTHON" bench/fit_epoch_torch.py --threads 0
if [ "$DIAG" != 0 ]; then
  run "torchlab fit, no progress bar" node --import tsx bench/fit-epoch.ts --threads "$THREADS" --no-progress
  run "torchlab DataLoader alone" node --import tsx bench/fit-epoch.ts --threads "$THREADS" --loader-only
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $((SECONDS - start)) s"
echo
"$PYTHON" bench/fit_report.py <"$OUT" | tee "${OUT%.jsonl}.txt"
echo "(records: $OUT; summary: ${OUT%.jsonl}.txt; progress bars: $LOG)"
