"""Summarizes bench/run-fit.sh's JSON lines (stdin): median epoch time per run, and torchlab / PyTorch."""
import json
import sys

rs = [json.loads(line) for line in sys.stdin if line.strip().startswith("{")]


def label(r):
    if r["side"] == "torchlab":
        return {"fit": "torchlab fit (progress bar)", "fit-no-progress": "torchlab fit, no progress bar",
                "loader-only": "torchlab DataLoader alone"}[r["mode"]]
    return f"PyTorch, {'default' if r['threadsSetting'] == 'default' else 'set'} threads, num_workers={r['workers']}"


print(f"{'run':40s} {'threads':>7s} {'median s':>9s} {'ms/step':>8s}  epochs (s)")
for r in rs:
    print(f"{label(r):40s} {r['threads']:7d} {r['medianSeconds']:9.3f} {1000 * r['medianSeconds'] / r['steps']:8.1f}  "
          f"{' '.join(f'{t:.2f}' for t in r['epochSeconds'])}")
tl = next((r for r in rs if r["side"] == "torchlab" and r["mode"] == "fit"), None)
pts = [r for r in rs if r["side"] == "pytorch"]
if tl and pts:
    print()
    for p in pts:
        print(f"ratio torchlab / {label(p)} ({p['threads']} thr): {tl['medianSeconds'] / p['medianSeconds']:.2f}")
    best = min(pts, key=lambda p: p["medianSeconds"])
    ratio = tl["medianSeconds"] / best["medianSeconds"]
    print(f"vs the faster PyTorch run: {ratio:.2f}x (target <= 0.8x): {'met' if ratio <= 0.8 else 'NOT met'}")
    print(f"mean losses per epoch (warm-up first): torchlab {tl['epochMeanLosses']}, PyTorch {pts[0]['epochMeanLosses']}")
