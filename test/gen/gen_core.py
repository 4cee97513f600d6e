"""Fixtures for the core tests (seed parity, printing, a CNN reference), written by PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/gen/gen_core.py
Writes test/fixtures/core.safetensors:
- rng.*: what torch.randn / rand / randperm / randint / normal_ / uniform_ give after
  torch.manual_seed(0) (torchlab must give the same numbers: same libtorch generator);
- repr.*: tensors whose repr (print(t)) is stored in __metadata__ under the same name;
- cnn.*: the notebook's CNN (raw functional form) with fixed weights, an input batch, labels,
  the loss, and every weight's gradient after one backward, and the weights after one
  SGD(lr=0.01, momentum=0.9) step.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import save  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "core.safetensors")
tensors = {}
meta = {"generator": "test/gen/gen_core.py, torch " + torch.__version__}

# ---- seed parity -------------------------------------------------------------------------
torch.manual_seed(0)
tensors["rng.randn_3x4"] = torch.randn(3, 4)
torch.manual_seed(0)
tensors["rng.rand_5"] = torch.rand(5)
torch.manual_seed(0)
tensors["rng.randperm_10"] = torch.randperm(10)
torch.manual_seed(0)
tensors["rng.randint_0_10_6"] = torch.randint(0, 10, (6,))
torch.manual_seed(0)
tensors["rng.sequence"] = torch.cat([torch.randn(2), torch.rand(3), torch.randn(17)])
torch.manual_seed(123)
tensors["rng.normal_uniform"] = torch.cat([torch.empty(4).normal_(1.0, 2.0), torch.empty(4).uniform_(-3.0, 3.0)])

# ---- printing ---------------------------------------------------------------------------------
torch.manual_seed(1)
reprs = {
    "repr.float_2x3": torch.randn(2, 3),
    "repr.float_int_valued": torch.tensor([[1.0, -2.0], [30.0, 4.0]]),
    "repr.float_sci": torch.tensor([1e-5, 1.0, 3e6]),
    "repr.float_big": torch.tensor([1e10, 1.0]),
    "repr.float_nonfinite": torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "repr.float_zeros": torch.zeros(2, 2),
    "repr.scalar": torch.tensor(3.25),
    "repr.int64": torch.tensor([[1, -20], [300, 4]]),
    "repr.int32": torch.tensor([1, 2, 3], dtype=torch.int32),
    "repr.uint8": torch.tensor([0, 255], dtype=torch.uint8),
    "repr.bool": torch.tensor([True, False, True]),
    "repr.float64": torch.tensor([0.5, 1.25], dtype=torch.float64),
    "repr.empty_0x3": torch.zeros(0, 3),
    "repr.empty_1d": torch.zeros(0),
    "repr.long_vector": torch.arange(40, dtype=torch.float32) / 7,
    "repr.summarized": torch.arange(2000, dtype=torch.float32).reshape(40, 50),
    "repr.summarized_1d": torch.arange(1500),
    "repr.3d": torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) - 11.5,
}
for k, v in reprs.items():
    tensors[k] = v
    meta[k] = repr(v)
rg = torch.tensor([1.0, 2.0], requires_grad=True)
tensors["repr.requires_grad"] = rg.detach()
meta["repr.requires_grad"] = repr(rg)
meta["repr.grad_fn"] = repr(rg * 2)

# ---- CNN reference (same layers as examples/raw-cnn.ts) ---------------------------------------
torch.manual_seed(7)
w = {
    "w1": torch.randn(16, 3, 3, 3) * 0.2, "b1": torch.randn(16) * 0.1,
    "w2": torch.randn(32, 16, 3, 3) * 0.1, "b2": torch.randn(32) * 0.1,
    "w3": torch.randn(10, 2048) * 0.02, "b3": torch.randn(10) * 0.1,
}
x = torch.randn(8, 3, 32, 32)
y = torch.randint(0, 10, (8,))
params = [w[k].clone().requires_grad_() for k in ["w1", "b1", "w2", "b2", "w3", "b3"]]


def forward(p, x):
    h = F.max_pool2d(F.relu(F.conv2d(x, p[0], p[1], padding=1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, p[2], p[3], padding=1)), 2)
    return F.linear(h.view(h.size(0), -1), p[4], p[5])


opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)
logits = forward(params, x)
loss = F.cross_entropy(logits, y)
loss.backward()
for k, v in w.items():
    tensors["cnn." + k] = v
tensors["cnn.x"] = x
tensors["cnn.y"] = y
tensors["cnn.logits"] = logits.detach()
tensors["cnn.loss"] = loss.detach()
for k, p in zip(["w1", "b1", "w2", "b2", "w3", "b3"], params):
    tensors["cnn.grad." + k] = p.grad.clone()
opt.step()
# a second step exercises the momentum buffer
opt.zero_grad()
F.cross_entropy(forward(params, x), y).backward()
opt.step()
for k, p in zip(["w1", "b1", "w2", "b2", "w3", "b3"], params):
    tensors["cnn.after2." + k] = p.detach().clone()

save(tensors, OUT, metadata=meta)
print(f"wrote {OUT}: {len(tensors)} tensors, {os.path.getsize(OUT)} bytes")
