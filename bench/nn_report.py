"""Summarizes bench/run-nn.sh's JSON lines (stdin): median of the rounds' median step times per side."""
import json
import statistics
import sys

rs = [json.loads(line) for line in sys.stdin if line.strip().startswith("{")]
for model in dict.fromkeys(r["model"] for r in rs):
    mine = [r for r in rs if r["model"] == model]
    t = statistics.median(r["medianMs"] for r in mine if r["side"] == "torchlab")
    p = statistics.median(r["medianMs"] for r in mine if r["side"] == "pytorch")
    r0 = mine[0]
    losses = sorted({r["lastLoss"] for r in mine})
    print(f"{model:9s} batch {r0['batch']:3d}, {r0['threads']} threads: torchlab {t:8.2f} ms   PyTorch {p:8.2f} ms   "
          f"ratio {t / p:.2f}   (median of {len(mine) // 2} rounds each; final losses {losses})")
