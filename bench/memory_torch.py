"""Memory over a long run in PyTorch, the reference for bench/memory.ts: `steps` CNN train steps at a
small batch, sampling VmRSS (from /proc/self/status) every `every` steps.

    /usr/bin/python3 bench/memory_torch.py [--steps 2000] [--batch 32] [--every 100] [--threads N] [--json FILE]
"""
import time

import torch
import torch.nn.functional as F

from common_torch import emit, parser, rss_mib
from step_torch import CNN


def main():
    p = parser(__doc__)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--every", type=int, default=100)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"pytorch memory: threads {torch.get_num_threads()}, {args.steps} steps at batch {args.batch}, "
          f"sample every {args.every}")

    model = CNN()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    series = [{"step": 0, "rssMiB": rss_mib()}]
    t0 = time.perf_counter()
    for i in range(1, args.steps + 1):
        x = torch.randn(args.batch, 3, 32, 32)
        y = torch.randint(0, 10, (args.batch,))
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if i % args.every == 0:
            series.append({"step": i, "rssMiB": rss_mib()})
    seconds = time.perf_counter() - t0

    print("  step   RSS MiB")
    for s in series:
        print(f"  {s['step']:5d}  {s['rssMiB']:7.1f}")
    start = next((s for s in series if s["step"] >= min(200, args.steps)), series[-1])
    end = series[-1]
    after = [s["rssMiB"] for s in series if s["step"] >= start["step"]]
    print(f"  RSS growth step {start['step']} -> {end['step']}: {end['rssMiB'] - start['rssMiB']:.1f} MiB "
          f"(range over those samples {min(after):.1f}..{max(after):.1f} MiB); {seconds:.1f} s")
    emit(args, {"bench": "memory", "threads": torch.get_num_threads(), "steps": args.steps, "batch": args.batch,
                "every": args.every, "series": series, "growthMiB": end["rssMiB"] - start["rssMiB"],
                "fromStep": start["step"], "toStep": end["step"], "seconds": seconds})


if __name__ == "__main__":
    main()
