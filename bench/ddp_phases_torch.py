"""Twin of bench/ddp-phases.ts: forward / backward / step medians of plain and DDP CNN steps and one
all-reduce's latency, PyTorch's DDP on the same libtorch. One per rank (torchrun's environment)."""
import json
import os
import statistics
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
dist.init_process_group("gloo")
# the CNN class of the step twin (bench/ddp_step_torch.py), without running that script
src = open(os.path.join(os.path.dirname(__file__), "ddp_step_torch.py")).read()
ns = {}
exec(src[src.index("class CNN"):src.index("class ResidualBlock")], {"nn": torch.nn, "F": F}, ns)
model = ns["CNN"]()
ddp = torch.nn.parallel.DistributedDataParallel(model)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x = torch.randn(128, 3, 32, 32)
y = torch.randint(0, 10, (128,))
steps = 30


def phases(m):
    out = []
    for i in range(steps + 1):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = F.cross_entropy(m(x), y)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        if i > 0:
            out.append([(t1 - t0) * 1e3, (t2 - t1) * 1e3, (time.perf_counter() - t2) * 1e3])
    return out


numel = sum(p.numel() for p in model.parameters())
buf = torch.ones(numel)
lat = []
for i in range(60):
    t0 = time.perf_counter()
    dist.all_reduce(buf)
    if i >= 10:
        lat.append((time.perf_counter() - t0) * 1e3)
res = {"rank": dist.get_rank(), "numel": numel, "allReduceLatencyMs": round(statistics.median(lat), 3)}
for r in range(2):
    for name, m in (("plain", model), ("ddp", ddp)):
        dist.barrier()
        p = phases(m)
        res[f"{name}{r}"] = [round(statistics.median(s[k] for s in p), 2) for k in range(3)]
print("PHASES " + json.dumps(res))
dist.destroy_process_group()
