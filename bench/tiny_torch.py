"""Per-op overhead in PyTorch: `a.add(b)` on 1-element float32 tensors, µs per op (torchlab's twin:
bench/tiny.ts). The result of each op is dropped at the next iteration (refcounting frees it).

    /usr/bin/python3 bench/tiny_torch.py [--ops 200000] [--reps 5] [--threads N] [--json FILE]
"""
import time

import torch

from common_torch import emit, median, parser


def main():
    p = parser(__doc__)
    p.add_argument("--ops", type=int, default=200_000)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    print(f"pytorch tiny add: threads {torch.get_num_threads()}, {args.reps} x {args.ops} ops")

    a = torch.ones(1)
    b = torch.ones(1)

    def body(n):
        for _ in range(n):
            a.add(b)

    results = {}
    for name, fn in [("plain", body)]:  # one variant; a list to mirror bench/tiny.ts
        fn(min(args.ops, 20_000))
        runs = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            fn(args.ops)
            runs.append((time.perf_counter() - t0) * 1e6 / args.ops)
        results[name] = {"best": min(runs), "median": median(runs)}
        print(f"  {name:8} {results[name]['best']:.3f} µs/op best, {results[name]['median']:.3f} median")
    emit(args, {"bench": "tiny", "threads": torch.get_num_threads(), "ops": args.ops, "reps": args.reps,
                "usPerOp": results})


if __name__ == "__main__":
    main()
