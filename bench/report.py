"""Summary table of a bench/run.sh run: reads the JSON records (one a line) the bench scripts appended
to the file given as the argument, and prints torchlab vs PyTorch with ratios (torchlab / PyTorch;
below 1.00 means torchlab is faster).

    /usr/bin/python3 bench/report.py RECORDS.jsonl

Step times: per side, the median ms/step of each round; the table gives the best (lowest) round,
the one least disturbed by other processes, and the median round (both sides ran in alternation).
The target verdict uses the median round: one process's step time depends on how its heap happens to
settle (minor page faults per step vary between runs of the same program, see the faults rows).
"""
import json
import sys

TARGET_STEP_RATIO = 1.0
TARGET_TINY_US = 1.5
PHASES = ["forward", "zeroGrad", "backward", "optimizer", "tidyEnd"]


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def pick(records, side, bench):
    return [r for r in records if r["side"] == side and r["bench"] == bench]


def ratio(a, b):
    return a / b if b else float("nan")


def row(cells, widths):
    return "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))


def table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    print(row(header, widths))
    print(row(["-" * w for w in widths], widths))
    for r in rows:
        print(row(r, widths))


def main(path):
    recs = load(path)
    verdicts = []

    def default_malloc(rs):
        return [r for r in rs if r.get("malloc", "default") == "default"]

    def tuned_malloc(rs):
        return [r for r in rs if r.get("malloc") == "tuned"]

    tl_all, pt_all = pick(recs, "torchlab", "step"), pick(recs, "pytorch", "step")
    tl_steps, pt_steps = default_malloc(tl_all), default_malloc(pt_all)
    if tl_steps and pt_steps:
        tl = min(tl_steps, key=lambda r: r["medianMs"])
        pt = min(pt_steps, key=lambda r: r["medianMs"])

        def median_round(rs):
            return sorted(rs, key=lambda r: r["medianMs"])[(len(rs) - 1) // 2]

        tl_mid, pt_mid = median_round(tl_steps), median_round(pt_steps)
        print(f"\nCNN train step, batch {tl['batch']}, threads {tl['threads']} (torchlab) / {pt['threads']} (PyTorch); "
              f"{len(tl_steps)} vs {len(pt_steps)} rounds of {tl['steps']} steps")
        rows = [
            ["step median ms (median round)", f"{tl_mid['medianMs']:.2f}", f"{pt_mid['medianMs']:.2f}",
             f"{ratio(tl_mid['medianMs'], pt_mid['medianMs']):.2f}"],
            ["step mean ms (median round)", f"{tl_mid['meanMs']:.2f}", f"{pt_mid['meanMs']:.2f}",
             f"{ratio(tl_mid['meanMs'], pt_mid['meanMs']):.2f}"],
            ["  its phases, median ms:", "", "", ""],
        ]
        for ph in PHASES:
            a, b = tl_mid["phasesMs"][ph], pt_mid["phasesMs"][ph]
            rows.append([f"  {ph}", f"{a:.3f}", f"{b:.3f}", f"{ratio(a, b):.2f}"])
        rows += [
            ["step median ms (best round)", f"{tl['medianMs']:.2f}", f"{pt['medianMs']:.2f}", f"{ratio(tl['medianMs'], pt['medianMs']):.2f}"],
            ["step mean ms (best round)", f"{tl['meanMs']:.2f}", f"{pt['meanMs']:.2f}", f"{ratio(tl['meanMs'], pt['meanMs']):.2f}"],
            ["round medians ms", " ".join(f"{r['medianMs']:.1f}" for r in tl_steps),
             " ".join(f"{r['medianMs']:.1f}" for r in pt_steps), ""],
        ]
        if "faults" in tl and "faults" in pt:
            def faults(rs):
                return " ".join(f"{r['faults']['forward'] + r['faults']['backward']:g}" for r in rs)
            rows.append(["page faults/step, per round", faults(tl_steps), faults(pt_steps), ""])
        table(["", "torchlab", "PyTorch", "ratio"], rows)
        r = ratio(tl_mid["medianMs"], pt_mid["medianMs"])
        rb = ratio(tl["medianMs"], pt["medianMs"])
        verdicts.append(f"step time ratio {r:.2f} median round, {rb:.2f} best round (target <= {TARGET_STEP_RATIO:.1f}): "
                        f"{'OK' if r <= TARGET_STEP_RATIO else 'MISSED'}")

        diag = []

        def diag_row(label, rec, ref):
            f = rec.get("faults", {})
            diag.append([label, f"{rec['medianMs']:.2f}", f"{rec['phasesMs']['forward']:.2f}", f"{rec['phasesMs']['backward']:.2f}",
                         f"{f.get('forward', 0):g}+{f.get('backward', 0):g}", f"{ratio(rec['medianMs'], ref):.2f}"])

        diag_row("torchlab (median round above)", tl_mid, pt_mid["medianMs"])
        diag_row("PyTorch (median round above)", pt_mid, pt_mid["medianMs"])
        for rec in default_malloc(pick(recs, "pytorch", "step_set_to_none")):
            diag_row("PyTorch, zero_grad(set_to_none=True)", rec, pt_mid["medianMs"])
        for rec in default_malloc(pick(recs, "torchlab", "step_forward_tidy")):
            diag_row("torchlab, forward in a nested tidy", rec, pt_mid["medianMs"])
        for rec in tuned_malloc(pt_all):
            diag_row("PyTorch, malloc tuned", rec, pt_mid["medianMs"])
        for rec in tuned_malloc(tl_all):
            diag_row("torchlab, malloc tuned", rec, pt_mid["medianMs"])
        for rec in tuned_malloc(pick(recs, "torchlab", "step_forward_tidy")):
            diag_row("torchlab, malloc tuned + forward tidy", rec, pt_mid["medianMs"])
        if len(diag) > 2:
            print("\ndiagnostics: step variants (ms, median of one round; faults = minor page faults per step;"
                  " ratio vs PyTorch's median round)")
            table(["", "step", "forward", "backward", "faults fwd+bwd", "ratio"], diag)

    tl_tiny, pt_tiny = pick(recs, "torchlab", "tiny"), pick(recs, "pytorch", "tiny")
    if tl_tiny and pt_tiny:
        tl, pt = tl_tiny[-1]["usPerOp"], pt_tiny[-1]["usPerOp"]["plain"]
        print(f"\ntiny op a.add(b), 1-element float32, µs/op ({tl_tiny[-1]['reps']} x {tl_tiny[-1]['ops']} ops; best / median rep)")
        rows = []
        labels = {"tidy": "torchlab, tidy per 1000 ops", "dispose": "torchlab, explicit dispose",
                  "native": "addon alone (no Tensor objects)"}
        for k, label in labels.items():
            if k in tl:
                rows.append([label, f"{tl[k]['best']:.3f} / {tl[k]['median']:.3f}", f"{pt['best']:.3f} / {pt['median']:.3f}",
                             f"{ratio(tl[k]['best'], pt['best']):.2f}"])
        table(["", "torchlab", "PyTorch", "ratio"], rows)
        worst = max(tl[k]["best"] for k in ("tidy", "dispose") if k in tl)
        verdicts.append(f"tiny add {worst:.2f} µs (slower of tidy/dispose, best rep; target <= {TARGET_TINY_US}): "
                        f"{'OK' if worst <= TARGET_TINY_US else 'MISSED'}")

    tl_mem, pt_mem = pick(recs, "torchlab", "memory"), pick(recs, "pytorch", "memory")
    if tl_mem:
        tl = tl_mem[-1]
        pt = pt_mem[-1] if pt_mem else None
        print(f"\nmemory, {tl['steps']} steps at batch {tl['batch']}: RSS MiB every {tl['every']} steps")
        by_step = {s["step"]: s for s in (pt["series"] if pt else [])}
        rows = []
        for s in tl["series"]:
            p = by_step.get(s["step"])
            rows.append([s["step"], f"{s['rssMiB']:.1f}", f"{s['heapMiB']:.1f}" if "heapMiB" in s else "", s["numTensors"],
                         f"{p['rssMiB']:.1f}" if p else ""])
        table(["step", "torchlab RSS", "(V8 heap)", "numTensors", "PyTorch RSS"], rows)
        line = f"RSS growth step {tl['fromStep']} -> {tl['toStep']}: torchlab {tl['growthMiB']:+.1f} MiB"
        heap = {x["step"]: x.get("heapMiB") for x in tl["series"]}
        if heap.get(tl["fromStep"]) is not None:
            line += f" (V8 heap {heap[tl['toStep']] - heap[tl['fromStep']]:+.1f} MiB)"
        if pt:
            line += f", PyTorch {pt['growthMiB']:+.1f} MiB"
        line += f"; run time torchlab {tl['seconds']:.1f} s" + (f", PyTorch {pt['seconds']:.1f} s" if pt else "")
        print(line)
        flat = abs(tl["growthMiB"]) <= 10 and tl["series"][-1]["numTensors"] == tl["series"][min(2, len(tl["series"]) - 1)]["numTensors"]
        heap_growth = (heap[tl["toStep"]] - heap[tl["fromStep"]]) if heap.get(tl["fromStep"]) is not None else 0.0
        status = "MISSED" if not flat else ("SLOW GROWTH" if heap_growth > 2 else "OK")
        verdict = (f"RSS growth {tl['growthMiB']:+.1f} MiB from step {tl['fromStep']}, V8 heap {heap_growth:+.1f} MiB "
                   f"(target: flat: |RSS growth| <= 10 MiB, numTensors constant, V8 heap not growing): {status}")
        if status == "SLOW GROWTH":
            verdict += " (FinalizationRegistry cells pile up in a synchronous loop; see BENCHMARKS.md)"
        verdicts.append(verdict)

    print("\ntargets:")
    for v in verdicts:
        print("  " + v)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
