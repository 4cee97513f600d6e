"""print(model) of the lab notebook's last cell, made by PyTorch, for test/notebook.test.ts.

The notebook's ResNet (ResNet, _make_layer, CorrectBlock) copied from the lab notebook, with two
parameters the TypeScript notebook has: the input channels (1 for Fashion-MNIST, its default; the
Python notebook's 3 is CIFAR-10's) and the first stage's width (the notebook's 64; 8 with the quick
switch the test turns on). Writes test/fixtures/notebook_resnet_print_c{C}_w{W}.txt.
Run: /usr/bin/python3 test/gen/gen_notebook.py  (Debian's python3-torch)
"""
import os
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


class BasicModel(nn.Module):
    pass


class CorrectBlock(nn.Module):
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes)
            )


class ResNet(BasicModel):
    def __init__(self, block, num_blocks, num_classes=10, in_channels=3, w=64):
        super().__init__()
        self.in_planes = w
        self.conv1 = nn.Conv2d(in_channels, w, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(w)
        self.layer1 = self._make_layer(block, w, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 2 * w, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, 4 * w, num_blocks[2], stride=2)
        self.layer4 = self._make_layer(block, 8 * w, num_blocks[3], stride=2)
        self.linear = nn.Linear(8 * w, num_classes)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes
        return nn.Sequential(*layers)


for c, w in [(1, 8), (1, 64)]:
    out = os.path.join(HERE, '..', 'fixtures', f'notebook_resnet_print_c{c}_w{w}.txt')
    with open(out, 'w') as f:
        f.write(str(ResNet(CorrectBlock, [2, 2, 2, 2], in_channels=c, w=w)) + '\n')
    print('wrote', os.path.normpath(out))
