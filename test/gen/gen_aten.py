#!/usr/bin/python3
"""Golden cases for the generated ATen ops (test/aten-golden.test.ts).

Run from the repository root with Debian's python (torch 1.13 CPU):

    /usr/bin/python3 test/gen/gen_aten.py

For every op bound by scripts/gen-ops (read from src/tensor/aten/specs.generated.ts), each
overload is tried with sample arguments made from its schema's types (PyTorch's OpInfo is the
model, reduced: a few input "configs" of shapes and value ranges, required arguments only,
PyTorch's defaults for the rest) until one call succeeds. The call is recorded with its inputs,
outputs and, when the output requires grad, the gradients of sum(out * gout) for every floating
input. Ops no sample fits are listed in the metadata with the last error, so the test prints
honest coverage. Writes test/fixtures/aten_ops.safetensors; byte-for-byte deterministic.
"""
import io
import json
import os
import re
import sys
import warnings
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
warnings.filterwarnings("ignore")

import torch  # noqa: E402

from safetensors_io import load, save  # noqa: E402

ROOT = os.path.join(HERE, "..", "..")
SPECS = os.path.join(ROOT, "src", "tensor", "aten", "specs.generated.ts")
OUT_PATH = os.path.join(HERE, "..", "fixtures", "aten_ops.safetensors")

# Ops whose result is not a function of the inputs (uninitialised memory, addresses, timing).
UNDETERMINED = re.compile(r"(^|_)empty|^new_empty|^data_ptr$|^set_$|^resize|^_?nnpack|^is_pinned|^pin_memory")
SCALAR_TYPE_CODES = {0: "uint8", 1: "int8", 2: "int16", 3: "int32", 4: "int64", 5: "float16", 6: "float32",
                     7: "float64", 11: "bool", 15: "bfloat16"}
# lift / lift_fresh move their leaf into the graph interior: backward fails in PyTorch too.
NO_GRAD = re.compile(r"^lift")
# Random ops are replayed with the same seed: torchlab's CPU generator equals PyTorch's.
DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.int32: "int32",
          torch.bool: "bool", torch.uint8: "uint8", torch.int8: "int8", torch.int16: "int16",
          torch.float16: "float16", torch.bfloat16: "bfloat16"}


def read_ops():
    ops, cur = [], None
    for line in open(SPECS, encoding="utf-8"):
        m = re.match(r"export const (\S+) = spec\('(\w+)'", line)
        if m:
            cur = (m.group(2), [])
            ops.append(cur)
            continue
        if cur and line.startswith('  "'):
            cur[1].append(json.loads(line.strip().rstrip(",")))
    return ops


def parse_args(schema):
    inner = schema[schema.index("(") + 1: schema.rindex(") -> ")]
    args, depth, cur, kw = [], 0, "", False
    parts = []
    for ch in inner:
        if ch in "([":
            depth += 1
        if ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    for p in parts:
        if p == "*":
            kw = True
            continue
        decl, _, default = p.partition("=")
        typ, name = decl.rsplit(" ", 1)
        typ = re.sub(r"\([^)]*\)", "", typ)
        size = re.search(r"\[(\d+)\]", typ)
        typ = re.sub(r"\[\d+\]", "[]", typ)
        args.append({"type": typ, "name": name, "size": int(size.group(1)) if size else 0,
                     "kw": kw, "has_default": bool(_)})
    return args


# Input configs: (shape of every tensor, dtype, value range). The first that works is kept.
CONFIGS = [
    ((3, 4), torch.float64, "unit"),
    ((4, 4), torch.float64, "unit"),
    ((5,), torch.float64, "unit"),
    ((2, 3, 4, 5), torch.float64, "unit"),
    ((2, 3, 6), torch.float64, "unit"),
    ((3, 4), torch.float64, "randn"),
    ((2, 2, 4, 4, 4), torch.float64, "unit"),
    ((3, 4), torch.float32, "unit"),
    ((3, 4), torch.int64, "int"),
    ((3, 4), torch.bool, "bool"),
    ((), torch.float64, "unit"),
]
INT_TENSORS = {"index", "indices", "target", "offsets", "input_lengths", "target_lengths", "repeats", "boundaries",
               "sorted_sequence", "lengths", "counts", "bins", "pivots"}
