#!/usr/bin/env bash
# Cold import time of the package: wall time of `node -e "import('torchlab')"` run in each folder
# given (a checkout with dist/ built, or a project that installed the tarball), alternating between
# the folders round by round so that load from other processes hits them alike; median and minimum
# of N rounds (default 15) after one discarded warm-up round (it fills the page cache, as any second
# start of a program finds it).
#   bash bench/import-time.sh /path/to/old-checkout /path/to/checkout /path/to/project
set -euo pipefail
n=${N:-15}
declare -A times
for round in $(seq 0 "$n"); do
  for dir in "$@"; do
    s=$(date +%s%N)
    (cd "$dir" && node -e "import('torchlab')")
    e=$(date +%s%N)
    [ "$round" -gt 0 ] && times[$dir]+="$(( (e - s) / 1000000 )) "
  done
done
for dir in "$@"; do
  sorted=$(printf '%s\n' ${times[$dir]} | sort -n)
  median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$dir: median $median ms, min $(echo "$sorted" | head -1) ms over $n rounds"
done
