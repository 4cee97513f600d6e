"""Fixtures for the optimizer, LR-scheduler and gradient-clipping tests, written by PyTorch.

Run with Debian's PyTorch (1.13):  /usr/bin/python3 test/gen/gen_optim.py
Writes test/fixtures/optim.safetensors (deterministic, byte for byte):

- model.w1 [8,4], model.b1 [8], model.w2 [3,8], model.b2 [3]: a 2-layer MLP
  (linear -> tanh -> linear, cross-entropy loss) with fixed weights; data.x [5,16,4] and
  data.y [5,16] (int64): 5 fixed batches, step i uses batch i % 5.
- opt.<case>.w1 ... opt.<case>.b2: the parameters after 50 steps of
  zero_grad(set_to_none=True); loss.backward(); opt.step(); [sched.step()], and
  opt.<case>.loss [50]: the loss of every step. Single-tensor code path (foreach=False).
- sched.<case>.lr [101, groups] and sched.<case>.momentum [101, groups] (float64): the lr
  (and SGD momentum / Adam beta1) of every param group after construction and after each of
  100 scheduler steps; sched.<case>.metrics [100] for ReduceLROnPlateau.
- clip.g0 ... clip.g3: gradients; clip.<case>.total and clip.<case>.g0 ... : clip_grad_norm_'s
  result and the clipped gradients; clipv.<case>.g0 ...: clip_grad_value_'s.

__metadata__: optim_cases, sched_cases, clip_cases (JSON lists, options in torchlab's camelCase
names; see the case lists below).
"""
import json
import math
import os
import sys
import warnings

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import save  # noqa: E402

# SequentialLR itself calls step(0) on a milestone, which warns about the epoch argument
warnings.filterwarnings("ignore", message="The epoch parameter")

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "optim.safetensors")
STEPS = 50
SCHED_STEPS = 100
tensors = {}

# camelCase (torchlab) option name -> PyTorch keyword
PY_NAMES = {"weightDecay": "weight_decay", "stepSize": "step_size", "tMax": "T_max", "etaMin": "eta_min",
            "startFactor": "start_factor", "endFactor": "end_factor", "totalIters": "total_iters",
            "maxLr": "max_lr", "totalSteps": "total_steps", "stepsPerEpoch": "steps_per_epoch",
            "pctStart": "pct_start", "annealStrategy": "anneal_strategy", "cycleMomentum": "cycle_momentum",
            "baseMomentum": "base_momentum", "maxMomentum": "max_momentum", "divFactor": "div_factor",
            "finalDivFactor": "final_div_factor", "threePhase": "three_phase", "thresholdMode": "threshold_mode",
            "minLr": "min_lr"}


def py_kwargs(options):
    out = {}
    for k, v in options.items():
        out[PY_NAMES.get(k, k)] = tuple(v) if k == "betas" else v
    return out


# ---- model and data -------------------------------------------------------------------------------
g = torch.Generator().manual_seed(1234)
W = {
    "w1": torch.randn(8, 4, generator=g) * 0.5,
    "b1": torch.randn(8, generator=g) * 0.1,
    "w2": torch.randn(3, 8, generator=g) * 0.5,
    "b2": torch.randn(3, generator=g) * 0.1,
}
X = torch.randn(5, 16, 4, generator=g)
Y = torch.randint(0, 3, (5, 16), generator=g)
for k, v in W.items():
    tensors["model." + k] = v
tensors["data.x"] = X
tensors["data.y"] = Y
NAMES = ["w1", "b1", "w2", "b2"]


def forward(p, x):
    return F.linear(torch.tanh(F.linear(x, p["w1"], p["b1"])), p["w2"], p["b2"])


OPTIMIZERS = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW,
              "RMSprop": torch.optim.RMSprop}

