#!/usr/bin/env bash
# Issue 14: a training step as the lab trains it, torchlab (memory format 'auto', as fit picks it)
# vs PyTorch in its default layout and in channels_last, alternating the three for ROUNDS rounds,
# all from the same weights and batch:
#   bash bench/run-speed.sh                       (about 5 minutes on an idle 2-core machine)
#   MODELS="cnn-bn resnet18:16" ROUNDS=3 bash bench/run-speed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
ROUNDS=${ROUNDS:-2}
MODELS=${MODELS:-"cnn-bn resnet18:16 resnet18:64"}
FORMAT=${FORMAT:-auto}
dir=$(mktemp -d -t torchlab-speed.XXXXXX)
trap 'rm -rf "$dir"' EXIT
out="$dir/results.jsonl"
for spec in $MODELS; do
  model=${spec%%:*}
  width=${spec#*:}; [ "$width" = "$spec" ] && width=64
  steps="--warmup 2 --steps 5"; [ "$spec" = "resnet18:64" ] && steps="--warmup 1 --steps 2" # ~8 s a step there
  init="$dir/$model-$width.safetensors"
  for r in $(seq "$ROUNDS"); do
    node --import tsx bench/speed-step.ts --model "$model" --width "$width" --init "$init" --memory-format "$FORMAT" $steps | tail -1 >>"$out"
    "$PYTHON" bench/speed_step_torch.py --model "$model" --width "$width" --init "$init" --memory-format contiguous $steps | tail -1 >>"$out"
    "$PYTHON" bench/speed_step_torch.py --model "$model" --width "$width" --init "$init" --memory-format channels_last $steps | tail -1 >>"$out"
  done
done
"$PYTHON" bench/speed_report.py <"$out"
