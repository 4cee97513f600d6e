#!/usr/bin/env bash
# DataLoader throughput, torchlab vs torchvision (num_workers=2, the notebook's setting), same
# synthetic CIFAR-10-shaped data and augmentation. Needs Debian's python3-torchvision:
#   sudo apt-get install --no-install-recommends python3-torchvision; bash bench/run-data.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
tl=$(node --import tsx bench/dataloader.ts | tail -1)
tv=$("$PYTHON" bench/dataloader_torchvision.py | tail -1)
echo "$tl"; echo "$tv"
"$PYTHON" -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
ta, tb = a["imagesPerSec"], b["imagesPerSec"]
print(f"torchlab {ta:,} images/s vs torchvision {tb:,} images/s: {ta / tb:.1f}x (target >= 5x)")' "$tl" "$tv"