# groups: None = one group of all parameters; else a list of {params: [names], ...options}
OPTIM_CASES = [
    {"name": "sgd_plain", "optimizer": "SGD", "options": {"lr": 0.1}},
    {"name": "sgd_momentum", "optimizer": "SGD", "options": {"lr": 0.05, "momentum": 0.9}},
    {"name": "sgd_nesterov", "optimizer": "SGD", "options": {"lr": 0.05, "momentum": 0.9, "nesterov": True}},
    {"name": "sgd_weight_decay", "optimizer": "SGD", "options": {"lr": 0.1, "momentum": 0.5, "weightDecay": 0.01}},
    {"name": "sgd_dampening", "optimizer": "SGD", "options": {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}},
    {"name": "sgd_maximize", "optimizer": "SGD", "options": {"lr": 0.01, "momentum": 0.9, "maximize": True}},
    {"name": "adam", "optimizer": "Adam", "options": {"lr": 0.01}},
    {"name": "adam_amsgrad", "optimizer": "Adam", "options": {"lr": 0.01, "amsgrad": True}},
    {"name": "adam_weight_decay", "optimizer": "Adam",
     "options": {"lr": 0.01, "weightDecay": 0.1, "betas": [0.8, 0.99], "eps": 1e-6}},
    {"name": "adam_maximize", "optimizer": "Adam", "options": {"lr": 0.005, "maximize": True}},
    {"name": "adamw", "optimizer": "AdamW", "options": {"lr": 0.01}},
    {"name": "adamw_amsgrad", "optimizer": "AdamW", "options": {"lr": 0.01, "weightDecay": 0.1, "amsgrad": True}},
    {"name": "rmsprop", "optimizer": "RMSprop", "options": {"lr": 0.01}},
    {"name": "rmsprop_centered", "optimizer": "RMSprop", "options": {"lr": 0.01, "centered": True}},
    {"name": "rmsprop_momentum", "optimizer": "RMSprop", "options": {"lr": 0.01, "momentum": 0.9}},
    {"name": "rmsprop_all", "optimizer": "RMSprop",
     "options": {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "centered": True, "momentum": 0.5, "weightDecay": 0.01}},
    {"name": "sgd_groups", "optimizer": "SGD", "options": {"lr": 0.05, "momentum": 0.9},
     "groups": [{"params": ["w1", "b1"], "lr": 0.1}, {"params": ["w2", "b2"], "lr": 0.01, "momentum": 0.5}]},
    {"name": "adam_groups", "optimizer": "Adam", "options": {"lr": 0.005},
     "groups": [{"params": ["w1", "b1"], "lr": 0.02}, {"params": ["w2", "b2"], "weightDecay": 0.1, "amsgrad": True}]},
    {"name": "adam_onecycle", "optimizer": "Adam", "options": {"lr": 0.01},
     "scheduler": {"type": "OneCycleLR", "maxLr": 0.05, "options": {"totalSteps": STEPS}}},
]


def make_scheduler(opt, spec):
    t = spec["type"]
    o = py_kwargs(spec.get("options", {}))
    if t == "StepLR":
        return torch.optim.lr_scheduler.StepLR(opt, spec["stepSize"], **o)
    if t == "MultiStepLR":
        return torch.optim.lr_scheduler.MultiStepLR(opt, spec["milestones"], **o)
    if t == "ExponentialLR":
        return torch.optim.lr_scheduler.ExponentialLR(opt, spec["gamma"], **o)
    if t == "CosineAnnealingLR":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, spec["tMax"], **o)
    if t == "LinearLR":
        return torch.optim.lr_scheduler.LinearLR(opt, **o)
    if t == "OneCycleLR":
        return torch.optim.lr_scheduler.OneCycleLR(opt, spec["maxLr"], **o)
    if t == "SequentialLR":
        subs = [make_scheduler(opt, s) for s in spec["schedulers"]]
        return torch.optim.lr_scheduler.SequentialLR(opt, subs, spec["milestones"])
    if t == "ReduceLROnPlateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **o)
    raise ValueError(t)


def make_optimizer(params, spec):
    cls = OPTIMIZERS[spec["optimizer"]]
    opts = py_kwargs(spec["options"])
    if "groups" in spec:
        groups = [dict(py_kwargs({k: v for k, v in gr.items() if k != "params"}),
                       params=[params[n] for n in gr["params"]]) for gr in spec["groups"]]
    else:
        groups = [params[n] for n in NAMES]
    return cls(groups, foreach=False, **opts)


