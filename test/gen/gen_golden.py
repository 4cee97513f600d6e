#!/usr/bin/python3
"""Generate golden op fixtures for the torchlab TS tests.

Run from the repository root with Debian's python (torch 1.13 CPU):

    /usr/bin/python3 test/gen/gen_golden.py

Writes test/fixtures/golden_ops.safetensors (see test/gen/README.md for the
layout). Only torch + stdlib are used; output is byte-for-byte deterministic.
"""
import json
import os
import sys
import warnings
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep test/gen free of __pycache__
# padding="same" with an even kernel is exactly what one case tests.
warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")

import torch  # noqa: E402

import golden_cases_nn  # noqa: E402,F401  (registers part 2 of the cases)
from golden_cases import CASES  # noqa: E402
from golden_ops import OPS  # noqa: E402
from safetensors_io import load, save  # noqa: E402

OUT_PATH = os.path.join(HERE, "..", "fixtures", "golden_ops.safetensors")

# (rtol, atol) by output dtype and op tolerance class.
#  ew:     elementwise float32 ops: results can differ by ~1 ulp between
#          libtorch builds (SLEEF/vectorised vs scalar paths), so rtol 1e-5;
#          atol 1e-6 covers values near zero.
#  reduce: reductions (sum/mean/std/var/softmax/losses/batchNorm/pooling):
#          the summation order depends on vectorisation and threading, so the
#          absolute error grows with the number of summed terms -> atol 1e-5.
#  mm:     matmul/linear/conv go through BLAS/oneDNN whose blocking and FMA use
#          differ between builds -> rtol 1e-4, atol 1e-5.
# float64 is compared tightly; float16/bfloat16 loosely (bf16 has a 2^-8 ulp,
# so rtol 1e-3 would reject a single rounding difference); int/bool exactly.
TOLERANCES = {
    torch.float32: {"ew": (1e-5, 1e-6), "reduce": (1e-5, 1e-5), "mm": (1e-4, 1e-5)},
    torch.float64: {"ew": (1e-10, 1e-12), "reduce": (1e-10, 1e-12), "mm": (1e-10, 1e-12)},
    torch.float16: {"ew": (1e-3, 1e-3), "reduce": (1e-3, 1e-3), "mm": (1e-3, 1e-3)},
    torch.bfloat16: {"ew": (1e-2, 1e-2), "reduce": (1e-2, 1e-2), "mm": (1e-2, 1e-2)},
}


def case_seed(name):
    """Stable per-case seed (independent of case order)."""
    return zlib.crc32(name.encode("utf-8"))


def run_case(c):
    fn, diff, tol_class = OPS[c["op"]]
    name, args = c["name"], c["args"]
    seed = case_seed(name)
    torch.manual_seed(seed)
    ins = [t if isinstance(t, torch.Tensor) else torch.tensor(t) for t in c["make"]()]
    grad = c["grad"]
    if grad is None:
        grad = [diff and t.dtype in (torch.float32, torch.float64) for t in ins]
    assert len(grad) == len(ins), name

    saved_in = [t.detach().clone().contiguous() for t in ins]  # before any mutation
    leaves = [t.detach().clone().requires_grad_(g) for t, g in zip(ins, grad)]
    call_ins = list(leaves)
    if args.get("transposeInput"):
        call_ins[0] = call_ins[0].transpose(-2, -1)
    with torch.set_grad_enabled(any(grad)):
        out = fn(call_ins, args)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    saved_out = [o.detach().clone().contiguous() for o in outs]

    tensors = {}
    for i, t in enumerate(saved_in):
        tensors[f"{name}.in.{i}"] = t
    for i, t in enumerate(saved_out):
        tensors[f"{name}.out.{i}"] = t
    if any(grad):
        g = torch.Generator().manual_seed(seed + 1)
        n_gout = len(outs) if c["gout_all"] else 1
        gouts = []
        for o in outs[:n_gout]:
            gd = o.dtype if o.dtype in (torch.float32, torch.float64) else torch.float32
            gouts.append(torch.randn(o.shape, generator=g, dtype=gd).to(o.dtype))
        torch.autograd.backward(outs[:n_gout], gouts)
        for i, go in enumerate(gouts):
            tensors[f"{name}.gout.{i}"] = go
        for i, (leaf, r) in enumerate(zip(leaves, grad)):
            if r:
                gr = leaf.grad if leaf.grad is not None else torch.zeros_like(leaf)
                tensors[f"{name}.grad.{i}"] = gr.detach().contiguous()

    for k, t in tensors.items():
        if t.is_floating_point() and not torch.isfinite(t).all():
            raise ValueError(f"{k}: non-finite values in golden data")

    out_dtype = saved_out[0].dtype
    rtol, atol = TOLERANCES.get(out_dtype, {}).get(c["tol"] or tol_class, (0.0, 0.0))
    spec = {
        "name": name, "op": c["op"], "nin": len(ins), "nout": len(outs),
        "grad": [bool(x) for x in grad], "args": args, "rtol": rtol, "atol": atol,
        "goutAll": bool(c["gout_all"]) and any(grad),
    }
    return spec, tensors


def main():
    specs, tensors = [], {}
    for c in CASES:
        spec, ts = run_case(c)
        specs.append(spec)
        tensors.update(ts)
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    meta = {"cases": json.dumps(specs, separators=(",", ":")),
            "generator": f"test/gen/gen_golden.py (torch {torch.__version__})"}
    save(tensors, OUT_PATH, meta)

    # Round-trip self-check of the written file.
    back, back_meta = load(OUT_PATH)
    assert list(back) == list(tensors)
    for k, t in tensors.items():
        assert back[k].dtype == t.dtype and back[k].shape == t.shape, k
        assert torch.equal(back[k], t), k
    assert json.loads(back_meta["cases"]) == json.loads(meta["cases"])

    size = os.path.getsize(OUT_PATH)
    ops = sorted({s["op"] for s in specs})
    n_grad = sum(any(s["grad"]) for s in specs)
    print(f"wrote {os.path.relpath(OUT_PATH)}: {len(specs)} cases ({n_grad} with grads), "
          f"{len(ops)} ops, {len(tensors)} tensors, {size} bytes ({size / 1024:.1f} KiB)")
    if size >= 3 * 1024 * 1024:
        raise SystemExit("golden file too large (>= 3 MiB)")


if __name__ == "__main__":
    main()
