"""Report of bench/run-speedrun.sh: per-seed accuracy and wall time of each side, mean ± std, and the
ratio PyTorch time / torchlab time (>= 1.25 is issue 14's target), plus the time each side needed to
first reach a common accuracy on its per-epoch curve.
    /usr/bin/python3 bench/speedrun_report.py runs/bench-speedrun.jsonl
"""
import json
import statistics
import sys


def mean_std(v):
    return statistics.fmean(v), (statistics.stdev(v) if len(v) > 1 else 0.0)


def time_to(curve, target):
    """Wall time at which the per-epoch curve first reaches target (%), or None."""
    for p in curve:
        if p['accuracy'] >= target:
            return p['seconds']
    return None


def main(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    sides = {}
    for r in rows:
        sides.setdefault(r['side'], {})[r['seed']] = r  # a later line for a seed replaces an earlier one
    print(f'{"side":<9} {"seed":>4} {"acc %":>7} {"wall s":>7} {"load s":>6}  layout         threads  loadavg')
    for side in ('torchlab', 'pytorch'):
        for seed, r in sorted(sides.get(side, {}).items()):
            print(f'{side:<9} {seed:>4} {r["accuracy"]:>7.2f} {r["seconds"]:>7.1f} {r["loadSeconds"]:>6.1f}  '
                  f'{r["layout"]:<14} {r["threads"]:>7}  {" ".join(r.get("loadavg", []))}')
    summary = {}
    for side, rs in sides.items():
        acc = mean_std([r['accuracy'] for r in rs.values()])
        sec = mean_std([r['seconds'] for r in rs.values()])
        summary[side] = (acc, sec)
        print(f'{side}: {len(rs)} seeds, accuracy {acc[0]:.2f} ± {acc[1]:.2f} %, wall time {sec[0]:.1f} ± {sec[1]:.1f} s')
    if 'torchlab' in summary and 'pytorch' in summary:
        common = sorted(set(sides['torchlab']) & set(sides['pytorch']))
        ratios = [sides['pytorch'][s]['seconds'] / sides['torchlab'][s]['seconds'] for s in common]
        print(f'PyTorch / torchlab wall time, same seeds ({len(common)}): {statistics.fmean(ratios):.2f}x '
              f'(per seed: {", ".join(f"{x:.2f}" for x in ratios)})')
        # time to a common accuracy: the lower of the two mean final accuracies, minus 0.1 point
        target = min(summary['torchlab'][0][0], summary['pytorch'][0][0]) - 0.1
        for side in ('torchlab', 'pytorch'):
            t = [time_to(r['curve'], target) for r in sides[side].values()]
            reached = [x for x in t if x is not None]
            print(f'{side}: reached {target:.2f} % in {len(reached)}/{len(t)} runs'
                  + (f', after {statistics.fmean(reached):.1f} s on average' if reached else ''))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'runs/bench-speedrun.jsonl')