BOOL_TENSORS = {"mask", "condition"}
INT_ARGS = {"dim": 1, "dim0": 0, "dim1": 1, "k": 2, "n": 2, "groups": 1, "diagonal": 0, "offset": 0, "num_classes": 3,
            "start": 0, "end": 2, "length": 2, "step": 1, "chunks": 2, "sections": 2, "split_size": 2, "repeats": 2,
            "window_length": 4, "n_fft": 4, "N": 3, "m": 3, "p": 1, "ndim": 2, "source": 0, "destination": 1,
            "output_size": 2, "steps": 4, "low": 0, "high": 3, "size": 3, "blank": 0, "upscale_factor": 2,
            "downscale_factor": 2, "nbins": 4, "r": 2, "ord": 2, "axis0": 0, "axis1": 1, "index": 1, "order": 2,
            "bins": 4, "minlength": 0, "max_size": 3, "sorted_sequence": 0, "dimension": 1, "row": 3, "col": 4}
LIST_ARGS = {"size": [4, 3], "shape": [4, 3], "dims": [0], "dim": [1], "kernel_size": [2], "stride": [1],
             "padding": [0], "dilation": [1], "output_size": [2], "perm": None, "split_sizes": [1, 2],
             "sizes": [4, 3], "repeats": [1, 2], "pad": [1, 1], "indices": [0, 1], "tensor_indices_or_sections": [1],
             "output_padding": [0], "normalized_shape": None, "s": [4], "stride_": [1], "shifts": [1],
             "strides": [4, 1], "padding_": [0], "axes": [0], "batch_sizes": [1]}
STR_ARGS = {"equation": "ij,jk->ik", "padding": "same", "mode": "reflect", "indexing": "ij", "reduce": "sum",
            "approximate": "none", "rounding_mode": "floor", "UPLO": "L", "side": "left", "norm": "ortho",
            "interpolation": "linear", "ord": "fro", "uplo": "L", "reduction": "sum", "driver": "gelsy"}


def make_tensor(arg, config, gen, ntensor):
    shape, dtype, values = config
    name = arg["name"]
    if name in INT_TENSORS:
        return torch.randint(0, 2, shape if shape else (), generator=gen, dtype=torch.int64)
    if name in BOOL_TENSORS:
        return torch.rand(shape, generator=gen, dtype=torch.float64) > 0.5
    if values == "int":
        return torch.randint(-3, 4, shape, generator=gen, dtype=dtype)
    if values == "bool":
        return torch.rand(shape, generator=gen) > 0.5
    if values == "randn":
        return torch.randn(shape, generator=gen, dtype=dtype)
    return (torch.rand(shape, generator=gen, dtype=torch.float64) * 0.8 + 0.1).to(dtype)


def sample(arg, config, gen, ntensor, dims):
    """A sample value for a required argument (None = leave it to the default / skip)."""
    t, name = arg["type"], arg["name"]
    if t in ("Tensor", "Tensor?"):
        return ("T", make_tensor(arg, config, gen, ntensor))
    if t in ("Tensor[]", "Tensor?[]"):
        if name == "indices" or t == "Tensor?[]":
            return ("TL", [torch.tensor([0, 1])])
        return ("TL", [make_tensor(arg, config, gen, ntensor), make_tensor(arg, config, gen, ntensor)])
    if t in ("Scalar", "Scalar?"):
        return ("v", 2 if config[1] in (torch.int64,) else 0.5)
    if t in ("int", "int?", "SymInt", "SymInt?"):
        v = INT_ARGS.get(name, 1)
        if name in ("dim", "dim1", "destination") and dims < 2:
            v = 0
        return ("v", v)
    if t in ("int[]", "int[]?", "SymInt[]", "SymInt[]?"):
        v = LIST_ARGS.get(name)
        shape = config[0]
        if name in ("size", "shape", "sizes"):
            n = 1
            for d in shape:
                n *= d
            v = [n] if dims != 2 else [shape[1], shape[0]]
        if name in ("dims", "perm") or (v is None and name.startswith("dim")):
            v = list(reversed(range(len(shape)))) if name in ("dims", "perm") else [0]
        if name == "normalized_shape":
            v = [shape[-1]] if shape else []
        if v is None:
            v = [1] * (arg["size"] or 1)
        if arg["size"] and len(v) != arg["size"]:
            # a fixed-size list gets all its values: some kernels (reflection_pad1d) read
            # padding[1] of a one-element list unchecked
            v = v[:1] * arg["size"]
        return ("v", v)
    if t in ("float", "float?"):
        return ("v", 0.5)
    if t == "float[]?":
        return ("v", [2.0])
    if t in ("bool", "bool?"):
        return ("v", False)
    if t == "bool[]":
        return ("v", [True] * arg["size"])
    if t in ("str", "str?"):
        return ("v", STR_ARGS.get(name, "sum"))
    if t in ("ScalarType", "ScalarType?"):
        return ("dt", torch.float64)
    if t in ("Device", "Device?"):
        return ("v", "cpu")
    if t in ("Layout", "Layout?", "MemoryFormat", "MemoryFormat?", "Generator?"):
        return ("none", None)
    raise ValueError(f"no sample for {t}")


