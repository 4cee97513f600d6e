"""The lab notebook's CNN train step in PyTorch (torchlab's twin: bench/step.ts).

    /usr/bin/python3 bench/step_torch.py [--batch 256] [--warmup 5] [--steps 30] [--threads N] [--json FILE]

Plain nn.Module + optim.SGD as in the notebook: forward, F.cross_entropy, optimizer.zero_grad(),
backward, optimizer.step(). The batch (random 3x32x32 images, random int64 labels) is made once,
outside the timed region. Each step is split into the same phases as bench/step.ts (forward+loss /
zero grads / backward / optimizer; 'tidyEnd' is the time after the optimizer, i.e. freeing the graph
and the loss when the Python references go away).

Note: in torch 1.13 optimizer.zero_grad() defaults to set_to_none=False (it zeroes the .grad
tensors in place and backward then accumulates into them); torchlab's RawSGD.zeroGrad() sets .grad
to null (set_to_none=True, PyTorch 2.x's default). --set-to-none runs the PyTorch side that way.
"""
import os
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from common_torch import emit, mean, median, parser


class CNN(nn.Module):
    def __init__(self, in_channels=3, image_size=32, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * (image_size // 4) ** 2, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.view(x.size(0), -1))


PHASES = ["forward", "zeroGrad", "backward", "optimizer", "tidyEnd"]


def main():
    p = parser(__doc__)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--set-to-none", action="store_true")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"pytorch step: torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"batch {args.batch}, warmup {args.warmup}, steps {args.steps}"
          + (", zero_grad(set_to_none=True)" if args.set_to_none else ""))

    model = CNN()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(args.batch, 3, 32, 32)
    y = torch.randint(0, 10, (args.batch,))

    def faults():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

    def step():
        f0 = faults()
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        t1 = time.perf_counter()
        f1 = faults()
        optimizer.zero_grad(set_to_none=args.set_to_none)
        t2 = time.perf_counter()
        f2 = faults()
        loss.backward()
        t3 = time.perf_counter()
        f3 = faults()
        optimizer.step()
        t4 = time.perf_counter()
        f4 = faults()
        value = loss.item()
        del loss
        t5 = time.perf_counter()
        f5 = faults()
        ms = lambda a, b: (b - a) * 1e3  # noqa: E731
        return (ms(t0, t5), [ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t3, t4), ms(t4, t5)],
                [f1 - f0, f2 - f1, f3 - f2, f4 - f3, f5 - f4], value)

    first = None
    for i in range(args.warmup):
        _, _, _, v = step()
        if first is None:
            first = v
    totals, phases, phase_faults, last = [], {k: [] for k in PHASES}, {k: [] for k in PHASES}, None
    for _ in range(args.steps):
        total, ph, fl, last = step()
        totals.append(total)
        for k, v, f in zip(PHASES, ph, fl):
            phases[k].append(v)
            phase_faults[k].append(f)

    phase_medians = {k: median(v) for k, v in phases.items()}
    fault_medians = {k: median(v) for k, v in phase_faults.items()}
    print(f"  step ms: median {median(totals):.2f}, mean {mean(totals):.2f}, min {min(totals):.2f}, max {max(totals):.2f}")
    print("  phases (median ms): " + ", ".join(f"{k} {phase_medians[k]:.3f}" for k in PHASES))
    print("  minor page faults per step (median): " + ", ".join(f"{k} {fault_medians[k]:g}" for k in PHASES))
    print(f"  loss: first {first:.4f}, last {last:.4f}")
    emit(args, {"bench": "step" + ("_set_to_none" if args.set_to_none else ""), "threads": torch.get_num_threads(),
                "batch": args.batch, "warmup": args.warmup, "steps": args.steps,
                "medianMs": median(totals), "meanMs": mean(totals), "phasesMs": phase_medians, "faults": fault_medians,
                "malloc": "tuned" if os.environ.get("MALLOC_MMAP_THRESHOLD_") else "default"})


if __name__ == "__main__":
    main()
