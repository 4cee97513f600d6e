"""Golden case list, part 1: elementwise, reductions, linalg, shape, indexing.

A case is declared with case(name, op, make, **opts) where `make` is a
zero-argument callable returning the list of input tensors. It is called by
the generator right after torch.manual_seed(<seed derived from the name>), so
inputs are deterministic and independent of case order.
"""
import re

import torch

CASES = []
_NAME_RE = re.compile(r"^[a-z0-9_]+$")


def case(name, op, make, args=None, grad=None, tol=None, gout_all=False):
    """grad: per-input requires_grad flags (default: floating inputs of
    differentiable ops). tol: tolerance class override ("ew"|"reduce"|"mm")."""
    assert _NAME_RE.match(name), name
    assert all(c["name"] != name for c in CASES), f"duplicate case {name}"
    CASES.append(dict(name=name, op=op, make=make, args=args or {}, grad=grad,
                      tol=tol, gout_all=gout_all))


# ---- input helpers (all use the global, per-case seeded RNG) ------------------
F64 = torch.float64


def rn(*shape, dtype=torch.float32):
    return torch.randn(shape, dtype=dtype)


def pos(*shape, dtype=torch.float32):
    """Strictly positive values in [0.5, 1.5) (log/sqrt/rsqrt/pow bases)."""
    return torch.rand(shape, dtype=dtype) + 0.5


def away(*shape):
    """|x| in [0.5, 1.5) with random sign (safe divisors)."""
    return (torch.rand(shape) + 0.5) * (torch.randint(0, 2, shape) * 2 - 1)


def distinct(*shape):
    """Values with no ties, spaced >= 0.1 apart (max/min/argmax/sort-like ops)."""
    n = 1
    for s in shape:
        n *= s
    return (torch.randperm(n).float() * 0.1 - 0.05 * n).reshape(shape)


def ints(lo, hi, *shape, dtype=torch.int64):
    return torch.randint(lo, hi, shape, dtype=dtype)


def small_ints_f(*shape):
    """Floats drawn from {0,1,2}: guarantees equal elements for comparisons."""
    return torch.randint(0, 3, shape).float()


def mask(*shape):
    return torch.rand(shape) > 0.5


def idx(values):
    return torch.tensor(values, dtype=torch.int64)


T = {"transposeInput": True}

# ---- unary ------------------------------------------------------------------
UNARY_SHAPES = {"0d": (), "1d": (5,), "2d": (3, 4), "4d": (2, 3, 2, 2)}
for _op in ["neg", "abs", "exp", "log", "sqrt", "rsqrt", "sigmoid", "tanh", "relu"]:
    _gen = pos if _op in ("log", "sqrt", "rsqrt") else rn
    for _sn, _sh in UNARY_SHAPES.items():
        case(f"{_op}_{_sn}", _op, lambda g=_gen, s=_sh: [g(*s)])
    if _op in ("neg", "exp", "relu"):
        case(f"{_op}_empty", _op, lambda: [rn(0, 3)])
    if _op in ("exp", "sqrt", "relu", "abs"):
        case(f"{_op}_transposed", _op, lambda g=_gen: [g(4, 3)], args=T)
for _op in ["exp", "log", "tanh", "sigmoid", "sqrt"]:
    _gen = pos if _op in ("log", "sqrt") else rn
    case(f"{_op}_f64", _op, lambda g=_gen: [g(3, 4, dtype=F64)])

# ---- binary tensor-tensor (with broadcasting) ------------------------------------
BIN_SHAPES = {
    "same": ((3, 4), (3, 4)),
    "bcast_col_row": ((3, 1), (1, 4)),
    "bcast_3d_1d": ((2, 3, 4), (4,)),
    "bcast_1d_0d": ((5,), ()),
    "0d_0d": ((), ()),
    "bcast_4d": ((2, 1, 3, 1), (4, 1, 5)),
    "empty": ((0, 3), (3,)),
}
for _op in ["add", "sub", "mul", "div", "pow", "maximum", "minimum"]:
    _ga = pos if _op == "pow" else rn
    _gb = away if _op == "div" else rn
    for _sn, (_sa, _sb) in BIN_SHAPES.items():
        case(f"{_op}_{_sn}", _op, lambda ga=_ga, gb=_gb, sa=_sa, sb=_sb: [ga(*sa), gb(*sb)])
    case(f"{_op}_transposed", _op, lambda ga=_ga, gb=_gb: [ga(4, 3), gb(3, 4)], args=T)
    case(f"{_op}_f64", _op, lambda ga=_ga, gb=_gb: [ga(3, 1).double(), gb(1, 4).double()])
