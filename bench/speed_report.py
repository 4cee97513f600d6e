"""Summarizes bench/run-speed.sh's JSON lines (stdin): per model, the median over rounds of each
side's median step time, torchlab's ratio to PyTorch's default layout and to its channels_last, and
the largest per-step loss difference between torchlab and PyTorch (same weights, same batch)."""
import json
import statistics
import sys

rs = [json.loads(line) for line in sys.stdin if line.strip().startswith("{")]
for key in dict.fromkeys((r["model"], r["width"]) for r in rs):
    mine = [r for r in rs if (r["model"], r["width"]) == key]
    tl = [r for r in mine if r["side"] == "torchlab"]
    pd = [r for r in mine if r["side"] == "pytorch" and r["format"] == "contiguous"]
    pc = [r for r in mine if r["side"] == "pytorch" and r["format"] == "channels_last"]
    t = statistics.median(r["medianMs"] for r in tl)
    d = statistics.median(r["medianMs"] for r in pd)
    c = statistics.median(r["medianMs"] for r in pc)
    diff_d = max(abs(a - b) for x, z in zip(tl, pd) for a, b in zip(x["losses"], z["losses"]))
    diff_c = max(abs(a - b) for x, z in zip(tl, pc) for a, b in zip(x["losses"], z["losses"]))
    name = key[0] if key[0] == "cnn-bn" else f"{key[0]} width {key[1]}"
    print(f"{name}: batch {tl[0]['batch']}, {tl[0]['threads']} threads, torchlab format {sorted({r['format'] for r in tl})} "
          f"(calibration {statistics.median(r['calibrationMs'] for r in tl):.0f} ms, once)")
    print(f"  torchlab {t:9.2f} ms   PyTorch default {d:9.2f} ms   PyTorch channels_last {c:9.2f} ms   "
          f"ratio vs default {t / d:.2f}   vs channels_last {t / c:.2f}   (median of {len(tl)} rounds)")
    print(f"  losses, torchlab: {[round(v, 5) for v in tl[0]['losses']]}")
    print(f"  losses, PyTorch default: {[round(v, 5) for v in pd[0]['losses']]}")
    # PyTorch against itself over the rounds: the run-to-run noise of oneDNN's multi-threaded kernels
    noise = max([abs(a - b) for z in pd[1:] for a, b in zip(pd[0]["losses"], z["losses"])]
                + [abs(a - b) for z in pc[1:] for a, b in zip(pc[0]["losses"], z["losses"])] + [0.0])
    first2 = max(abs(a - b) for x in tl for z in pd + pc for a, b in zip(x["losses"][:2], z["losses"][:2]))
    print(f"  max |loss difference| per step: vs PyTorch default {diff_d:.2e}, vs PyTorch channels_last {diff_c:.2e}; "
          f"first two steps {first2:.2e}; PyTorch vs itself over the rounds {noise:.2e}")
