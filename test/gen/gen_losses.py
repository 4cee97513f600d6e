"""Fixtures for the loss tests (test/loss.test.ts), written by PyTorch.

Run with Debian's PyTorch (1.13) from the repository root:  /usr/bin/python3 test/gen/gen_losses.py
Writes test/fixtures/losses.safetensors (deterministic, byte for byte).

For each case C (the list below; every loss module with each of its options):
- C.input, C.target: the arguments of forward, as they were before the call;
- C.weight, C.posWeight: the tensor options, when the case has them;
- C.out: module(input, target); C.gout: the upstream gradient (same shape as out, never all ones);
- C.grad.input: d(out·gout)/d input; C.grad.target when the case differentiates the target
  (floating targets PyTorch differentiates: MSE, L1, SmoothL1, Huber, BCE, BCEWithLogits, KLDiv,
  CrossEntropy with probabilities).
__metadata__.cases: JSON list of {name, module, options (torchlab's camelCase names; tensor options
as the string "tensor"), targetGrad, repr (print(module)), stateKeys (state_dict keys), rtol, atol}.
Seeds: torch.manual_seed(crc32(name)), so adding a case changes no other case's data.
"""
import json
import os
import sys
import warnings
import zlib

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import save  # noqa: E402

warnings.filterwarnings("ignore", message="reduction: 'mean' divides the total loss")
warnings.filterwarnings("ignore", message="Using a target size")
torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "losses.safetensors")
SNAKE = {"ignoreIndex": "ignore_index", "labelSmoothing": "label_smoothing", "posWeight": "pos_weight",
         "logTarget": "log_target"}  # torchlab option -> PyTorch keyword
TIGHT = (1e-5, 1e-6)  # float32: both sides run libtorch's kernels; composed losses differ by rounding
F64 = (1e-12, 1e-14)  # float64: the composed formulas are ATen's, to double rounding


def classes(n, c, *extra, ignore=None):
    t = torch.randint(0, c, (n, *extra))
    if ignore is not None:
        t.view(-1)[::3] = ignore
    return t


def probs(*shape):
    return torch.randn(*shape).softmax(1)


def near(beta, *shape):
    """Differences around the quadratic/linear boundary, including exactly 0 and exactly ±beta."""
    x, t = torch.randn(*shape) * 2 * max(beta, 0.5), torch.randn(*shape)
    flat_x, flat_t = x.view(-1), t.view(-1)
    flat_x[0] = flat_t[0]
    flat_x[1] = flat_t[1] + beta
    flat_x[2] = flat_t[2] - beta
    return x, t


CASES = []


def case(name, module, options=None, make=None, target_grad=False, tol=TIGHT, tensors=None, dtype=torch.float32):
    CASES.append(dict(name=name, module=module, options=options or {}, make=make, targetGrad=target_grad, tol=tol,
                      tensors=tensors or {}, dtype=dtype))


def reductions(prefix, module, make, target_grad=False, options=None, tensors=None, tol=TIGHT):
    for r in ("mean", "sum", "none"):
        case(f"{prefix}_{r}", module, {**(options or {}), "reduction": r}, make, target_grad, tol, tensors)


logits = lambda *s: torch.randn(*s)  # noqa: E731
# CrossEntropyLoss: class indices, weight, ignoreIndex, labelSmoothing, probabilities, (N, C, d1, d2), unbatched
reductions("ce", "CrossEntropyLoss", lambda: (logits(6, 5), classes(6, 5)))
reductions("ce_weight", "CrossEntropyLoss", lambda: (logits(6, 5), classes(6, 5)), tensors={"weight": lambda: torch.rand(5) + 0.1})
reductions("ce_ignore", "CrossEntropyLoss", lambda: (logits(6, 5), classes(6, 5, ignore=2)), options={"ignoreIndex": 2},
           tensors={"weight": lambda: torch.rand(5) + 0.1})
case("ce_ignore_default", "CrossEntropyLoss", {}, lambda: (logits(6, 5), classes(6, 5, ignore=-100)))
reductions("ce_smooth", "CrossEntropyLoss", lambda: (logits(6, 5), classes(6, 5)), options={"labelSmoothing": 0.1})
reductions("ce_smooth_weight_ignore", "CrossEntropyLoss", lambda: (logits(6, 5), classes(6, 5, ignore=-100)),
           options={"labelSmoothing": 0.25}, tensors={"weight": lambda: torch.rand(5) + 0.1})