def case_seed(name):
    return zlib.crc32(name.encode("utf-8"))


def try_case(name, schema, config, ci):
    args = parse_args(schema)
    overload = schema[: schema.index("(")].split(".")
    fn = getattr(torch.ops.aten, overload[0])
    fn = getattr(fn, overload[1] if len(overload) > 1 else "default")
    seed = case_seed(f"{name}/{ci}")
    gen = torch.Generator().manual_seed(seed)
    dims = len(config[0])
    spec_args, call_args, call_kwargs, ins = [], [], {}, []
    for a in args:
        if a["has_default"] or (a["kw"] and a["type"].endswith("?")):
            continue
        kind, v = sample(a, config, gen, len(ins), dims)
        if kind == "T":
            spec_args.append({"t": len(ins)})
            ins.append(v)
        elif kind == "TL":
            spec_args.append({"tl": list(range(len(ins), len(ins) + len(v)))})
            ins.extend(v)
        elif kind == "dt":
            spec_args.append({"dtype": DTYPES[v]})
        elif kind == "none":
            spec_args.append(None)
        else:
            spec_args.append(v)
        if a["kw"]:
            call_kwargs[a["name"]] = v
            spec_args[-1] = {"kw": a["name"], "v": spec_args[-1]}
        else:
            call_args.append(v)
    inplace = overload[0].endswith("_") and args and args[0]["name"] == "self"
    floats = [t.is_floating_point() for t in ins]
    saved_in = [t.detach().clone().contiguous() for t in ins]
    leaves = [t.detach().clone().requires_grad_(f and not UNDETERMINED.search(name)) for t, f in zip(ins, floats)]
    # in-place ops write into a copy, so the leaf's gradient flows through the copy
    work = [l.clone() if inplace and i == 0 else l for i, l in enumerate(leaves)]
    # rebuild the call with the working tensors in place of the samples
    k = 0
    pos = []
    for v in call_args:
        if isinstance(v, torch.Tensor):
            pos.append(work[k]); k += 1
        elif isinstance(v, list) and v and isinstance(v[0], torch.Tensor):
            pos.append(work[k:k + len(v)]); k += len(v)
        else:
            pos.append(v)
    kws = {}
    for key, v in call_kwargs.items():
        if isinstance(v, torch.Tensor):
            kws[key] = work[k]; k += 1
        else:
            kws[key] = v
    torch.manual_seed(seed)
    if os.environ.get("GEN_ATEN_TRACE"):
        print(f"call {schema} {config}", file=sys.stderr, flush=True)
    out = fn(*pos, **kws)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    kinds, saved_out, values = [], [], []
    for o in outs:
        if isinstance(o, torch.Tensor):
            if o.dtype not in DTYPES or o.is_sparse or o.is_quantized:
                raise ValueError("unsupported output dtype/layout")
            kinds.append("T")
            saved_out.append(o.detach().clone().contiguous())
        elif isinstance(o, list) and all(isinstance(x, torch.Tensor) for x in o):
            kinds.append(["T"] * len(o))
            saved_out.extend(x.detach().clone().contiguous() for x in o)
        elif isinstance(o, torch.dtype):
            kinds.append({"dtype": DTYPES[o]})
        elif schema.endswith("-> ScalarType") and isinstance(o, int):
            kinds.append({"dtype": SCALAR_TYPE_CODES[o]})  # torch.ops returns the c10 enum code
        elif isinstance(o, (bool, int, float)):
            if isinstance(o, float) and o != o:
                raise ValueError("NaN scalar result")
            kinds.append({"v": o})
        elif o is None:
            kinds.append(None)
        else:
            raise ValueError(f"unsupported output {type(o)}")
    tensors = {}
    cname = f"{name}"
    for i, t in enumerate(saved_in):
        tensors[f"{cname}.in.{i}"] = t
    for i, t in enumerate(saved_out):
        tensors[f"{cname}.out.{i}"] = t
    grads = []
    first = outs[0] if outs and isinstance(outs[0], torch.Tensor) else None
    if first is not None and not NO_GRAD.search(name) and first.requires_grad and first.is_floating_point() and first.numel() > 0:
        g = torch.Generator().manual_seed(seed + 1)
        gout = torch.randn(first.shape, generator=g, dtype=torch.float64).to(first.dtype)
        try:
            grads_t = torch.autograd.grad([first], [l for l in leaves if l.requires_grad], [gout], allow_unused=True)
        except RuntimeError:
            grads_t = None  # e.g. "derivative not implemented": not differentiable here
        if grads_t is not None:
            tensors[f"{cname}.gout"] = gout
            it = iter(grads_t)
            for i, l in enumerate(leaves):
                if l.requires_grad:
                    gr = next(it)
                    if gr is not None:
                        tensors[f"{cname}.grad.{i}"] = gr.detach().contiguous()
                        grads.append(i)
    dt = saved_out[0].dtype if saved_out else torch.float64
    if dt == torch.float64:
        rtol, atol = 1e-7, 1e-9
    elif dt == torch.float32:
        rtol, atol = 1e-5, 1e-6
    else:
        rtol, atol = 1e-3, 1e-3
    spec = {"name": cname, "op": name, "schema": schema, "args": spec_args, "nin": len(ins),
            "outs": kinds, "nout": len(saved_out), "grads": grads, "inplace": bool(inplace),
            "seed": seed, "rtol": rtol, "atol": atol,
            "shapeOnly": bool(UNDETERMINED.search(name))}
    return spec, tensors


