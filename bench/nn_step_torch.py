"""Twin of bench/nn-step.ts in PyTorch: the notebook's models trained with nn + optim.

  /usr/bin/python3 bench/nn_step_torch.py --model cnn|resnet18 [--batch N] [--warmup 3] [--steps 20] [--threads N]
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--model", default="cnn")
ap.add_argument("--batch", type=int, default=0)
ap.add_argument("--warmup", type=int, default=3)
ap.add_argument("--steps", type=int, default=20)
ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
a = ap.parse_args()
batch = a.batch or (256 if a.model == "cnn" else 32)
torch.set_num_threads(a.threads)
torch.manual_seed(0)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(16, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2))
        self.out = nn.Linear(2048, 10)

    def forward(self, x):
        x = self.conv(x)
        return self.out(x.view(x.size(0), -1))


class ResidualBlock(nn.Module):  # the notebook's CorrectBlock
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super().__init__()
        self.in_planes = 64
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = self._make_layer(block, 64, num_blocks[0], 1)
        self.layer2 = self._make_layer(block, 128, num_blocks[1], 2)
        self.layer3 = self._make_layer(block, 256, num_blocks[2], 2)
        self.layer4 = self._make_layer(block, 512, num_blocks[3], 2)
        self.linear = nn.Linear(512, num_classes)

    def _make_layer(self, block, planes, n, stride):
        layers = []
        for s in [stride] + [1] * (n - 1):
            layers.append(block(self.in_planes, planes, s))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
        out = F.avg_pool2d(out, 4)
        return self.linear(out.view(out.size(0), -1))


model = CNN() if a.model == "cnn" else ResNet(ResidualBlock, [2, 2, 2, 2])
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9) if a.model == "cnn" else torch.optim.Adam(model.parameters(), lr=0.01)
x = torch.randn(batch, 3, 32, 32)
y = torch.randint(0, 10, (batch,))
model.train()
times = []
for i in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    last = loss.item()
    if i >= a.warmup:
        times.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"side": "pytorch", "model": a.model, "batch": batch, "threads": torch.get_num_threads(),
                  "medianMs": round(statistics.median(times), 3), "lastLoss": round(last, 4)}))
