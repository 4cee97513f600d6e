"""Twin of bench/fit-epoch.ts in PyTorch: one training epoch of the notebook's CNN on Fashion-MNIST,
with the notebook's own code: BasicModel.train_epoch (tqdm bar, set_postfix, loss.item() per step),
torchvision.datasets.FashionMNIST + transforms.ToTensor(), DataLoader(batch_size=1024, shuffle=True,
num_workers=2), SGD lr 0.01, F.cross_entropy.

  /usr/bin/python3 bench/fit_epoch_torch.py [--epochs 3] [--warmup 1] [--threads N] [--workers 2] [--limit N]

Timed per epoch (time.perf_counter around train_epoch): creating the DataLoader iterator (which starts
the 2 worker processes, as every epoch of the notebook does), per-sample PIL decode + ToTensor + collate
in the workers, forward/backward/step, loss.item() twice per step and the tqdm bar. Not timed: reading
the dataset files (FashionMNIST(...)) and building the model. --threads 0 keeps torch's default intra-op
thread count (Debian's python3-torch starts with 1; the notebook does not change it).
The Debian IDX files are symlinked and unpacked into a temporary root laid out as torchvision expects
(<root>/FashionMNIST/raw/*-ubyte[.gz]), once, not timed; the temp root is removed at exit.
"""
import argparse
import atexit
import gzip
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import torchvision.transforms as transforms
from tqdm import tqdm

ap = argparse.ArgumentParser()
ap.add_argument("--epochs", type=int, default=3, help="timed epochs (after the warm-up)")
ap.add_argument("--warmup", type=int, default=1)
ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)), help="0: torch's default")
ap.add_argument("--workers", type=int, default=2)
ap.add_argument("--batch", type=int, default=1024)
ap.add_argument("--limit", type=int, default=0, help="use only the first N training images (development)")
ap.add_argument("--root", default="/usr/share/datasets/fashion-mnist")
ap.add_argument("--json", default=None)
a = ap.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
torch.manual_seed(0)


class BasicModel(nn.Module):  # the notebook's, minus fit's plotting and predict (not timed here)
    def train_epoch(self, train_dataloader, optimizer, epoch_idx, device):
        epoch_losses = []
        running_loss = 0.0

        self.train()
        tk0 = tqdm(train_dataloader, total=len(train_dataloader), desc=f"Epoch {epoch_idx}")
        for batch_idx, (data, target) in enumerate(tk0):
            data, target = data.to(device), target.to(device)

            # zero the parameter gradients
            optimizer.zero_grad()

            # forward + backward + optimize
            output = self(data)
            loss = F.cross_entropy(output, target)
            loss.backward()
            optimizer.step()

            # print statistics
            running_loss += loss.item()
            avg_loss = running_loss / (batch_idx + 1)
            tk0.set_postfix(loss=avg_loss, stage="train")
            epoch_losses.append(loss.item())

        return epoch_losses


class CNN(BasicModel):  # the notebook's CNN for 1×28×28 inputs
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels=1, out_channels=16, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2),
            nn.Conv2d(in_channels=16, out_channels=32, kernel_size=3, stride=1, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.out = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = self.conv(x)
        x = x.view(x.size(0), -1)
        x = self.out(x)
        return x


def torchvision_root(src):
    """A temp root laid out as torchvision expects: <tmp>/FashionMNIST/raw/ with the Debian .gz files
    (symlinked, under torchvision's names) and their unpacked copies, which is what FashionMNIST reads.
    torchvision's own download=True would fetch from the network first (none here), so the unpacking
    its download() would do is done here; the dataset is then opened with download=False."""
    tmp = tempfile.mkdtemp(prefix="torchlab-fmnist-")
    raw = os.path.join(tmp, "FashionMNIST", "raw")
    os.makedirs(raw)
    for name, _md5 in torchvision.datasets.FashionMNIST.resources:
        os.symlink(os.path.join(src, name), os.path.join(raw, name))
        with gzip.open(os.path.join(src, name)) as fin, open(os.path.join(raw, name[:-3]), "wb") as fout:
            shutil.copyfileobj(fin, fout)
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    return tmp


DEVICE = torch.device("cpu")
t_load = time.perf_counter()
transform = transforms.Compose([transforms.ToTensor()])
train_dataset = torchvision.datasets.FashionMNIST(root=torchvision_root(a.root), train=True, download=False, transform=transform)
if a.limit:
    train_dataset = torch.utils.data.Subset(train_dataset, range(a.limit))
load_s = time.perf_counter() - t_load

train_dataloader = torch.utils.data.DataLoader(dataset=train_dataset, batch_size=a.batch, shuffle=True, num_workers=a.workers)
cnn = CNN().to(DEVICE)
optimizer = torch.optim.SGD(cnn.parameters(), lr=0.01)

times, losses = [], []
for epoch in range(a.warmup + a.epochs):
    t0 = time.perf_counter()
    epoch_losses = cnn.train_epoch(train_dataloader=train_dataloader, optimizer=optimizer, epoch_idx=epoch, device=DEVICE)
    dt = time.perf_counter() - t0
    mean_loss = sum(epoch_losses) / len(epoch_losses)
    losses.append(round(mean_loss, 4))
    if epoch >= a.warmup:
        times.append(dt)
    print(f"epoch {epoch}{' (warm-up)' if epoch < a.warmup else ''}: {dt:.3f} s, mean loss {mean_loss:.4f}", file=sys.stderr)

rec = {"side": "pytorch", "threads": torch.get_num_threads(), "threadsSetting": a.threads or "default", "workers": a.workers,
       "batch": a.batch, "samples": len(train_dataset), "steps": len(train_dataloader), "warmup": a.warmup,
       "epochSeconds": [round(t, 3) for t in times], "medianSeconds": round(statistics.median(times), 3),
       "epochMeanLosses": losses, "datasetLoadSeconds": round(load_s, 3)}
if a.json:
    with open(a.json, "a") as f:
        f.write(json.dumps(rec) + "\n")
print(json.dumps(rec))
