"""Twin of bench/nn-step.ts in PyTorch: the notebook's models trained with nn + optim.

  /usr/bin/python3 bench/nn_step_torch.py --model cnn|resnet18 [--batch N] [--warmup 3] [--steps 20] [--threads N]
"""
import argparse
import json
import os
import statistics

import torch

from nn_step_torch_models import CNN, ResNet, ResidualBlock, train_steps

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

model = CNN() if a.model == "cnn" else ResNet(ResidualBlock, [2, 2, 2, 2], in_channels=3)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9) if a.model == "cnn" else torch.optim.Adam(model.parameters(), lr=0.01)
x = torch.randn(batch, 3, 32, 32)
y = torch.randint(0, 10, (batch,))
model.train()
times, losses = train_steps(model, opt, x, y, a.warmup, a.steps)
last = losses[-1]
print(json.dumps({"side": "pytorch", "model": a.model, "batch": batch, "threads": torch.get_num_threads(),
                  "medianMs": round(statistics.median(times), 3), "lastLoss": round(last, 4)}))