reductions("ce_probs", "CrossEntropyLoss", lambda: (logits(6, 5), probs(6, 5)), target_grad=True)
case("ce_probs_weight_smooth", "CrossEntropyLoss", {"labelSmoothing": 0.2}, lambda: (logits(6, 5), probs(6, 5)), True,
     tensors={"weight": lambda: torch.rand(5) + 0.1})
case("ce_spatial", "CrossEntropyLoss", {"ignoreIndex": 0}, lambda: (logits(2, 3, 4, 4), classes(2, 3, 4, 4)),
     tensors={"weight": lambda: torch.rand(3) + 0.1})
case("ce_spatial_probs", "CrossEntropyLoss", {}, lambda: (logits(2, 3, 4, 4), probs(2, 3, 4, 4)), True)
case("ce_unbatched", "CrossEntropyLoss", {}, lambda: (logits(5), torch.tensor(3)))
case("ce_positional_weight", "CrossEntropyLoss", {"reduction": "sum"}, lambda: (logits(6, 5), classes(6, 5)),
     tensors={"weight": lambda: torch.rand(5) + 0.1})
# NLLLoss
lsm = lambda *s: torch.randn(*s).log_softmax(1)  # noqa: E731
reductions("nll", "NLLLoss", lambda: (lsm(6, 5), classes(6, 5)))
reductions("nll_weight_ignore", "NLLLoss", lambda: (lsm(6, 5), classes(6, 5, ignore=4)), options={"ignoreIndex": 4},
           tensors={"weight": lambda: torch.rand(5) + 0.1})
case("nll_spatial", "NLLLoss", {}, lambda: (lsm(2, 3, 4, 4), classes(2, 3, 4, 4)), tensors={"weight": lambda: torch.rand(3) + 0.1})
# MSELoss, L1Loss (both differentiate the target)
reg = lambda: (torch.randn(4, 5), torch.randn(4, 5))  # noqa: E731
reductions("mse", "MSELoss", reg, True)
case("mse_broadcast", "MSELoss", {}, lambda: (torch.randn(4, 5), torch.randn(5)), True)
reductions("l1", "L1Loss", reg, True)
# SmoothL1Loss: default beta 1, 0.5, 2, 0 (the L1 loss); values exactly on the boundary
reductions("smoothl1", "SmoothL1Loss", lambda: near(1.0, 4, 5), True)
reductions("smoothl1_beta05", "SmoothL1Loss", lambda: near(0.5, 4, 5), True, options={"beta": 0.5})
case("smoothl1_beta2", "SmoothL1Loss", {"beta": 2.0}, lambda: near(2.0, 4, 5), True)
case("smoothl1_beta0", "SmoothL1Loss", {"beta": 0.0}, lambda: near(0.0, 4, 5), True)
# HuberLoss: default delta 1, 0.5, 2.5
reductions("huber", "HuberLoss", lambda: near(1.0, 4, 5), True)
reductions("huber_delta05", "HuberLoss", lambda: near(0.5, 4, 5), True, options={"delta": 0.5})
case("huber_delta25", "HuberLoss", {"delta": 2.5}, lambda: near(2.5, 4, 5), True)
# BCELoss: probabilities; weight per element and broadcast per class; saturated inputs (exactly 0 and 1)
bce = lambda: (torch.rand(4, 5) * 0.98 + 0.01, torch.rand(4, 5))  # noqa: E731
reductions("bce", "BCELoss", bce, True)
reductions("bce_weight", "BCELoss", bce, True, tensors={"weight": lambda: torch.rand(5) + 0.1})
case("bce_weight_full", "BCELoss", {}, bce, True, tensors={"weight": lambda: torch.rand(4, 5) + 0.1})


def saturated():
    x, t = torch.rand(4, 5), (torch.rand(4, 5) > 0.5).float()
    x.view(-1)[:8] = torch.tensor([0.0, 1.0, 0.0, 1.0, 1e-30, 1 - 2 ** -24, 2 ** -24, 0.5])
    t.view(-1)[:8] = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.5])
    return x, t


