#!/usr/bin/env bash
# Cold import time of the package: `node -e "import('torchlab')"` wall time, median of N runs each,
# for every folder given (a checkout with dist/ built, or a project that installed the tarball).
#   bash bench/import-time.sh /path/to/checkout /path/to/project [...]
# The first run of each is discarded (it warms the page cache, like any second start of a program).
set -euo pipefail
n=${N:-15}
for dir in "$@"; do
  times=()
  for i in $(seq 0 "$n"); do
    s=$(date +%s%N)
    (cd "$dir" && node -e "import('torchlab')")
    e=$(date +%s%N)
    [ "$i" -gt 0 ] && times+=($(( (e - s) / 1000000 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  min=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
  echo "$dir: median ${median} ms, min ${min} ms over $n runs"
done