for case in OPTIM_CASES:
    params = {k: v.clone().requires_grad_() for k, v in W.items()}
    opt = make_optimizer(params, case)
    sched = make_scheduler(opt, case["scheduler"]) if "scheduler" in case else None
    losses = []
    for i in range(STEPS):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(forward(params, X[i % 5]), Y[i % 5])
        loss.backward()
        opt.step()
        if sched:
            sched.step()
        losses.append(loss.item())
    for n in NAMES:
        tensors[f"opt.{case['name']}.{n}"] = params[n].detach()
    tensors[f"opt.{case['name']}.loss"] = torch.tensor(losses, dtype=torch.float32)

# ---- LR schedulers -----------------------------------------------------------------------------------
SGD2 = {"optimizer": "SGD", "options": {"lr": 0.1, "momentum": 0.9},
        "groups": [{"params": ["w1", "b1"]}, {"params": ["w2", "b2"], "lr": 0.01}]}
ADAM2 = {"optimizer": "Adam", "options": {"lr": 0.001},
         "groups": [{"params": ["w1", "b1"]}, {"params": ["w2", "b2"], "lr": 0.002, "betas": [0.85, 0.99]}]}
SCHED_CASES = [
    {"name": "step", **SGD2, "scheduler": {"type": "StepLR", "stepSize": 10, "options": {"gamma": 0.5}}},
    {"name": "multistep", **SGD2,
     "scheduler": {"type": "MultiStepLR", "milestones": [10, 30, 30, 75], "options": {"gamma": 0.3}}},
    {"name": "exponential", **SGD2, "scheduler": {"type": "ExponentialLR", "gamma": 0.97}},
    {"name": "cosine_restarts", **SGD2,
     "scheduler": {"type": "CosineAnnealingLR", "tMax": 30, "options": {"etaMin": 0.001}}},
    {"name": "cosine_100", **SGD2, "scheduler": {"type": "CosineAnnealingLR", "tMax": 100}},
    {"name": "linear_warmup", **SGD2,
     "scheduler": {"type": "LinearLR", "options": {"startFactor": 0.25, "endFactor": 1.0, "totalIters": 20}}},
    {"name": "linear_decay", **SGD2,
     "scheduler": {"type": "LinearLR", "options": {"startFactor": 1.0, "endFactor": 0.1, "totalIters": 60}}},
    {"name": "onecycle_cos", **SGD2, "scheduler": {"type": "OneCycleLR", "maxLr": [1.0, 0.1],
                                                   "options": {"totalSteps": 100}}},
    {"name": "onecycle_linear_3phase", **SGD2,
     "scheduler": {"type": "OneCycleLR", "maxLr": 0.5,
                   "options": {"totalSteps": 100, "annealStrategy": "linear", "threePhase": True, "pctStart": 0.25,
                               "divFactor": 10.0, "finalDivFactor": 100.0}}},
    {"name": "onecycle_adam", **ADAM2,
     "scheduler": {"type": "OneCycleLR", "maxLr": 0.01,
                   "options": {"epochs": 10, "stepsPerEpoch": 10, "baseMomentum": 0.8, "maxMomentum": 0.9}}},
    {"name": "onecycle_no_momentum", **SGD2,
     "scheduler": {"type": "OneCycleLR", "maxLr": 0.3, "options": {"totalSteps": 100, "cycleMomentum": False}}},
    {"name": "sequential", **SGD2,
     "scheduler": {"type": "SequentialLR", "milestones": [10], "schedulers": [
         {"type": "LinearLR", "options": {"startFactor": 0.1, "totalIters": 10}},
         {"type": "CosineAnnealingLR", "tMax": 90}]}},
    {"name": "sequential_3", **SGD2,
     "scheduler": {"type": "SequentialLR", "milestones": [5, 40], "schedulers": [
         {"type": "LinearLR", "options": {"startFactor": 0.5, "totalIters": 5}},
         {"type": "StepLR", "stepSize": 10, "options": {"gamma": 0.5}},
         {"type": "ExponentialLR", "gamma": 0.95}]}},
    {"name": "plateau_min_rel", **SGD2,
     "scheduler": {"type": "ReduceLROnPlateau",
                   "options": {"factor": 0.5, "patience": 3, "threshold": 1e-2, "cooldown": 2,
                               "minLr": [0.001, 0.0005]}}},
    {"name": "plateau_max_abs", **SGD2,
     "scheduler": {"type": "ReduceLROnPlateau",
                   "options": {"mode": "max", "thresholdMode": "abs", "threshold": 0.05, "factor": 0.1,
                               "patience": 2, "minLr": 1e-4, "eps": 1e-4}}},
]


