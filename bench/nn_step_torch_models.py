"""The lab's models in PyTorch for the benchmarks' PyTorch sides (nn_step_torch.py, ddp_step_torch.py,
speed_step_torch.py), with torchlab's state_dict keys: the notebook's CNN (3x32x32 CIFAR-10), CNNWithBN
(1x28x28), the ResNet with residual blocks (input channels and width as options), and the timed
training-step loop they share."""
import time

import torch.nn as nn
import torch.nn.functional as F


class CNN(nn.Module):  # models.CNN() (CIFAR-10's 3x32x32)
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(16, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2))
        self.out = nn.Linear(2048, 10)

    def forward(self, x):
        x = self.conv(x)
        return self.out(x.view(x.size(0), -1))


class CNNWithBN(nn.Module):  # models.CNNWithBN({inChannels: 1, imageSize: 28})
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(16, 32, 3, 1, 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.out = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = self.conv(x)
        return self.out(x.reshape(x.size(0), -1))  # as torchlab's: view fails on a channels_last map


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
    def __init__(self, block, num_blocks, num_classes=10, width=64, in_channels=1):
        super().__init__()
        self.in_planes = width
        self.conv1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.layer1 = self._make_layer(block, width, num_blocks[0], 1)
        self.layer2 = self._make_layer(block, 2 * width, num_blocks[1], 2)
        self.layer3 = self._make_layer(block, 4 * width, num_blocks[2], 2)
        self.layer4 = self._make_layer(block, 8 * width, num_blocks[3], 2)
        self.linear = nn.Linear(8 * width, num_classes)

    def _make_layer(self, block, planes, n, stride):
        layers = []
        for s in [stride] + [1] * (n - 1):
            layers.append(block(self.in_planes, planes, s))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
        out = F.avg_pool2d(out, 4)  # 28x28 or 32x32 input: a 4x4 final map, global pooling
        return self.linear(out.view(out.size(0), -1))


def train_steps(model, opt, x, y, warmup, steps):
    """warmup + steps training steps on one batch: (milliseconds of each step after the warm-up, every loss)."""
    times, losses = [], []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
    return times, losses