case("add_alpha", "add", lambda: [rn(3, 1), rn(1, 4)], args={"alpha": 2.0})
case("sub_alpha", "sub", lambda: [rn(3, 4), rn(4)], args={"alpha": -0.5})

# tensor-scalar: second operand is a JS number
for _op, _s, _g in [("add", 2.5, rn), ("sub", 2.5, rn), ("mul", 2.5, rn), ("div", 2.5, rn),
                    ("pow", 2.5, pos), ("pow", 2, rn), ("pow", -0.5, pos)]:
    _sn = str(_s).replace("-", "m").replace(".", "p")
    case(f"{_op}_scalar_{_sn}", _op, lambda g=_g: [g(3, 4)], args={"scalar": _s})
    case(f"{_op}_scalar_{_sn}_0d", _op, lambda g=_g: [g()], args={"scalar": _s})
case("add_scalar_alpha", "add", lambda: [rn(3, 4)], args={"scalar": 2.5, "alpha": 2.0})
case("sub_scalar_alpha", "sub", lambda: [rn(2, 3)], args={"scalar": 1.5, "alpha": -2.0})

# ---- comparisons (bool output, no grad) --------------------------------------------
for _op in ["eq", "ne", "lt", "le", "gt", "ge"]:
    case(f"{_op}_same", _op, lambda: [small_ints_f(3, 4), small_ints_f(3, 4)])
    case(f"{_op}_bcast", _op, lambda: [small_ints_f(3, 1), small_ints_f(1, 4)])
    case(f"{_op}_bcast_1d_0d", _op, lambda: [small_ints_f(5), small_ints_f()])
    case(f"{_op}_scalar", _op, lambda: [small_ints_f(3, 4)], args={"scalar": 1.0})
    case(f"{_op}_scalar_frac", _op, lambda: [rn(2, 3, 2)], args={"scalar": 0.25})

# ---- where / clamp ----------------------------------------------------------------
case("where_same", "where", lambda: [mask(3, 4), rn(3, 4), rn(3, 4)])
case("where_bcast", "where", lambda: [mask(3, 1), rn(1, 4), rn()])
case("where_bcast_3d", "where", lambda: [mask(2, 3, 4), rn(4), rn(3, 1)])
case("clamp_both", "clamp", lambda: [rn(3, 4)], args={"min": -0.5, "max": 0.5})
case("clamp_min_only", "clamp", lambda: [rn(3, 4)], args={"min": -0.2})
case("clamp_max_only", "clamp", lambda: [rn(3, 4)], args={"max": 0.3})
case("clamp_0d", "clamp", lambda: [rn()], args={"min": -0.1, "max": 0.1})
case("clamp_4d", "clamp", lambda: [rn(2, 3, 2, 2)], args={"min": -1.0, "max": 0.5})
case("clamp_transposed", "clamp", lambda: [rn(4, 3)], args={"min": -0.5, "max": 0.5, **T})

# ---- reductions ----------------------------------------------------------------------
for _op in ["sum", "mean"]:
    case(f"{_op}_all", _op, lambda: [rn(3, 4)])
    case(f"{_op}_all_0d", _op, lambda: [rn()])
    case(f"{_op}_dim1", _op, lambda: [rn(3, 4)], args={"dim": 1})
    case(f"{_op}_dimneg_keepdim", _op, lambda: [rn(3, 4)], args={"dim": -1, "keepdim": True})
    case(f"{_op}_dims_list", _op, lambda: [rn(2, 3, 4)], args={"dim": [0, 2]})
    case(f"{_op}_4d_keepdim", _op, lambda: [rn(2, 3, 4, 5)], args={"dim": [1, 3], "keepdim": True})
    case(f"{_op}_transposed", _op, lambda: [rn(4, 3)], args={"dim": 0, **T})
    case(f"{_op}_large", _op, lambda: [rn(64, 257)], args={"dim": 1})
