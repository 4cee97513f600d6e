#!/usr/bin/env bash
# Training steps through nn + optim, torchlab vs PyTorch, alternating sides for ROUNDS rounds:
#   bash bench/run-nn.sh          (about 2-3 minutes on an idle 2-core machine)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
ROUNDS=${ROUNDS:-3}
for model in cnn resnet18; do
  tl=(); pt=()
  for r in $(seq "$ROUNDS"); do
    tl+=("$(node --import tsx bench/nn-step.ts --model $model | tail -1)")
    pt+=("$("$PYTHON" bench/nn_step_torch.py --model $model | tail -1)")
  done
  printf '%s\n' "${tl[@]}" "${pt[@]}" | "$PYTHON" -c '
import json, statistics, sys
rs = [json.loads(l) for l in sys.stdin if l.strip()]
t = statistics.median(r["medianMs"] for r in rs if r["side"] == "torchlab")
p = statistics.median(r["medianMs"] for r in rs if r["side"] == "pytorch")
r0 = rs[0]
print(f"{r0[\"model\"]:9s} batch {r0[\"batch\"]:3d}, {r0[\"threads\"]} threads: torchlab {t:8.2f} ms  PyTorch {p:8.2f} ms  ratio {t / p:.2f}  (median of rounds; last losses {[r[\"lastLoss\"] for r in rs]})")'
done