# PyTorch's target gradient is ±inf where the input is exactly 0 or 1 (torchlab's: 0, a documented deviation)
reductions("bce_saturated", "BCELoss", saturated)
# BCEWithLogitsLoss: weight, posWeight (per class), both
bcel = lambda: (torch.randn(4, 5) * 3, torch.rand(4, 5))  # noqa: E731
reductions("bcelogits", "BCEWithLogitsLoss", bcel, True)
reductions("bcelogits_posweight", "BCEWithLogitsLoss", bcel, True, tensors={"posWeight": lambda: torch.rand(5) * 3 + 0.1})
case("bcelogits_weight_posweight", "BCEWithLogitsLoss", {}, bcel, True,
     tensors={"weight": lambda: torch.rand(4, 5) + 0.1, "posWeight": lambda: torch.rand(5) * 3 + 0.1})


# KLDivLoss: probabilities (with zeros: PyTorch's target gradient is NaN there, torchlab's too) and log-probabilities
def kl(log_target):
    def make():
        x = torch.randn(4, 5).log_softmax(1)
        t = torch.randn(4, 5).softmax(1)
        if log_target:
            return x, t.log()
        t.view(-1)[::4] = 0
        return x, t
    return make


for r in ("mean", "sum", "none", "batchmean"):
    case(f"kl_{r}", "KLDivLoss", {"reduction": r}, kl(False), True)
    case(f"kl_logtarget_{r}", "KLDivLoss", {"reduction": r, "logTarget": True}, kl(True), True)
# float64: the composed losses reproduce ATen's formulas to double rounding
for name, module, opts, make in (("smoothl1", "SmoothL1Loss", {"beta": 0.5}, lambda: near(0.5, 4, 5)),
                                 ("huber", "HuberLoss", {"delta": 0.5}, lambda: near(0.5, 4, 5)),
                                 ("bce", "BCELoss", {}, bce), ("kl", "KLDivLoss", {"reduction": "batchmean"}, kl(False))):
    case(f"{name}_f64", module, opts, make, True, F64, dtype=torch.float64)


def run(c):
    name = c["name"]
    torch.manual_seed(zlib.crc32(name.encode()))
    inp, target = c["make"]()
    if inp.is_floating_point():
        inp = inp.to(c["dtype"])
    if target.is_floating_point():
        target = target.to(c["dtype"])
    extra = {k: f().to(c["dtype"]) for k, f in c["tensors"].items()}
    kwargs = {SNAKE.get(k, k): v for k, v in {**c["options"], **extra}.items()}
    module = getattr(nn, c["module"])(**kwargs)
    out = {f"{name}.input": inp.clone(), f"{name}.target": target.clone()}
    out.update({f"{name}.{k}": v for k, v in extra.items()})
    x = inp.clone().requires_grad_()
    t = target.clone().requires_grad_(c["targetGrad"])
    y = module(x, t)
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()) + 1)
    gout = (torch.rand(y.shape, generator=g, dtype=y.dtype) + 0.5)
    y.backward(gout)
    out[f"{name}.out"] = y.detach()
    out[f"{name}.gout"] = gout
    out[f"{name}.grad.input"] = x.grad
    if c["targetGrad"]:
        out[f"{name}.grad.target"] = t.grad
    spec = {"name": name, "module": c["module"], "options": {**c["options"], **{k: "tensor" for k in c["tensors"]}},
            "targetGrad": c["targetGrad"], "repr": repr(module), "stateKeys": list(module.state_dict().keys()),
            "rtol": c["tol"][0], "atol": c["tol"][1]}
    return spec, out


def main():
    tensors, specs = {}, []
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    for c in CASES:
        spec, out = run(c)
        specs.append(spec)
        tensors.update(out)
    meta = {"generator": "test/gen/gen_losses.py, torch " + torch.__version__, "cases": json.dumps(specs)}
    save(tensors, OUT, meta)
    print(f"wrote {OUT}: {len(specs)} cases, {len(tensors)} tensors")


if __name__ == "__main__":
    main()