case("sum_empty_all", "sum", lambda: [rn(0, 3)])
case("sum_empty_dim0", "sum", lambda: [rn(0, 3)], args={"dim": 0})
case("mean_f64", "mean", lambda: [rn(3, 4, dtype=F64)], args={"dim": 0})

for _op in ["max", "min"]:
    case(f"{_op}_all", _op, lambda: [distinct(3, 4)])
    case(f"{_op}_all_0d", _op, lambda: [rn()])
    case(f"{_op}_dim1", _op, lambda: [distinct(3, 4)], args={"dim": 1})
    case(f"{_op}_dimneg_keepdim", _op, lambda: [distinct(3, 4)], args={"dim": -1, "keepdim": True})
    case(f"{_op}_4d_dim2", _op, lambda: [distinct(2, 3, 4, 2)], args={"dim": 2})
    case(f"{_op}_transposed", _op, lambda: [distinct(4, 3)], args={"dim": 1, **T})
for _op in ["argmax", "argmin"]:
    case(f"{_op}_all", _op, lambda: [distinct(3, 4)])
    case(f"{_op}_dim0", _op, lambda: [distinct(3, 4)], args={"dim": 0})
    case(f"{_op}_dimneg_keepdim", _op, lambda: [distinct(3, 4)], args={"dim": -1, "keepdim": True})
    case(f"{_op}_4d_dim1", _op, lambda: [distinct(2, 3, 2, 2)], args={"dim": 1})
for _op in ["std", "var"]:
    case(f"{_op}_all", _op, lambda: [rn(3, 4)])
    case(f"{_op}_all_c0", _op, lambda: [rn(3, 4)], args={"correction": 0})
    case(f"{_op}_dim1", _op, lambda: [rn(3, 4)], args={"dim": 1})
    case(f"{_op}_dimneg_c0", _op, lambda: [rn(3, 4)], args={"dim": -1, "correction": 0})
    case(f"{_op}_dims_keepdim", _op, lambda: [rn(3, 4)],
         args={"dim": [0, 1], "correction": 0, "keepdim": True})
    case(f"{_op}_4d", _op, lambda: [rn(2, 3, 4, 4)], args={"dim": [2, 3], "keepdim": True})

# ---- linear algebra -------------------------------------------------------------------
MATMUL_SHAPES = {
    "1d_1d": ((4,), (4,)), "2d_1d": ((3, 4), (4,)), "1d_2d": ((4,), (4, 5)),
    "2d_2d": ((3, 4), (4, 5)), "3d_2d": ((2, 3, 4), (4, 5)), "1d_3d": ((4,), (2, 4, 3)),
    "bcast_batch": ((2, 1, 3, 4), (3, 4, 2)),
}
for _sn, (_sa, _sb) in MATMUL_SHAPES.items():
    case(f"matmul_{_sn}", "matmul", lambda sa=_sa, sb=_sb: [rn(*sa), rn(*sb)])
case("matmul_transposed", "matmul", lambda: [rn(4, 3), rn(4, 5)], args=T)
case("matmul_f64", "matmul", lambda: [rn(2, 3, 4, dtype=F64), rn(4, 5, dtype=F64)])
case("mm_basic", "mm", lambda: [rn(3, 4), rn(4, 5)])
case("mm_transposed", "mm", lambda: [rn(4, 3), rn(4, 5)], args=T)
case("mm_empty", "mm", lambda: [rn(0, 4), rn(4, 5)])
case("mm_large", "mm", lambda: [rn(16, 64), rn(64, 8)])
case("bmm_basic", "bmm", lambda: [rn(2, 3, 4), rn(2, 4, 5)])
case("addmm_basic", "addmm", lambda: [rn(3, 5), rn(3, 4), rn(4, 5)])
case("addmm_bcast_beta_alpha", "addmm", lambda: [rn(5), rn(3, 4), rn(4, 5)],
     args={"beta": 0.5, "alpha": 2.0})
case("addmm_beta0", "addmm", lambda: [rn(1, 5), rn(3, 4), rn(4, 5)], args={"beta": 0.0})

