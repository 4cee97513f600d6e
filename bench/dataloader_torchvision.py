"""Twin of bench/dataloader.ts: torchvision's DataLoader with the notebook's settings (num_workers=2)
on the same synthetic CIFAR-10-shaped data, per-image transforms as torchvision applies them.
Needs Debian's python3-torchvision.   /usr/bin/python3 bench/dataloader_torchvision.py [--epochs 2]
"""
import argparse
import json
import time

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument("--epochs", type=int, default=2)
ap.add_argument("--n", type=int, default=50000)
a = ap.parse_args()
torch.manual_seed(0)
data = torch.randint(0, 256, (a.n, 32, 32, 3), dtype=torch.uint8).numpy()  # HWC, as CIFAR10 stores it
targets = torch.randint(0, 10, (a.n,)).tolist()
transform = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                       T.Normalize((0.4914, 0.4822, 0.4465), (0.247, 0.243, 0.261))])


class Synthetic(torch.utils.data.Dataset):  # what torchvision.datasets.CIFAR10.__getitem__ does
    def __len__(self):
        return a.n

    def __getitem__(self, i):
        return transform(Image.fromarray(data[i])), targets[i]


loader = torch.utils.data.DataLoader(Synthetic(), batch_size=256, shuffle=True, num_workers=2)
rates = []
for _ in range(a.epochs):
    t0 = time.perf_counter()
    images = sum(x.size(0) for x, _ in loader)
    rates.append(images / (time.perf_counter() - t0))
print(json.dumps({"side": "torchvision", "threads": torch.get_num_threads(), "imagesPerSec": round(max(rates))}))
