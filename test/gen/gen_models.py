"""Fixtures for the model tests (test/models.test.ts, test/nn.test.ts), written by PyTorch.

Run with Debian's PyTorch from the repository root:  /usr/bin/python3 test/gen/gen_models.py
Writes test/fixtures/models.safetensors (about 1.6 MB). The Python classes below are the lab
notebook's (CNN, CNNwithBN, WrongBlock, CorrectBlock, ResNet), renamed CNNWithBN / PlainBlock /
ResidualBlock like torchlab's so that print(model) text can be compared, with the `in_channels`,
`image_size` and `width` options torchlab adds (the notebook's values are the defaults).

Tensors (M is cnn, cnn_bn, resnet_plain or resnet_residual):
- init.linear.*, init.conv.*, init.bn.*: nn.Linear(20, 7) after manual_seed(0), nn.Conv2d(3, 8, 3)
  after manual_seed(1), nn.BatchNorm2d(8) after manual_seed(2) (state dicts);
- init.<resnet>.sums: float64 sum of every state-dict tensor, in state-dict order, of
  ResNet(block, [2,2,2,2], width=4) right after manual_seed(0);
- M.sd.<key>: the state dict the golden passes start from. cnn: CNN(in_channels=1, image_size=28)
  right after manual_seed(0) (so it is also the whole-CNN init reference); the others keep PyTorch's
  seeded init for conv/linear and get random BatchNorm affine parameters and running statistics
  (num_batches_tracked = 3) so that train and eval mode differ;
- x28 [4,1,28,28] (cnn), x32 [4,3,32,32] (the others), y [4] int64 labels;
- M.<mode>.logits, M.<mode>.loss (F.cross_entropy), M.<mode>.grad.<param> for mode train / eval
  (cnn: train only; it has no mode-dependent layer), each pass starting from M.sd;
- M.train.after.<buffer>: every buffer after the train-mode forward (BatchNorm running stats).
Metadata: repr.* (print(model)), params.* (parameter counts), keys.* (state_dict keys, JSON;
multi: a module with a ModuleList and a ModuleDict),
named_modules.resnet_residual (JSON), error.load (PyTorch's load_state_dict error text).
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import save  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "models.safetensors")
torch.set_num_threads(1)
tensors = {}
meta = {"generator": "test/gen/gen_models.py, torch " + torch.__version__}


# ---- the notebook's models ------------------------------------------------------------------
def features(in_channels, bn):
    layers = [nn.Conv2d(in_channels=in_channels, out_channels=16, kernel_size=3, stride=1, padding=1)]
    layers += [nn.BatchNorm2d(16)] if bn else []
    layers += [nn.ReLU(), nn.MaxPool2d(kernel_size=2),
               nn.Conv2d(in_channels=16, out_channels=32, kernel_size=3, stride=1, padding=1)]
    layers += [nn.BatchNorm2d(32)] if bn else []
    layers += [nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*layers)


class CNN(nn.Module):
    def __init__(self, in_channels=3, image_size=32, num_classes=10):
        super().__init__()
        self.conv = features(in_channels, bn=False)
        self.out = nn.Linear(32 * (image_size // 4) ** 2, num_classes)

    def forward(self, x):
        x = self.conv(x)
        x = x.view(x.size(0), -1)
        return self.out(x)


class CNNWithBN(CNN):
    def __init__(self, in_channels=3, image_size=32, num_classes=10):
        nn.Module.__init__(self)
        self.conv = features(in_channels, bn=True)
        self.out = nn.Linear(32 * (image_size // 4) ** 2, num_classes)


class PlainBlock(nn.Module):  # the notebook's WrongBlock
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(x)))


class ResidualBlock(nn.Module):  # the notebook's CorrectBlock
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

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10, in_channels=3, width=64):
        super().__init__()
        self.in_planes = width
        self.conv1 = nn.Conv2d(in_channels, width, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.layer1 = self._make_layer(block, width, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 2 * width, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, 4 * width, num_blocks[2], stride=2)
        self.layer4 = self._make_layer(block, 8 * width, num_blocks[3], stride=2)
        self.linear = nn.Linear(8 * width, num_classes)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = self.layer4(out)
        out = F.avg_pool2d(out, 4)
        out = out.view(out.size(0), -1)
        return self.linear(out)


def put(prefix, d):
    for k, v in d.items():
        tensors[prefix + k] = v.detach().clone()


def nparams(m):
    return sum(p.numel() for p in m.parameters())


# ---- initial weights after manual_seed ---------------------------------------------------------
torch.manual_seed(0)
put("init.linear.", nn.Linear(20, 7).state_dict())
torch.manual_seed(1)
put("init.conv.", nn.Conv2d(3, 8, 3).state_dict())
torch.manual_seed(2)
put("init.bn.", nn.BatchNorm2d(8).state_dict())
BLOCKS = {"resnet_plain": PlainBlock, "resnet_residual": ResidualBlock}
for name, block in BLOCKS.items():
    torch.manual_seed(0)
    sd = ResNet(block, [2, 2, 2, 2], width=4).state_dict()
    tensors[f"init.{name}.sums"] = torch.stack([v.double().sum() for v in sd.values()])

# ---- printing, parameter counts, keys ------------------------------------------------------------
for name, block in BLOCKS.items():
    full = ResNet(block, [2, 2, 2, 2])
    meta[f"repr.{name[7:]}18"] = str(full)
    meta[f"params.{name[7:]}18"] = str(nparams(full))
meta["repr.cnn"] = str(CNN())
meta["repr.cnn_bn"] = str(CNNWithBN())


class Multi(nn.Module):  # ModuleList / ModuleDict registration
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.ReLU(), nn.BatchNorm1d(4)])
        self.heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "reg": nn.Linear(4, 1, bias=False)})


meta["repr.multi"] = str(Multi())
meta["keys.multi"] = json.dumps(list(Multi().state_dict()))
meta["named_modules.resnet_residual"] = json.dumps([n for n, _ in ResNet(ResidualBlock, [2, 2, 2, 2], width=4).named_modules()])

# ---- PyTorch's error for a bad state dict ------------------------------------------------------
bad = CNN(in_channels=1, image_size=28).state_dict()
del bad["out.bias"]
bad["conv.3.weight"] = torch.zeros(32, 16, 5, 5)
bad["out.weight"] = torch.zeros(10, 2048)
bad["extra.weight"] = torch.zeros(3)
try:
    CNN(in_channels=1, image_size=28).load_state_dict(bad)
    raise SystemExit("expected load_state_dict to fail")
except RuntimeError as e:
    meta["error.load"] = str(e)

# ---- golden passes ------------------------------------------------------------------------------
torch.manual_seed(10)
tensors["x28"] = torch.randn(4, 1, 28, 28)
tensors["x32"] = torch.randn(4, 3, 32, 32)
tensors["y"] = torch.randint(0, 10, (4,))


def randomize_bn(model, gen):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.normal_(0, 0.1, generator=gen)
                m.running_mean.normal_(0, 0.1, generator=gen)
                m.running_var.uniform_(0.5, 1.5, generator=gen)
                m.num_batches_tracked.fill_(3)


torch.manual_seed(0)
models = {"cnn": (CNN(in_channels=1, image_size=28), "x28")}
torch.manual_seed(1)
models["cnn_bn"] = (CNNWithBN(), "x32")
for i, (name, block) in enumerate(BLOCKS.items()):
    torch.manual_seed(2 + i)
    models[name] = (ResNet(block, [2, 2, 2, 2], width=4), "x32")

for i, (name, (model, xkey)) in enumerate(models.items()):
    randomize_bn(model, torch.Generator().manual_seed(100 + i))
    start = {k: v.clone() for k, v in model.state_dict().items()}
    put(f"{name}.sd.", start)
    meta[f"keys.{name}"] = json.dumps(list(start))
    for mode in ["train"] if name == "cnn" else ["train", "eval"]:
        model.load_state_dict(start)
        model.zero_grad(set_to_none=True)
        model.train(mode == "train")
        logits = model(tensors[xkey])
        loss = F.cross_entropy(logits, tensors["y"])
        loss.backward()
        tensors[f"{name}.{mode}.logits"] = logits.detach()
        tensors[f"{name}.{mode}.loss"] = loss.detach()
        for k, p in model.named_parameters():
            tensors[f"{name}.{mode}.grad.{k}"] = p.grad.clone()
        if mode == "train":
            put(f"{name}.train.after.", dict(model.named_buffers()))

save(tensors, OUT, metadata=meta)
print(f"wrote {OUT}: {len(tensors)} tensors, {os.path.getsize(OUT)} bytes")
