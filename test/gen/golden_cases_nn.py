"""Golden case list, part 2: nn.functional, in-place ops, dtype coverage."""
import torch

from golden_cases import F64, T, away, case, idx, ints, mask, pos, rn

# ---- F.conv2d: inputs x, weight[, bias] -------------------------------------------
CONV = [
    ("default", (2, 3, 7, 7), (4, 3, 3, 3), {}),
    ("stride2_pad1", (2, 3, 7, 7), (4, 3, 3, 3), {"stride": 2, "padding": 1}),
    ("asym", (1, 3, 7, 6), (4, 3, 3, 2), {"stride": [2, 1], "padding": [1, 2]}),
    ("dilation2", (1, 3, 8, 8), (2, 3, 3, 3), {"dilation": 2, "padding": 2}),
    ("groups2", (2, 4, 6, 6), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
    ("depthwise", (1, 3, 5, 5), (3, 1, 3, 3), {"groups": 3}),
    ("same_k3", (1, 2, 5, 5), (3, 2, 3, 3), {"padding": "same"}),
    ("same_k4_asym", (1, 2, 6, 6), (3, 2, 4, 4), {"padding": "same"}),  # pads 1 left, 2 right
    ("same_k3_dil2", (1, 2, 7, 7), (3, 2, 3, 3), {"padding": "same", "dilation": 2}),
    ("all_args", (2, 2, 9, 9), (4, 2, 3, 3),
     {"stride": 2, "padding": 1, "dilation": 1, "groups": 1}),
]
for _n, _xs, _ws, _a in CONV:
    case(f"f_conv2d_{_n}", "F.conv2d",
         lambda xs=_xs, ws=_ws: [rn(*xs), rn(*ws) * 0.3, rn(ws[0])], args=_a)
case("f_conv2d_nobias", "F.conv2d", lambda: [rn(2, 3, 5, 5), rn(2, 3, 3, 3)], args={"padding": 1})
case("f_conv2d_f64", "F.conv2d",
     lambda: [rn(1, 2, 5, 5, dtype=F64), rn(3, 2, 3, 3, dtype=F64), rn(3, dtype=F64)],
     args={"padding": 1})

# ---- pooling ----------------------------------------------------------------------
POOL_X = (2, 3, 7, 7)
for _n, _a in [("k2", {"kernelSize": 2}),
               ("k3_s2_p1", {"kernelSize": 3, "stride": 2, "padding": 1}),
               ("asym", {"kernelSize": [2, 3], "stride": [2, 1]}),
               ("ceil", {"kernelSize": 2, "stride": 2, "ceilMode": True}),
               ("dilation", {"kernelSize": 2, "stride": 1, "dilation": 2}),
               ("all_args", {"kernelSize": 3, "stride": 2, "padding": 1, "dilation": 1,
                             "ceilMode": False})]:
    case(f"f_max_pool2d_{_n}", "F.maxPool2d", lambda: [rn(*POOL_X)], args=_a)
for _n, _a in [("k2", {"kernelSize": 2}),
               ("k3_s2_p1", {"kernelSize": 3, "stride": 2, "padding": 1}),
               ("no_count_pad", {"kernelSize": 3, "stride": 2, "padding": 1,
                                 "countIncludePad": False}),
               ("ceil", {"kernelSize": 2, "stride": 2, "ceilMode": True}),
               ("ceil_pad_nocount", {"kernelSize": 3, "stride": 2, "padding": 1,
                                     "ceilMode": True, "countIncludePad": False}),
               ("asym", {"kernelSize": [3, 2], "stride": [1, 2]})]:
    case(f"f_avg_pool2d_{_n}", "F.avgPool2d", lambda: [rn(*POOL_X)], args=_a)
case("f_adaptive_avg_pool2d_1", "F.adaptiveAvgPool2d", lambda: [rn(2, 3, 7, 7)],
     args={"outputSize": 1})
case("f_adaptive_avg_pool2d_uneven", "F.adaptiveAvgPool2d", lambda: [rn(2, 3, 7, 7)],
     args={"outputSize": [3, 2]})
case("f_adaptive_avg_pool2d_div", "F.adaptiveAvgPool2d", lambda: [rn(1, 2, 8, 8)],
     args={"outputSize": 4})

# ---- F.batchNorm: x, runningMean, runningVar[, weight, bias] -------------------------
# Outputs: y, runningMean after the call, runningVar after the call.
BN_GRAD = [True, False, False, True, True]
case("f_batch_norm_train_4d", "F.batchNorm",
     lambda: [rn(4, 3, 3, 3), rn(3) * 0.1, pos(3), pos(3), rn(3)],
     args={"training": True, "momentum": 0.1, "eps": 1e-5}, grad=BN_GRAD)
case("f_batch_norm_eval_4d", "F.batchNorm",
     lambda: [rn(4, 3, 3, 3), rn(3) * 0.1, pos(3), pos(3), rn(3)],
     args={"training": False, "momentum": 0.1, "eps": 1e-5}, grad=BN_GRAD)
case("f_batch_norm_train_2d", "F.batchNorm",
     lambda: [rn(8, 5), rn(5) * 0.1, pos(5), pos(5), rn(5)],
     args={"training": True, "momentum": 0.3, "eps": 1e-3}, grad=BN_GRAD)
case("f_batch_norm_train_noaffine", "F.batchNorm", lambda: [rn(4, 3, 2, 2), rn(3), pos(3)],
     args={"training": True, "momentum": 0.1, "eps": 1e-5}, grad=[True, False, False])

# ---- F.linear and activations ---------------------------------------------------------
case("f_linear_2d", "F.linear", lambda: [rn(3, 4), rn(5, 4), rn(5)])
case("f_linear_3d", "F.linear", lambda: [rn(2, 3, 4), rn(5, 4), rn(5)])
case("f_linear_nobias", "F.linear", lambda: [rn(3, 4), rn(5, 4)])
case("f_linear_1d", "F.linear", lambda: [rn(4), rn(5, 4), rn(5)])
case("f_relu", "F.relu", lambda: [rn(3, 4)])
case("f_relu_4d", "F.relu", lambda: [rn(2, 3, 2, 2)])
case("f_leaky_relu_default", "F.leakyRelu", lambda: [rn(3, 4)])
case("f_leaky_relu_02", "F.leakyRelu", lambda: [rn(3, 4)], args={"negativeSlope": 0.2})
case("f_gelu_none", "F.gelu", lambda: [rn(3, 4)], args={"approximate": "none"})
case("f_gelu_tanh", "F.gelu", lambda: [rn(3, 4)], args={"approximate": "tanh"})
case("f_gelu_default", "F.gelu", lambda: [rn(2, 5)])
for _op, _n in [("F.softmax", "softmax"), ("F.logSoftmax", "log_softmax")]:
    case(f"f_{_n}_dim1", _op, lambda: [rn(3, 4)], args={"dim": 1})
    case(f"f_{_n}_dim0", _op, lambda: [rn(3, 4)], args={"dim": 0})
    case(f"f_{_n}_3d_neg", _op, lambda: [rn(2, 3, 4)], args={"dim": -1})
    case(f"f_{_n}_large_logits", _op, lambda: [rn(2, 5) * 30], args={"dim": 1})
    case(f"f_{_n}_f64", _op, lambda: [rn(3, 4, dtype=F64)], args={"dim": -1})

# ---- losses ------------------------------------------------------------------------
# crossEntropy: logits, target (int64 class indices or float probabilities)[, weight]
CE_GRAD2, CE_GRAD3 = [True, False], [True, False, False]
for _r in ["mean", "sum", "none"]:
    case(f"f_cross_entropy_{_r}", "F.crossEntropy", lambda: [rn(4, 5), ints(0, 5, 4)],
         args={"reduction": _r}, grad=CE_GRAD2)
case("f_cross_entropy_default", "F.crossEntropy", lambda: [rn(4, 5), ints(0, 5, 4)],
     grad=CE_GRAD2)
case("f_cross_entropy_weight", "F.crossEntropy", lambda: [rn(4, 5), ints(0, 5, 4), pos(5)],
     args={"reduction": "mean"}, grad=CE_GRAD3)
case("f_cross_entropy_ignore", "F.crossEntropy", lambda: [rn(5, 3), idx([0, 2, 1, 2, 0])],
     args={"reduction": "mean", "ignoreIndex": 2}, grad=CE_GRAD2)
case("f_cross_entropy_ignore_default", "F.crossEntropy",
     lambda: [rn(4, 3), idx([0, -100, 2, 1])], grad=CE_GRAD2)
case("f_cross_entropy_smoothing", "F.crossEntropy", lambda: [rn(4, 5), ints(0, 5, 4)],
     args={"reduction": "mean", "labelSmoothing": 0.1}, grad=CE_GRAD2)
case("f_cross_entropy_all_args", "F.crossEntropy",
     lambda: [rn(6, 4), idx([0, 3, 1, 3, 2, 0]), pos(4)],
     args={"reduction": "mean", "ignoreIndex": 3, "labelSmoothing": 0.2}, grad=CE_GRAD3)
case("f_cross_entropy_probs", "F.crossEntropy",
     lambda: [rn(4, 5), torch.softmax(rn(4, 5), dim=1)], args={"reduction": "mean"},
     grad=CE_GRAD2)
case("f_cross_entropy_probs_smoothing_none", "F.crossEntropy",
     lambda: [rn(3, 4), torch.softmax(rn(3, 4), dim=1)],
     args={"reduction": "none", "labelSmoothing": 0.1}, grad=CE_GRAD2)
case("f_cross_entropy_kdim", "F.crossEntropy", lambda: [rn(2, 3, 4, 4), ints(0, 3, 2, 4, 4)],
     args={"reduction": "mean"}, grad=CE_GRAD2)
case("f_cross_entropy_1d_input", "F.crossEntropy",
     lambda: [rn(5), torch.tensor(2, dtype=torch.int64)], grad=CE_GRAD2)
# nllLoss: log-probabilities, target[, weight]
_logp = lambda *s: torch.log_softmax(rn(*s), dim=1)  # noqa: E731
for _r in ["mean", "sum", "none"]:
    case(f"f_nll_loss_{_r}", "F.nllLoss", lambda: [_logp(4, 5), ints(0, 5, 4)],
         args={"reduction": _r}, grad=CE_GRAD2)
case("f_nll_loss_weight", "F.nllLoss", lambda: [_logp(4, 5), ints(0, 5, 4), pos(5)],
     args={"reduction": "mean"}, grad=CE_GRAD3)
case("f_nll_loss_ignore", "F.nllLoss", lambda: [_logp(5, 3), idx([0, 2, 1, 2, 0])],
     args={"reduction": "mean", "ignoreIndex": 2}, grad=CE_GRAD2)
case("f_nll_loss_kdim", "F.nllLoss", lambda: [_logp(2, 3, 2, 2), ints(0, 3, 2, 2, 2)],
     args={"reduction": "sum"}, grad=CE_GRAD2)
for _r in ["mean", "sum", "none"]:
    case(f"f_mse_loss_{_r}", "F.mseLoss", lambda: [rn(3, 4), rn(3, 4)], args={"reduction": _r})
case("f_mse_loss_default_4d", "F.mseLoss", lambda: [rn(2, 3, 2, 2), rn(2, 3, 2, 2)])
# dropout: deterministic settings only
case("f_dropout_p0_train", "F.dropout", lambda: [rn(3, 4)], args={"p": 0.0, "training": True})
case("f_dropout_eval", "F.dropout", lambda: [rn(3, 4)], args={"p": 0.5, "training": False})

# ---- in-place (output = mutated input 0, no grads) ------------------------------------
case("add__tensor_alpha", "add_", lambda: [rn(3, 4), rn(3, 4)], args={"alpha": 2.0})
case("add__bcast", "add_", lambda: [rn(3, 4), rn(4)])
case("add__scalar", "add_", lambda: [rn(3, 4)], args={"scalar": 1.5})
case("add__transposed", "add_", lambda: [rn(4, 3), rn(3, 4)], args=T)
case("mul__tensor", "mul_", lambda: [rn(3, 4), rn(3, 1)])
case("mul__scalar", "mul_", lambda: [rn(3, 4)], args={"scalar": -0.5})
case("addcmul__basic", "addcmul_", lambda: [rn(3, 4), rn(3, 4), rn(3, 4)], args={"value": 0.5})
case("addcmul__bcast_default", "addcmul_", lambda: [rn(3, 4), rn(4), rn(3, 1)])
case("addcdiv__basic", "addcdiv_", lambda: [rn(3, 4), rn(3, 4), away(3, 4)], args={"value": 2.0})
case("addcdiv__bcast_default", "addcdiv_", lambda: [rn(3, 4), rn(4), away(3, 1)])
case("lerp__scalar", "lerp_", lambda: [rn(3, 4), rn(3, 4)], args={"weight": 0.3})
case("lerp__tensor", "lerp_", lambda: [rn(3, 4), rn(3, 4), torch.rand(3, 4)])
case("lerp__bcast", "lerp_", lambda: [rn(3, 4), rn(4)], args={"weight": 0.75})
case("zero__basic", "zero_", lambda: [rn(3, 4)])
case("fill__float", "fill_", lambda: [rn(3, 4)], args={"value": 3.5})
case("fill__int64", "fill_", lambda: [ints(0, 9, 2, 3)], args={"value": 7})
case("copy__bcast", "copy_", lambda: [rn(3, 4), rn(4)])
case("copy__f64_into_f32", "copy_", lambda: [rn(3, 4), rn(3, 4, dtype=F64)])
case("copy__transposed", "copy_", lambda: [rn(4, 3), rn(3, 4)], args=T)
case("clamp__both", "clamp_", lambda: [rn(3, 4)], args={"min": -0.5, "max": 0.5})
case("clamp__min", "clamp_", lambda: [rn(3, 4)], args={"min": 0.0})
case("masked_fill__basic", "maskedFill_", lambda: [rn(3, 4), mask(3, 4)], args={"value": 0.0})
case("masked_fill__bcast", "maskedFill_", lambda: [rn(3, 4), mask(3, 1)], args={"value": -2.0})

# ---- dtype coverage ---------------------------------------------------------------------
I32, U8 = torch.int32, torch.uint8
for _dn, _mk in [("i64", lambda *s: ints(-50, 50, *s)),
                 ("i32", lambda *s: ints(-50, 50, *s, dtype=I32)),
                 ("u8", lambda *s: ints(0, 256, *s, dtype=U8)),  # add/mul wrap mod 256
                 ("bool", lambda *s: mask(*s))]:
    case(f"add_{_dn}", "add", lambda m=_mk: [m(3, 4), m(3, 4)])
    case(f"add_{_dn}_bcast", "add", lambda m=_mk: [m(3, 1), m(1, 4)])
    case(f"mul_{_dn}", "mul", lambda m=_mk: [m(3, 4), m(3, 4)])
    case(f"sum_{_dn}", "sum", lambda m=_mk: [m(3, 4)])  # -> int64
    case(f"sum_{_dn}_dim", "sum", lambda m=_mk: [m(3, 4)], args={"dim": 1})
    # values mod 3 so that equal elements actually occur
    case(f"eq_{_dn}", "eq", lambda m=_mk, b=(_dn == "bool"): [m(3, 4) if b else m(3, 4) % 3,
                                                              m(3, 4) if b else m(3, 4) % 3])
case("sub_i64", "sub", lambda: [ints(-50, 50, 3, 4), ints(-50, 50, 3, 4)])
case("div_i64_true", "div", lambda: [ints(-50, 50, 3, 4), idx([[1, -2, 3, 7]] * 3)])  # -> f32
case("maximum_i64", "maximum", lambda: [ints(-50, 50, 3, 4), ints(-50, 50, 3, 4)])
case("add_i64_scalar_int", "add", lambda: [ints(-50, 50, 3, 4)], args={"scalar": 3})
case("mul_i64_scalar_float", "mul", lambda: [ints(-50, 50, 3, 4)], args={"scalar": 0.5})
case("argmax_i64", "argmax", lambda: [torch.randperm(12).reshape(3, 4)], args={"dim": 1})
case("max_i32_dim", "max", lambda: [torch.randperm(12).reshape(3, 4).to(I32)], args={"dim": 0})
# type promotion
case("add_i64_f32", "add", lambda: [ints(-5, 5, 3, 4), rn(3, 4)], grad=[False, False])
case("add_f32_f64", "add", lambda: [rn(3, 4), rn(3, 4, dtype=F64)], grad=[False, False])
case("add_i32_i64", "add", lambda: [ints(-5, 5, 3, 4, dtype=I32), ints(-5, 5, 4)])
case("add_u8_bool", "add", lambda: [ints(0, 256, 3, 4, dtype=U8), mask(3, 4)])
case("mul_f32_0d_f64", "mul", lambda: [rn(3, 4), rn(dtype=F64)], grad=[False, False])
case("sum_f64_all", "sum", lambda: [rn(3, 4, dtype=F64)])
case("mul_f64_bcast_1d", "mul", lambda: [rn(3, 4, dtype=F64), rn(4, dtype=F64)])
# reduced precision (CPU add/mul only; no grads)
for _dn, _dt in [("f16", torch.float16), ("bf16", torch.bfloat16)]:
    case(f"add_{_dn}", "add", lambda d=_dt: [rn(3, 4).to(d), rn(3, 4).to(d)])
    case(f"add_{_dn}_bcast", "add", lambda d=_dt: [rn(3, 1).to(d), rn(1, 4).to(d)])
    case(f"mul_{_dn}", "mul", lambda d=_dt: [rn(3, 4).to(d), rn(3, 4).to(d)])
    case(f"mul_{_dn}_scalar", "mul", lambda d=_dt: [rn(3, 4).to(d)], args={"scalar": 2.5})
