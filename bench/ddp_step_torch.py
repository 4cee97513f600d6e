"""Twin of bench/ddp-step.ts in PyTorch: data-parallel steps with torch.nn.parallel.DistributedDataParallel
on the same libtorch, one thread per process.

  alone:    /usr/bin/python3 bench/ddp_step_torch.py --model cnn
  2 ranks:  RANK=0|1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 /usr/bin/python3 bench/ddp_step_torch.py (one per rank; see run-ddp.sh)
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

from nn_step_torch_models import CNN, ResNet, ResidualBlock

ap = argparse.ArgumentParser()
ap.add_argument("--model", default="cnn")
ap.add_argument("--batch", type=int, default=0)
ap.add_argument("--steps", type=int, default=0)
ap.add_argument("--rounds", type=int, default=2)
ap.add_argument("--detail", action="store_true")
a = ap.parse_args()
batch = a.batch or (128 if a.model == "cnn" else 16)
steps = a.steps or (20 if a.model == "cnn" else 8)
torch.set_num_threads(1)
torch.manual_seed(0)
distributed = "WORLD_SIZE" in os.environ
if distributed:
    dist.init_process_group("gloo")


model = CNN() if a.model == "cnn" else ResNet(ResidualBlock, [2, 2, 2, 2], in_channels=3)
ddp = nn.parallel.DistributedDataParallel(model) if distributed else None
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9) if a.model == "cnn" else torch.optim.Adam(model.parameters(), lr=0.01)
x = torch.randn(batch, 3, 32, 32)
y = torch.randint(0, 10, (batch,))
model.train()


def time_steps(m, n):
    times = []
    for i in range(n + 1):  # one warm-up step each round
        t0 = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(m(x), y).backward()
        opt.step()
        if i > 0:
            times.append((time.perf_counter() - t0) * 1000)
    return times


plain, par = [], []
for r in range(a.rounds):
    if ddp:
        dist.barrier()
    plain += time_steps(model, steps)
    if ddp:
        dist.barrier()
        par += time_steps(ddp, steps)
world = dist.get_world_size() if distributed else 1


def thread_cpu():
    """Every thread's user + system CPU ms, CPU, migrations (twin of bench/proc-threads.ts)."""
    out = []
    for tid in os.listdir("/proc/self/task"):
        try:
            stat = open(f"/proc/self/task/{tid}/stat").read()
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            f = stat[stat.rindex(")") + 2:].split(" ")
            sched = {}
            for line in open(f"/proc/self/task/{tid}/sched").read().splitlines():
                k, _, v = line.partition(":")
                sched[k.strip()] = v.strip()
            out.append({"tid": int(tid), "comm": comm, "cpuMs": (int(f[11]) + int(f[12])) * 10, "cpu": int(f[36]),
                        "migrations": int(sched.get("se.nr_migrations", "-1")),
                        "involuntary": int(sched.get("nr_involuntary_switches", "-1"))})
        except OSError:
            pass
    return out


if a.detail:
    th = thread_cpu()
    print("DETAIL " + json.dumps({"side": "pytorch", "rank": dist.get_rank() if distributed else 0, "plain": plain, "ddp": par,
                                  "threads": len(th), "busy": [t for t in th if t["cpuMs"] > 0]}))
if not distributed or dist.get_rank() == 0:
    plain_ms = statistics.median(plain)
    ddp_ms = statistics.median(par) if par else None
    print(json.dumps({"side": "pytorch", "model": a.model, "batchPerRank": batch, "ranks": world,
                      "threads": torch.get_num_threads(), "plainMs": round(plain_ms, 3),
                      "ddpMs": None if ddp_ms is None else round(ddp_ms, 3),
                      "allReduceMs": None if ddp_ms is None else round(ddp_ms - plain_ms, 3),
                      "samplesPerSec": round(1000 * batch * world / (ddp_ms or plain_ms), 1)}))
if distributed:
    dist.destroy_process_group()