# ---- shape ----------------------------------------------------------------------------
for _op in ["view", "reshape"]:
    case(f"{_op}_merge", _op, lambda: [rn(2, 3, 4)], args={"shape": [6, 4]})
    case(f"{_op}_flat_neg1", _op, lambda: [rn(2, 3, 4)], args={"shape": [-1]})
    case(f"{_op}_infer_mid", _op, lambda: [rn(2, 3, 4)], args={"shape": [4, -1, 3]})
    case(f"{_op}_0d_to_1", _op, lambda: [rn()], args={"shape": [1]})
    case(f"{_op}_to_0d", _op, lambda: [rn(1, 1)], args={"shape": []})
    case(f"{_op}_empty", _op, lambda: [rn(0, 3)], args={"shape": [3, -1]})
case("reshape_transposed", "reshape", lambda: [rn(4, 3)], args={"shape": [-1], **T})
case("flatten_default", "flatten", lambda: [rn(2, 3, 4)])
case("flatten_start1", "flatten", lambda: [rn(2, 3, 4)], args={"startDim": 1})
case("flatten_start_end", "flatten", lambda: [rn(2, 3, 4, 2)], args={"startDim": 1, "endDim": 2})
case("flatten_neg", "flatten", lambda: [rn(2, 3, 4)], args={"startDim": -2})
case("flatten_0d", "flatten", lambda: [rn()])
case("permute_3d", "permute", lambda: [rn(2, 3, 4)], args={"dims": [2, 0, 1]})
case("permute_neg", "permute", lambda: [rn(2, 3, 4)], args={"dims": [-1, 0, 1]})
case("permute_4d", "permute", lambda: [rn(2, 3, 4, 5)], args={"dims": [0, 2, 3, 1]})
case("transpose_2d", "transpose", lambda: [rn(3, 4)], args={"dim0": 0, "dim1": 1})
case("transpose_neg", "transpose", lambda: [rn(2, 3, 4)], args={"dim0": -1, "dim1": 0})
case("contiguous_2d", "contiguous", lambda: [rn(4, 3)], args=T)
case("contiguous_3d", "contiguous", lambda: [rn(2, 4, 3)], args=T)
case("squeeze_all", "squeeze", lambda: [rn(1, 3, 1, 4)])
case("squeeze_dim0", "squeeze", lambda: [rn(1, 3, 1, 4)], args={"dim": 0})
case("squeeze_dimneg", "squeeze", lambda: [rn(1, 3, 1, 4)], args={"dim": -2})
case("squeeze_noop", "squeeze", lambda: [rn(1, 3, 1, 4)], args={"dim": 1})
case("unsqueeze_0", "unsqueeze", lambda: [rn(3, 4)], args={"dim": 0})
case("unsqueeze_neg", "unsqueeze", lambda: [rn(3, 4)], args={"dim": -1})
case("unsqueeze_mid", "unsqueeze", lambda: [rn(3, 4)], args={"dim": 1})
case("unsqueeze_0d", "unsqueeze", lambda: [rn()], args={"dim": 0})
case("expand_col", "expand", lambda: [rn(3, 1)], args={"shape": [3, 4]})
case("expand_new_dims", "expand", lambda: [rn(4)], args={"shape": [2, 3, 4]})
case("expand_neg1", "expand", lambda: [rn(3, 1)], args={"shape": [-1, 4]})
case("expand_0d", "expand", lambda: [rn()], args={"shape": [2, 2]})
case("cat_dim0", "cat", lambda: [rn(2, 3), rn(4, 3)], args={"dim": 0})
case("cat_dim1_three", "cat", lambda: [rn(2, 3), rn(2, 1), rn(2, 2)], args={"dim": 1})
case("cat_dimneg_3d", "cat", lambda: [rn(2, 3, 1), rn(2, 3, 2)], args={"dim": -1})
case("cat_with_empty", "cat", lambda: [rn(0, 3), rn(2, 3)], args={"dim": 0})
case("stack_dim0", "stack", lambda: [rn(2, 3), rn(2, 3), rn(2, 3)], args={"dim": 0})
case("stack_dim1", "stack", lambda: [rn(2, 3), rn(2, 3)], args={"dim": 1})
case("stack_dimneg", "stack", lambda: [rn(2, 3), rn(2, 3)], args={"dim": -1})
case("split_size", "split", lambda: [rn(5, 4)], args={"splitSizeOrSections": 2, "dim": 0},
     gout_all=True)
