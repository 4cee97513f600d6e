"""Twin of bench/speed-step.ts in PyTorch: the same step from the same weights and batch (read from
the safetensors file the torchlab side wrote), in PyTorch's default layout or channels_last
(model.to(memory_format=torch.channels_last) and the input likewise, the PyTorch tuning guide's recipe).

  /usr/bin/python3 bench/speed_step_torch.py --model resnet18|cnn-bn [--width 64] --init FILE
      [--memory-format contiguous|channels_last] [--warmup 2] [--steps 5] [--threads N]
"""
import argparse
import json
import os
import statistics
import struct

import torch

from nn_step_torch_models import CNNWithBN, ResNet, ResidualBlock, train_steps

ap = argparse.ArgumentParser()
ap.add_argument("--model", default="resnet18")
ap.add_argument("--width", type=int, default=64)
ap.add_argument("--init", required=True)
ap.add_argument("--memory-format", default="contiguous", choices=["contiguous", "channels_last"])
ap.add_argument("--warmup", type=int, default=2)
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
a = ap.parse_args()
torch.set_num_threads(a.threads)

DTYPES = {"F32": torch.float32, "I64": torch.int64, "F64": torch.float64}


def load_safetensors(path):
    """Reads a safetensors file with the standard library (Debian's python3 has no safetensors)."""
    with open(path, "rb") as f:
        buf = f.read()
    n = struct.unpack("<Q", buf[:8])[0]
    header = json.loads(buf[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        t = torch.frombuffer(bytearray(buf[8 + n + s:8 + n + e]), dtype=DTYPES[v["dtype"]]).reshape(v["shape"])
        out[k] = t
    return out


state = load_safetensors(a.init)
x = state.pop("bench.x")
y = state.pop("bench.y")
model = CNNWithBN() if a.model == "cnn-bn" else ResNet(ResidualBlock, [2, 2, 2, 2], width=a.width)
model.load_state_dict(state)
if a.memory_format == "channels_last":
    model = model.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9) if a.model == "cnn-bn" else torch.optim.Adam(model.parameters(), lr=0.01)
model.train()
times, losses = train_steps(model, opt, x, y, a.warmup, a.steps)
print(json.dumps({"side": "pytorch", "model": a.model, "width": 0 if a.model == "cnn-bn" else a.width, "batch": x.shape[0],
                  "threads": torch.get_num_threads(), "format": a.memory_format,
                  "medianMs": round(statistics.median(times), 2), "losses": losses}))
