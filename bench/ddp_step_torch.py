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


# the models of bench/nn_step_torch.py
class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(16, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2))
        self.out = nn.Linear(2048, 10)

    def forward(self, x):
        x = self.conv(x)
        return self.out(x.view(x.size(0), -1))


class ResidualBlock(nn.Module):  # the notebook's CorrectBlock
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super().__init__()
        self.in_planes = 64
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = self._make_layer(block, 64, num_blocks[0], 1)
        self.layer2 = self._make_layer(block, 128, num_blocks[1], 2)
        self.layer3 = self._make_layer(block, 256, num_blocks[2], 2)
        self.layer4 = self._make_layer(block, 512, num_blocks[3], 2)
        self.linear = nn.Linear(512, num_classes)

    def _make_layer(self, block, planes, n, stride):
        layers = []
        for s in [stride] + [1] * (n - 1):
            layers.append(block(self.in_planes, planes, s))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
        out = F.avg_pool2d(out, 4)
        return self.linear(out.view(out.size(0), -1))



model = CNN() if a.model == "cnn" else ResNet(ResidualBlock, [2, 2, 2, 2])
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