def group_momentum(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


for case in SCHED_CASES:
    params = {k: v.clone().requires_grad_() for k, v in W.items()}
    opt = make_optimizer(params, case)
    sched = make_scheduler(opt, case["scheduler"])
    plateau = case["scheduler"]["type"] == "ReduceLROnPlateau"
    metrics = []
    lrs = [[gr["lr"] for gr in opt.param_groups]]
    moms = [[group_momentum(gr) for gr in opt.param_groups]]
    for i in range(SCHED_STEPS):
        opt.step()  # no gradients: a no-op that keeps PyTorch's call-order check quiet
        if plateau:
            m = 1.0 / (1.0 + 0.1 * i) + 0.05 * math.sin(i)
            if case["scheduler"]["options"].get("mode") == "max":
                m = 1.0 - m
            metrics.append(m)
            sched.step(m)
        else:
            sched.step()
        lrs.append([gr["lr"] for gr in opt.param_groups])
        moms.append([group_momentum(gr) for gr in opt.param_groups])
        if not plateau:
            assert sched.get_last_lr() == lrs[-1]
    tensors[f"sched.{case['name']}.lr"] = torch.tensor(lrs, dtype=torch.float64)
    tensors[f"sched.{case['name']}.momentum"] = torch.tensor(moms, dtype=torch.float64)
    if plateau:
        tensors[f"sched.{case['name']}.metrics"] = torch.tensor(metrics, dtype=torch.float64)

# ---- gradient clipping ---------------------------------------------------------------------------------
G = [torch.randn(8, 4, generator=g) * 2, torch.randn(8, generator=g), torch.randn(3, 8, generator=g) * 0.1,
     torch.randn(3, generator=g) * 5]
for i, t in enumerate(G):
    tensors[f"clip.g{i}"] = t
CLIP_CASES = [
    {"name": "l2_clips", "maxNorm": 1.0, "normType": 2},
    {"name": "l2_no_clip", "maxNorm": 1000.0, "normType": 2},
    {"name": "l1", "maxNorm": 5.0, "normType": 1},
    {"name": "inf", "maxNorm": 0.5, "normType": "inf"},
    {"name": "l3", "maxNorm": 2.0, "normType": 3},
]
for case in CLIP_CASES:
    ps = [torch.zeros_like(t).requires_grad_() for t in G]
    for p, t in zip(ps, G):
        p.grad = t.clone()
    nt = math.inf if case["normType"] == "inf" else case["normType"]
    tensors[f"clip.{case['name']}.total"] = torch.nn.utils.clip_grad_norm_(ps, case["maxNorm"], norm_type=nt)
    for i, p in enumerate(ps):
        tensors[f"clip.{case['name']}.g{i}"] = p.grad
CLIPV_CASES = [{"name": "v0_5", "clipValue": 0.5}, {"name": "v3", "clipValue": 3}]
for case in CLIPV_CASES:
    ps = [torch.zeros_like(t).requires_grad_() for t in G]
    for p, t in zip(ps, G):
        p.grad = t.clone()
    torch.nn.utils.clip_grad_value_(ps, case["clipValue"])
    for i, p in enumerate(ps):
        tensors[f"clipv.{case['name']}.g{i}"] = p.grad

meta = {
    "generator": "test/gen/gen_optim.py, torch " + torch.__version__,
    "optim_cases": json.dumps(OPTIM_CASES),
    "sched_cases": json.dumps(SCHED_CASES),
    "clip_cases": json.dumps(CLIP_CASES),
    "clipv_cases": json.dumps(CLIPV_CASES),
}
save(tensors, OUT, metadata=meta)
print(f"wrote {len(tensors)} tensors to {os.path.normpath(OUT)}")
