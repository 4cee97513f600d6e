"""Registry: torchlab op name -> PyTorch reference implementation.

Every implementation has the signature fn(ins, a) where `ins` is the list of
tensor inputs (already transposed if a["transposeInput"]) and `a` is the JSON
args dict written to the fixture metadata, using torchlab camelCase names.
Absent optional keys mean "use the PyTorch/torchlab default".

Each entry also records whether the op is differentiable (default grad flags)
and a tolerance class (see gen_golden.TOLERANCES).
"""
import torch
import torch.nn.functional as F

OPS = {}  # name -> (fn, differentiable, tolerance class)


def op(name, diff=True, tol="ew"):
    def deco(fn):
        assert name not in OPS, name
        OPS[name] = (fn, diff, tol)
        return fn
    return deco


def kw(a, **mapping):
    """Pick present args, renaming camelCase torchlab keys to PyTorch kwargs."""
    return {py: _tup(a[ts]) for ts, py in mapping.items() if ts in a}


def _tup(v):
    return tuple(v) if isinstance(v, list) else v


def other(ins, a):
    """Second operand: a JS number ({"scalar": x}) or tensor input 1."""
    return a["scalar"] if "scalar" in a else ins[1]


# ---- unary -----------------------------------------------------------------
for _n in ["neg", "abs", "exp", "log", "sqrt", "rsqrt", "sigmoid", "tanh", "relu"]:
    op(_n)(lambda ins, a, f=getattr(torch, _n): f(ins[0]))

# ---- binary ----------------------------------------------------------------
op("add")(lambda ins, a: torch.add(ins[0], other(ins, a), **kw(a, alpha="alpha")))
op("sub")(lambda ins, a: torch.sub(ins[0], other(ins, a), **kw(a, alpha="alpha")))
for _n in ["mul", "div", "pow"]:
    op(_n)(lambda ins, a, f=getattr(torch, _n): f(ins[0], other(ins, a)))
for _n in ["maximum", "minimum"]:
    op(_n)(lambda ins, a, f=getattr(torch, _n): f(ins[0], ins[1]))
for _n in ["eq", "ne", "lt", "le", "gt", "ge"]:
    op(_n, diff=False)(lambda ins, a, f=getattr(torch, _n): f(ins[0], other(ins, a)))

op("where")(lambda ins, a: torch.where(ins[0], ins[1], ins[2]))
op("clamp")(lambda ins, a: torch.clamp(ins[0], **kw(a, min="min", max="max")))


# ---- reductions --------------------------------------------------------------
def _dim_reduce(f):
    def fn(ins, a):
        if "dim" in a:
            return f(ins[0], dim=_tup(a["dim"]), keepdim=a.get("keepdim", False))
        return f(ins[0])
    return fn


op("sum", tol="reduce")(_dim_reduce(torch.sum))
op("mean", tol="reduce")(_dim_reduce(torch.mean))
op("max")(_dim_reduce(torch.max))  # with dim -> (values, indices)
op("min")(_dim_reduce(torch.min))
op("argmax", diff=False)(_dim_reduce(torch.argmax))
op("argmin", diff=False)(_dim_reduce(torch.argmin))


def _std_var(f):
    # torch 1.13 only accepts `correction` together with `dim` (None allowed).
    def fn(ins, a):
        return f(ins[0], dim=_tup(a.get("dim")), correction=a.get("correction", 1),
                 keepdim=a.get("keepdim", False))
    return fn


op("std", tol="reduce")(_std_var(torch.std))
op("var", tol="reduce")(_std_var(torch.var))

# ---- linear algebra ------------------------------------------------------------
op("matmul", tol="mm")(lambda ins, a: torch.matmul(ins[0], ins[1]))
op("mm", tol="mm")(lambda ins, a: torch.mm(ins[0], ins[1]))
op("bmm", tol="mm")(lambda ins, a: torch.bmm(ins[0], ins[1]))
op("addmm", tol="mm")(lambda ins, a: torch.addmm(ins[0], ins[1], ins[2],
                                                 **kw(a, beta="beta", alpha="alpha")))

# ---- shape ---------------------------------------------------------------------
op("view")(lambda ins, a: ins[0].view(a["shape"]))
op("reshape")(lambda ins, a: ins[0].reshape(a["shape"]))
op("flatten")(lambda ins, a: torch.flatten(ins[0], **kw(a, startDim="start_dim",
                                                        endDim="end_dim")))
op("permute")(lambda ins, a: ins[0].permute(a["dims"]))
op("transpose")(lambda ins, a: ins[0].transpose(a["dim0"], a["dim1"]))
op("contiguous")(lambda ins, a: ins[0].contiguous())
op("squeeze")(lambda ins, a: ins[0].squeeze(a["dim"]) if "dim" in a else ins[0].squeeze())
op("unsqueeze")(lambda ins, a: ins[0].unsqueeze(a["dim"]))
op("expand")(lambda ins, a: ins[0].expand(a["shape"]))
op("cat")(lambda ins, a: torch.cat(ins, **kw(a, dim="dim")))
op("stack")(lambda ins, a: torch.stack(ins, **kw(a, dim="dim")))
op("split")(lambda ins, a: torch.split(ins[0], a["splitSizeOrSections"], **kw(a, dim="dim")))
op("chunk")(lambda ins, a: torch.chunk(ins[0], a["chunks"], **kw(a, dim="dim")))

# ---- indexing ------------------------------------------------------------------
op("narrow")(lambda ins, a: ins[0].narrow(a["dim"], a["start"], a["length"]))
op("indexSelect")(lambda ins, a: torch.index_select(ins[0], a["dim"], ins[1]))
op("gather")(lambda ins, a: torch.gather(ins[0], a["dim"], ins[1]))
op("maskedFill")(lambda ins, a: ins[0].masked_fill(ins[1], a["value"]))
op("select")(lambda ins, a: ins[0].select(a["dim"], a["index"]))


