"""Helpers shared by the PyTorch side of the benchmark (bench/*_torch.py); mirrors bench/common.ts."""
import argparse
import json
import os
import statistics


def default_threads():
    """The cores this process may run on (what the torchlab side uses: os.availableParallelism())."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--threads", type=int, default=default_threads())
    p.add_argument("--json", default=None, help="append one JSON record to this file (read by bench/run.sh)")
    return p


def emit(args, record):
    if args.json:
        with open(args.json, "a") as f:
            f.write(json.dumps({"side": "pytorch", **record}) + "\n")


def rss_mib():
    """VmRSS of this process from /proc/self/status, in MiB (no psutil needed)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


median = statistics.median
mean = statistics.fmean