case("split_sections", "split", lambda: [rn(3, 4)],
     args={"splitSizeOrSections": [1, 3], "dim": 1}, gout_all=True)
case("split_dimneg", "split", lambda: [rn(6)], args={"splitSizeOrSections": 3, "dim": -1},
     gout_all=True)
case("chunk_uneven", "chunk", lambda: [rn(5, 4)], args={"chunks": 2, "dim": 0}, gout_all=True)
case("chunk_dim1", "chunk", lambda: [rn(2, 6)], args={"chunks": 3, "dim": 1}, gout_all=True)
case("chunk_fewer", "chunk", lambda: [rn(5)], args={"chunks": 4, "dim": 0}, gout_all=True)

# ---- indexing ------------------------------------------------------------------------
case("narrow_dim0", "narrow", lambda: [rn(5, 4)], args={"dim": 0, "start": 1, "length": 3})
case("narrow_dimneg", "narrow", lambda: [rn(5, 4)], args={"dim": -1, "start": 2, "length": 2})
case("narrow_negstart", "narrow", lambda: [rn(5, 4)], args={"dim": 0, "start": -2, "length": 2})
case("index_select_dim0_dup", "indexSelect", lambda: [rn(5, 4), idx([3, 0, 3])], args={"dim": 0})
case("index_select_dim1", "indexSelect", lambda: [rn(5, 4), idx([2, 1])], args={"dim": 1})
case("index_select_1d", "indexSelect", lambda: [rn(6), idx([5, 0, 2, 2])], args={"dim": 0})
case("gather_dim1", "gather", lambda: [rn(3, 4), ints(0, 4, 3, 2)], args={"dim": 1})
case("gather_dim0", "gather", lambda: [rn(3, 4), ints(0, 3, 2, 4)], args={"dim": 0})
case("masked_fill_same", "maskedFill", lambda: [rn(3, 4), mask(3, 4)], args={"value": -1.5})
case("masked_fill_bcast", "maskedFill", lambda: [rn(3, 4), mask(1, 4)], args={"value": 0.0})
case("select_dim0", "select", lambda: [rn(3, 4)], args={"dim": 0, "index": 1})
case("select_neg", "select", lambda: [rn(3, 4)], args={"dim": -1, "index": -1})
case("select_3d", "select", lambda: [rn(2, 3, 4)], args={"dim": 1, "index": 2})
case("slice_dim0", "slice", lambda: [rn(5, 4)], args={"dim": 0, "start": 1, "end": 4, "step": 1})
case("slice_step2", "slice", lambda: [rn(5, 4)], args={"dim": 1, "start": 0, "end": 4, "step": 2})
case("slice_negstart_noend", "slice", lambda: [rn(5, 4)], args={"dim": -1, "start": -3})
case("slice_end_overflow", "slice", lambda: [rn(5, 4)],
     args={"dim": 0, "start": 1, "end": 100, "step": 2})
case("index_1d_idx", "index", lambda: [rn(5, 3), idx([4, 0, -1, 4])])
case("index_2d_idx", "index", lambda: [rn(5, 3), idx([[0, 1], [4, 4]])])
case("index_colon_tensor", "index", lambda: [rn(3, 5), idx([4, 1, 1])],
     args={"spec": [":", {"tensor": 1}]})
case("index_two_tensors", "index", lambda: [rn(3, 5), idx([0, 2, 2]), idx([4, 0, 1])],
     args={"spec": [{"tensor": 1}, {"tensor": 2}]})
case("index_ellipsis_tensor", "index", lambda: [rn(2, 3, 4), idx([3, 0])],
     args={"spec": ["...", {"tensor": 1}]})
case("index_bool_mask", "index", lambda: [rn(3, 4), mask(3, 4)], args={"spec": [{"tensor": 1}]})
case("one_hot_1d", "oneHot", lambda: [ints(0, 4, 5)], args={"numClasses": 4})
case("one_hot_2d", "oneHot", lambda: [ints(0, 5, 2, 3)], args={"numClasses": 5})
case("one_hot_infer", "oneHot", lambda: [idx([0, 3, 1])])
