"""Reads bench/run-ddp.sh's JSON lines and prints the scaling and all-reduce table (BENCHMARKS.md)."""
import json
import sys

rows = [json.loads(l) for l in sys.stdin if l.strip()]
by = {(r["side"], r["model"], r["ranks"]): r for r in rows if not r.get("independent")}
# 2 independent 1-thread processes at once (no communication): the summed throughput
indep = {}
for r in rows:
    if r.get("independent"):
        indep.setdefault((r["side"], r["model"]), []).append(r)
print("| model | side | 1 rank: ms/step (batch) | 2 ranks: DDP ms/step | plain ms/step in the same 2 ranks | all-reduce ms/step (DDP - plain) | samples/s 1 -> 2 ranks | scaling |")
print("|---|---|---|---|---|---|---|---|")
for model in dict.fromkeys(r["model"] for r in rows):
    for side in ("torchlab", "pytorch"):
        one, two = by.get((side, model, 1)), by.get((side, model, 2))
        if not one or not two:
            continue
        print(f"| {model} | {side} | {one['plainMs']:.1f} ({one['batchPerRank']}) | {two['ddpMs']:.1f} | {two['plainMs']:.1f} | "
              f"{two['allReduceMs']:.1f} | {one['samplesPerSec']:.0f} -> {two['samplesPerSec']:.0f} | "
              f"{two['samplesPerSec'] / one['samplesPerSec']:.2f}x |")
        pair = indep.get((side, model), [])
        if len(pair) == 2:
            total = sum(p["samplesPerSec"] for p in pair)
            print(f"| {model} | {side}, ceiling: 2 independent 1-thread processes, no communication | | | "
                  f"{' / '.join(format(p['plainMs'], '.1f') for p in pair)} | | {one['samplesPerSec']:.0f} -> {total:.0f} | "
                  f"{total / one['samplesPerSec']:.2f}x |")
    t, p = by.get(("torchlab", model, 2)), by.get(("pytorch", model, 2))
    if t and t.get("flatAfterBackwardMs"):
        print(f"| {model} | torchlab, one flat all-reduce after backward instead of the Reducer | | {t['flatAfterBackwardMs']:.1f} | | "
              f"{t['flatAfterBackwardMs'] - t['plainMs']:.1f} | | |")
    if t and p:
        print(f"| {model} | torchlab / PyTorch | | {t['ddpMs'] / p['ddpMs']:.2f}x | | "
              f"{t['allReduceMs']:.1f} vs {p['allReduceMs']:.1f} ms | | |")
