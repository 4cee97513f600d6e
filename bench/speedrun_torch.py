"""PyTorch twin of `torchlab speedrun fashion-mnist` (src/lab/speedrun/*.ts): the same recipe, written
the way airbench (github.com/KellerJordan/cifar10-airbench, airbench94.py) writes it for in-memory data.

Same architecture, initialisation, schedule, augmentation, EMA and TTA as the torchlab recipe:
  * data: the IDX files read once into uint8 tensors, normalised once; batches by indexing a tensor
    (no DataLoader); alternating flips (random flips pre-applied once, all images flipped every other epoch);
  * net: a 2x2 whitening conv (weights from the eigenvectors of the patch covariance of 5000 training
    images, frozen; its bias trained for the first --whiten-bias-epochs, default 0) and a ReLU, then 3
    conv groups (conv-pool-BN-GELU-conv-BN-GELU, GELU's tanh approximation unless
    --gelu-approximate none) with Dirac (identity) initialised convs, BatchNorm without scale
    and with a 64x learning rate on its bias, global max pool, linear without bias, logits x 1/9;
  * training: Nesterov SGD with decoupled lr / weight decay, a triangular learning rate, label
    smoothing 0.2, a lookahead EMA of the weights every 5 steps from epoch `ema_start` on;
  * evaluation: after every epoch on the test set (for the accuracy-over-time curve), with flip TTA at the end.

Layout: PyTorch's default, contiguous NCHW (torch.contiguous_format), unless --channels-last: the point
of issue 14 is what each framework does *by default*. Threads: torch.set_num_threads(cores), as every
other benchmark here (Debian's python3-torch defaults to 1 thread; --threads 0 keeps that default).
Wall time: from before reading the files to after the last evaluation, all included.
Run with Debian's /usr/bin/python3 (torch 1.13).
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST training-set pixel mean and std


def read_idx(path):
    with (gzip.open if path.endswith('.gz') else open)(path, 'rb') as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8).view(*dims)


def load_split(root, prefix, limit):
    def find(name):
        for f in (name, name + '.gz'):
            if os.path.exists(os.path.join(root, f)):
                return os.path.join(root, f)
        raise FileNotFoundError(f'{name}[.gz] not found in {root}')
    x = read_idx(find(f'{prefix}-images-idx3-ubyte')).unsqueeze(1)
    y = read_idx(find(f'{prefix}-labels-idx1-ubyte')).long()
    if limit:
        x, y = x[:limit], y[:limit]
    return x, y


class BatchNorm(nn.BatchNorm2d):
    """airbench's BatchNorm: no trained scale, momentum 0.6 in airbench's sense (PyTorch's 1 - 0.6)."""
    def __init__(self, n, momentum=0.6):
        super().__init__(n, eps=1e-12, momentum=1 - momentum)
        self.weight.requires_grad = False


class Conv(nn.Conv2d):
    """3x3 'same' conv without bias, Dirac-initialised on its first in_channels filters (implicit residual)."""
    def __init__(self, cin, cout):
        super().__init__(cin, cout, 3, padding=1, bias=False)
        nn.init.dirac_(self.weight.data[:cin])


class ConvGroup(nn.Module):
    def __init__(self, cin, cout, approximate):
        super().__init__()
        self.conv1, self.norm1 = Conv(cin, cout), BatchNorm(cout)
        self.conv2, self.norm2 = Conv(cout, cout), BatchNorm(cout)
        self.approximate = approximate

    def forward(self, x):
        x = F.gelu(self.norm1(F.max_pool2d(self.conv1(x), 2)), approximate=self.approximate)
        return F.gelu(self.norm2(self.conv2(x)), approximate=self.approximate)


class Net(nn.Module):
    def __init__(self, widths, cin=1, approximate='tanh'):
        super().__init__()
        self.whiten = nn.Conv2d(cin, 2 * cin * 4, 2, padding=0, bias=True)
        self.whiten.weight.requires_grad = False
        k = 2 * cin * 4
        self.groups = nn.Sequential(ConvGroup(k, widths[0], approximate), ConvGroup(widths[0], widths[1], approximate),
                                    ConvGroup(widths[1], widths[2], approximate))
        self.head = nn.Linear(widths[2], 10, bias=False)

    def forward(self, x):
        x = self.groups(F.relu(self.whiten(x)))
        x = F.adaptive_max_pool2d(x, 1).flatten(1)
        return self.head(x) / 9


def init_whitening(layer, images, eps=5e-4):
    c, (h, w) = images.shape[1], layer.weight.shape[2:]
    patches = images.unfold(2, h, 1).unfold(3, w, 1).transpose(1, 3).reshape(-1, c * h * w).double()
    cov = patches.T @ patches / patches.size(0)
    evals, evecs = torch.linalg.eigh(cov)
    scaled = (evecs.T / torch.sqrt(evals + eps)[:, None]).reshape(-1, c, h, w).float()
    layer.weight.data[:] = torch.cat((scaled, -scaled))
    layer.bias.data.zero_()


def triangle(step, total, start, peak_at, end):
    peak = peak_at * total
    return start + (1 - start) * step / peak if step < peak else 1 + (end - 1) * (step - peak) / (total - peak)


def evaluate(net, x, y, tta, memory_format):
    net.eval()
    correct = 0
    with torch.inference_mode():
        for i in range(0, x.size(0), 2000):
            xb = x[i:i + 2000].contiguous(memory_format=memory_format)
            logits = net(xb)
            if tta:
                logits = logits + net(xb.flip(-1))
            correct += (logits.argmax(1) == y[i:i + 2000]).sum().item()
    net.train()
    return 100.0 * correct / x.size(0)


def run(args, seed):
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    mf = torch.channels_last if args.channels_last else torch.contiguous_format
    xtr, ytr = load_split(args.data_dir, 'train', args.limit)
    xte, yte = load_split(args.data_dir, 't10k', args.test_limit)
    xtr = ((xtr.float() / 255) - MEAN) / STD
    xte = ((xte.float() / 255) - MEAN) / STD
    load_s = time.perf_counter() - t0

    net = Net(args.widths, approximate=args.gelu_approximate)
    init_whitening(net.whiten, xtr[:5000])
    net = net.to(memory_format=mf)
    # alternating flips: half the images flipped once here, then every image flipped on odd epochs
    if args.flip:
        mask = (torch.rand(xtr.size(0)) < 0.5).view(-1, 1, 1, 1)
        xtr = torch.where(mask, xtr.flip(-1), xtr)

    bs, mom = args.batch_size, args.momentum
    kilostep = 1024 * (1 + 1 / (1 - mom))
    lr, wd = args.lr / kilostep, args.wd * bs / kilostep
    norm_biases = [p for k, p in net.named_parameters() if 'norm' in k and p.requires_grad]
    others = [p for k, p in net.named_parameters() if 'norm' not in k and p.requires_grad]
    base_lrs = [lr * args.bias_scaler, lr]
    opt = torch.optim.SGD([dict(params=norm_biases, lr=base_lrs[0], weight_decay=wd / base_lrs[0]),
                           dict(params=others, lr=base_lrs[1], weight_decay=wd / base_lrs[1])],
                          momentum=mom, nesterov=True)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing, reduction='sum')
    steps_per_epoch = xtr.size(0) // bs
    total = steps_per_epoch * args.epochs
    ema, step, curve = None, 0, []
    for epoch in range(args.epochs):
        net.whiten.bias.requires_grad = epoch < args.whiten_bias_epochs
        xe = xtr.flip(-1) if args.flip and epoch % 2 == 1 else xtr
        perm = torch.randperm(xtr.size(0))
        for i in range(steps_per_epoch):
            idx = perm[i * bs:(i + 1) * bs]
            xb, yb = xe[idx].contiguous(memory_format=mf), ytr[idx]
            for g, b in zip(opt.param_groups, base_lrs):
                g['lr'] = b * triangle(step, total, 0.2, 0.23, 0.07)
            loss = loss_fn(net(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            if args.ema and epoch >= args.ema_start and step % 5 == 0:
                if ema is None:
                    ema = [t.detach().clone() for t in net.state_dict().values() if t.is_floating_point()]
                else:
                    rho = 0.95 ** 5 * (step / total) ** 3
                    with torch.no_grad():
                        for e, t in zip(ema, (t for t in net.state_dict().values() if t.is_floating_point())):
                            e.lerp_(t, 1 - rho)
                            t.copy_(e)
        last = epoch == args.epochs - 1
        if last or args.eval_every_epoch:
            acc = evaluate(net, xte, yte, args.tta and last, mf)
            curve.append({'epoch': epoch + 1, 'seconds': time.perf_counter() - t0, 'accuracy': acc})
            if args.progress:
                print(f'  seed {seed} epoch {epoch + 1}: {acc:.2f}% at {curve[-1]["seconds"]:.1f} s', file=sys.stderr)
    seconds = time.perf_counter() - t0
    return {'side': 'pytorch', 'seed': seed, 'accuracy': curve[-1]['accuracy'], 'seconds': seconds, 'loadSeconds': load_s,
            'epochs': args.epochs, 'curve': curve, 'layout': 'channels_last' if args.channels_last else 'contiguous',
            'threads': torch.get_num_threads(), 'trainSamples': xtr.size(0), 'testSamples': xte.size(0)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data-dir', default='/usr/share/datasets/fashion-mnist')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--seeds', type=int, default=1)
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--batch-size', type=int, default=512)
    p.add_argument('--widths', type=lambda s: [int(v) for v in s.split(',')], default=[16, 32, 64])
    p.add_argument('--lr', type=float, default=11.5)
    p.add_argument('--momentum', type=float, default=0.85)
    p.add_argument('--wd', type=float, default=0.0153)
    p.add_argument('--bias-scaler', type=float, default=64.0)
    p.add_argument('--label-smoothing', type=float, default=0.2)
    p.add_argument('--whiten-bias-epochs', type=int, default=0)
    p.add_argument('--gelu-approximate', choices=['none', 'tanh'], default='tanh')
    p.add_argument('--ema-start', type=int, default=2)
    p.add_argument('--no-ema', dest='ema', action='store_false')
    p.add_argument('--no-tta', dest='tta', action='store_false')
    p.add_argument('--no-flip', dest='flip', action='store_false')
    p.add_argument('--no-eval-every-epoch', dest='eval_every_epoch', action='store_false')
    p.add_argument('--channels-last', action='store_true')
    p.add_argument('--limit', type=int, default=0)
    p.add_argument('--test-limit', type=int, default=0)
    p.add_argument('--threads', type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument('--json', default=None, help='append one JSON line per seed to this file')
    p.add_argument('--no-progress', dest='progress', action='store_false')
    args = p.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    for s in range(args.seed, args.seed + args.seeds):
        r = run(args, s)
        print(f'pytorch seed {s}: {r["accuracy"]:.2f}% in {r["seconds"]:.1f} s ({r["layout"]}, {r["threads"]} threads)')
        if args.json:
            with open(args.json, 'a') as f:
                f.write(json.dumps({**r, 'loadavg': open('/proc/loadavg').read().split()[:3]}) + '\n')


if __name__ == '__main__':
    main()
