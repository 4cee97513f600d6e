#!/usr/bin/env bash
# Data-parallel scaling and all-reduce time, torchlab vs PyTorch's DDP on the same libtorch (issue 12):
# for the lab's CNN and ResNet-18, 1 process x 1 thread alone, then 2 ranks x 1 thread (each rank
# alternating plain and DDP steps). Loopback, Gloo. bash bench/run-ddp.sh   (a few minutes)
# Every process runs with OMP_NUM_THREADS=1, the 1-process baselines included: without it OpenBLAS
# (Debian's libtorch calls it for conv and linear) keeps a second thread spinning on the other
# core in a PyTorch process after torch.set_num_threads(1), so "1 thread" was 2 cores' worth.
# The ceiling row: 2 independent 1-thread processes at once, no communication at all: the most
# that 2 ranks can get out of this machine whatever the framework does.
# JSONL=file keeps the raw lines (and appends to them: MODELS=cnn then MODELS=resnet18, one report).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
MODELS=${MODELS:-cnn resnet18}
out=${JSONL:-$(mktemp -t torchlab-ddp.XXXXXX.jsonl)}
export OMP_NUM_THREADS=1
echo "load average before: $(cat /proc/loadavg)" >&2
port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
for model in $MODELS; do
  node --import tsx bench/ddp-step.ts --model "$model" | tail -1 >>"$out"
  "$PYTHON" bench/ddp_step_torch.py --model "$model" | tail -1 >>"$out"
  for i in 0 1; do node --import tsx bench/ddp-step.ts --model "$model" | tail -1 | sed 's/^{/{"independent":true,/' >>"$out" & done; wait
  for i in 0 1; do "$PYTHON" bench/ddp_step_torch.py --model "$model" | tail -1 | sed 's/^{/{"independent":true,/' >>"$out" & done; wait
  node --import tsx src/cli/main.ts run --nproc-per-node 2 --master-port "$(port)" bench/ddp-step.ts --model "$model" \
    | grep '^\[rank 0\] {' | sed 's/^\[rank 0\] //' >>"$out"
  # torchrun's environment by hand (Debian's torch 1.13 torch.distributed.run fails in its log setup)
  p=$(port)
  for r in 1 0; do
    RANK=$r LOCAL_RANK=$r WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$p \
      "$PYTHON" bench/ddp_step_torch.py --model "$model" | grep '^{' >>"$out" &
  done
  wait
done
echo "load average after: $(cat /proc/loadavg)" >&2
"$PYTHON" bench/ddp_report.py <"$out"