def run_op(name, schemas):
    """(spec, tensors) of the first sample that works, or (None, last error)."""
    last = ""
    for schema in schemas:
        for ci, config in enumerate(CONFIGS):
            try:
                spec, ts = try_case(name, schema, config, ci)
            except Exception as e:  # noqa: BLE001  (any failure: try the next sample)
                last = f"{type(e).__name__}: {str(e).splitlines()[0][:160] if str(e) else ''}"
                continue
            finite = all(torch.isfinite(t).all() for t in ts.values() if t.is_floating_point())
            if not finite and ci < len(CONFIGS) - 1:
                last = "non-finite values"
                continue
            return spec, ts
    return None, last


def run_op_isolated(name, schemas):
    """run_op in a forked child: some ops crash libtorch on inputs they do not check (the crash is
    recorded, and the fuzz test's deny list must cover it)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            buf = io.BytesIO()
            torch.save(run_op(name, schemas), buf)
            data = buf.getvalue()
            with os.fdopen(w, "wb") as f:
                f.write(data)
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not data:
        return None, f"crashed libtorch on a sample input (signal {os.WTERMSIG(status) if os.WIFSIGNALED(status) else '?'})"
    return torch.load(io.BytesIO(data))


def main():
    torch.set_num_threads(1)  # deterministic sums, and safe to fork
    ops = read_ops()
    specs, tensors, untested = [], {}, {}
    for name, schemas in ops:
        spec, ts = run_op_isolated(name, schemas)
        if spec is None:
            untested[name] = ts
            continue
        specs.append(spec)
        tensors.update(ts)
    crashed = sorted(n for n, why in untested.items() if why.startswith("crashed"))
    meta = {"cases": json.dumps(specs, separators=(",", ":")),
            "untested": json.dumps(untested, separators=(",", ":"), sort_keys=True),
            "crashed": json.dumps(crashed),
            "generator": f"test/gen/gen_aten.py (torch {torch.__version__})"}
    save(tensors, OUT_PATH, meta)
    back, back_meta = load(OUT_PATH)
    assert list(back) == list(tensors)
    n_grad = sum(1 for s in specs if s["grads"])
    size = os.path.getsize(OUT_PATH)
    print(f"wrote {os.path.relpath(OUT_PATH)}: {len(specs)} ops with a case ({n_grad} with grads) of {len(ops)}, "
          f"{len(untested)} without ({len(crashed)} crashed libtorch: {', '.join(crashed)}), {size / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
