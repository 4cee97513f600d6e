#!/usr/bin/env bash
# Training steps through nn + optim, torchlab vs PyTorch, alternating sides for ROUNDS rounds:
#   bash bench/run-nn.sh          (about 2-3 minutes on an idle 2-core machine)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
ROUNDS=${ROUNDS:-3}
out=$(mktemp -t torchlab-nn.XXXXXX.jsonl)
for model in cnn resnet18; do
  for r in $(seq "$ROUNDS"); do
    node --import tsx bench/nn-step.ts --model $model | tail -1 >>"$out"
    "$PYTHON" bench/nn_step_torch.py --model $model | tail -1 >>"$out"
  done
done
"$PYTHON" bench/nn_report.py <"$out"