@op("slice")
def _slice(ins, a):
    """Python slicing x[..., start:end:step, ...] along dim (absent = None)."""
    x = ins[0]
    idx = [slice(None)] * x.dim()
    idx[a["dim"] % x.dim()] = slice(a.get("start"), a.get("end"), a.get("step"))
    return x[tuple(idx)]


def index_spec(spec, ins):
    """JSON index spec -> python index tuple.
    ":" full slice, "..." ellipsis, null new axis, int, {"tensor": k} tensor
    input k (int64 or bool), {"slice": [start, end, step]} (nulls allowed)."""
    out = []
    for s in spec:
        if s == ":":
            out.append(slice(None))
        elif s == "...":
            out.append(Ellipsis)
        elif s is None:
            out.append(None)
        elif isinstance(s, int):
            out.append(s)
        elif "tensor" in s:
            out.append(ins[s["tensor"]])
        elif "slice" in s:
            out.append(slice(*s["slice"]))
        else:
            raise ValueError(f"bad index spec element {s!r}")
    return tuple(out)


op("index")(lambda ins, a: ins[0][index_spec(a["spec"], ins)] if "spec" in a else ins[0][ins[1]])
op("oneHot", diff=False)(lambda ins, a: F.one_hot(ins[0], **kw(a, numClasses="num_classes")))

# ---- nn.functional -------------------------------------------------------------
op("F.conv2d", tol="mm")(lambda ins, a: F.conv2d(
    ins[0], ins[1], ins[2] if len(ins) > 2 else None,
    **kw(a, stride="stride", padding="padding", dilation="dilation", groups="groups")))
op("F.maxPool2d")(lambda ins, a: F.max_pool2d(ins[0], **kw(
    a, kernelSize="kernel_size", stride="stride", padding="padding",
    dilation="dilation", ceilMode="ceil_mode")))
op("F.avgPool2d", tol="reduce")(lambda ins, a: F.avg_pool2d(ins[0], **kw(
    a, kernelSize="kernel_size", stride="stride", padding="padding",
    ceilMode="ceil_mode", countIncludePad="count_include_pad")))
op("F.adaptiveAvgPool2d", tol="reduce")(
    lambda ins, a: F.adaptive_avg_pool2d(ins[0], _tup(a["outputSize"])))


@op("F.batchNorm", tol="reduce")
def _batch_norm(ins, a):
    # inputs: x, runningMean, runningVar[, weight, bias]; the running stats are
    # updated in place in training mode and returned as outputs 1 and 2.
    x, rm, rv = ins[:3]
    w = ins[3] if len(ins) > 3 else None
    b = ins[4] if len(ins) > 4 else None
    y = F.batch_norm(x, rm, rv, w, b, **kw(a, training="training",
                                          momentum="momentum", eps="eps"))
    return y, rm, rv


op("F.linear", tol="mm")(lambda ins, a: F.linear(ins[0], ins[1], ins[2] if len(ins) > 2 else None))
op("F.relu")(lambda ins, a: F.relu(ins[0]))
op("F.leakyRelu")(lambda ins, a: F.leaky_relu(ins[0], **kw(a, negativeSlope="negative_slope")))
op("F.gelu")(lambda ins, a: F.gelu(ins[0], **kw(a, approximate="approximate")))
op("F.softmax", tol="reduce")(lambda ins, a: F.softmax(ins[0], dim=a["dim"]))
op("F.logSoftmax", tol="reduce")(lambda ins, a: F.log_softmax(ins[0], dim=a["dim"]))
op("F.crossEntropy", tol="reduce")(lambda ins, a: F.cross_entropy(
    ins[0], ins[1], ins[2] if len(ins) > 2 else None,
    **kw(a, reduction="reduction", ignoreIndex="ignore_index", labelSmoothing="label_smoothing")))
op("F.nllLoss", tol="reduce")(lambda ins, a: F.nll_loss(
    ins[0], ins[1], ins[2] if len(ins) > 2 else None,
    **kw(a, reduction="reduction", ignoreIndex="ignore_index")))
op("F.mseLoss", tol="reduce")(lambda ins, a: F.mse_loss(ins[0], ins[1], **kw(a, reduction="reduction")))
op("F.dropout")(lambda ins, a: F.dropout(ins[0], **kw(a, p="p", training="training")))


# ---- in-place (output = mutated input 0; never differentiated) -----------------
def _inplace(name, fn):
    op(name, diff=False)(lambda ins, a: fn(ins, a))


_inplace("add_", lambda ins, a: ins[0].add_(other(ins, a), **kw(a, alpha="alpha")))
_inplace("mul_", lambda ins, a: ins[0].mul_(other(ins, a)))
_inplace("addcmul_", lambda ins, a: ins[0].addcmul_(ins[1], ins[2], **kw(a, value="value")))
_inplace("addcdiv_", lambda ins, a: ins[0].addcdiv_(ins[1], ins[2], **kw(a, value="value")))
_inplace("lerp_", lambda ins, a: ins[0].lerp_(ins[1], a["weight"] if "weight" in a else ins[2]))
_inplace("zero_", lambda ins, a: ins[0].zero_())
_inplace("fill_", lambda ins, a: ins[0].fill_(a["value"]))
_inplace("copy_", lambda ins, a: ins[0].copy_(ins[1]))
_inplace("clamp_", lambda ins, a: ins[0].clamp_(**kw(a, min="min", max="max")))
_inplace("maskedFill_", lambda ins, a: ins[0].masked_fill_(ins[1], a["value"]))
