"""Fixtures for the layer tests (test/layers.test.ts), written by PyTorch.

Run with Debian's PyTorch (1.13) from the repository root:  /usr/bin/python3 test/gen/gen_layers.py
Writes test/fixtures/layers.safetensors (deterministic, byte for byte).

For each case C (the list below; every layer issue 11 adds, with its options):
- C.init.<key>: the state_dict right after torch.manual_seed(seed); Module(*args, **options) (init parity);
- C.state.<key>: the weights the forward uses: the init plus small seeded noise (so loading matters);
- C.in.<i>: the positional inputs (a pair, e.g. LSTM's (h0, c0): C.in.<i>.0 and C.in.<i>.1);
  C.fwd.<key>: tensor keyword arguments of forward (masks);
- C.out.<j>: the outputs, flattened (LSTM's (out, (h, c)) -> out, h, c; a None is skipped and marked);
  C.gout.<j>: the upstream gradients; the loss is sum_j (out_j * gout_j).sum();
- C.grad.in.<i>: gradients of the floating inputs; C.grad.<key>: gradients of the parameters;
- C.after.<key>: Embedding's weight after the forward (maxNorm renormalises rows in place).
__metadata__.cases: JSON list of {name, module, args, options (torchlab's camelCase names), inputs
(per input: "t", "pair", "int", or "=k" for the very same object as input k), fwd (keyword
arguments; tensors as "tensor"), outputs (true where present), train, dtype, forwardSeed, repr,
stateKeys, rtol, atol}.
Seeds: torch.manual_seed(crc32(name)) for init and inputs, crc32(name)+1 before forward (dropout).
Also seqmodel.*: an Embedding -> LSTM -> Linear model's initial weights, data and first Adam steps'
losses (see seq_model; __metadata__.seqModel: its sizes).
"""
import json
import os
import re
import sys
import warnings
import zlib

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import save  # noqa: E402

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers.safetensors")
F32 = (1e-5, 1e-6)   # float32: libtorch kernels, or compositions in ATen's order (LSTM/GRU/MHA included)
F64 = (1e-10, 1e-12)  # float64: the composed formulas are ATen's to double rounding


def snake(k):
    return {"_weight": "_weight"}.get(k, re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", k).lower())


def py(v):
    """A JSON option value as PyTorch takes it: lists as tuples, "module:GELU" as nn.GELU()."""
    if isinstance(v, str) and v.startswith("module:"):
        return getattr(nn, v[7:])()
    return tuple(v) if isinstance(v, list) else v


CASES = []


def case(name, module, args=(), options=None, inputs=(), fwd=None, train=False, tol=F32, dtype="float32"):
    CASES.append(dict(name=name, module=module, args=list(args), options=options or {}, inputs=list(inputs),
                      fwd=fwd or {}, train=train, tol=tol, dtype=dtype))


def r(*s):
    return lambda: torch.randn(*s)


def ints(high, *s, zeros=False):
    def make():
        t = torch.randint(0, high, s)
        if zeros:
            t.view(-1)[::3] = 0
        return t
    return make


# Conv1d
case("conv1d", "Conv1d", [2, 4, 3], {}, [r(2, 2, 7)])
case("conv1d_options", "Conv1d", [4, 6, 3], {"stride": 2, "padding": 1, "dilation": 2, "groups": 2, "bias": False}, [r(2, 4, 11)])
case("conv1d_same", "Conv1d", [2, 3, 4], {"padding": "same"}, [r(2, 2, 9)])
case("conv1d_reflect", "Conv1d", [2, 3, 3], {"padding": 2, "paddingMode": "reflect"}, [r(2, 2, 6)])
case("conv1d_unbatched", "Conv1d", [2, 3, 3], {}, [r(2, 6)])
# ConvTranspose2d
case("convt2d", "ConvTranspose2d", [2, 4, 3], {}, [r(2, 2, 4, 4)])
case("convt2d_options", "ConvTranspose2d", [2, 4, 3],
     {"stride": 2, "padding": 1, "outputPadding": 1, "groups": 2, "bias": False, "dilation": 2}, [r(2, 2, 4, 5)])
case("convt2d_rect", "ConvTranspose2d", [3, 2, [3, 2]], {"stride": [2, 1], "padding": [0, 1]}, [r(1, 3, 3, 4)])
case("convt2d_unbatched", "ConvTranspose2d", [2, 3, 2], {"stride": 2}, [r(2, 3, 3)])
case("convt2d_f64", "ConvTranspose2d", [4, 6, 3], {"stride": 3, "padding": 2, "outputPadding": 1, "groups": 2}, [r(2, 4, 3, 3)],
     tol=F64, dtype="float64")
# 1-D pooling
case("maxpool1d", "MaxPool1d", [2], {}, [r(2, 3, 8)])
case("maxpool1d_options", "MaxPool1d", [3], {"stride": 2, "padding": 1, "dilation": 2, "ceilMode": True}, [r(2, 3, 10)])
case("avgpool1d", "AvgPool1d", [2], {}, [r(2, 3, 8)])
case("avgpool1d_options", "AvgPool1d", [3], {"stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": False}, [r(2, 3, 10)])
# Dropout2d (training: the masks come from the generator)
case("dropout2d", "Dropout2d", [], {}, [r(4, 6, 2, 3)], train=True)
case("dropout2d_p02", "Dropout2d", [0.2], {}, [r(8, 5, 2, 2)], train=True)
case("dropout2d_3d", "Dropout2d", [], {"p": 0.3}, [r(4, 6, 5)], train=True)
case("dropout2d_eval", "Dropout2d", [], {}, [r(2, 3, 2, 2)])
# Embedding
case("embedding", "Embedding", [10, 3], {}, [ints(10, 2, 5)])
case("embedding_padding", "Embedding", [10, 3], {"paddingIdx": 0}, [ints(10, 3, 4, zeros=True)])
case("embedding_padding_neg", "Embedding", [6, 2], {"paddingIdx": -1}, [lambda: torch.tensor([[5, 1, 5], [2, 5, 0]])])
case("embedding_maxnorm", "Embedding", [10, 4], {"maxNorm": 1.0}, [ints(10, 2, 6)])
case("embedding_maxnorm_l1", "Embedding", [10, 4], {"maxNorm": 1.5, "normType": 1.0, "paddingIdx": 2}, [ints(10, 2, 6)])
# LayerNorm, GroupNorm
case("layernorm", "LayerNorm", [4], {}, [r(2, 3, 4)])
case("layernorm_2d", "LayerNorm", [[3, 4]], {"eps": 1e-3, "elementwiseAffine": False}, [r(2, 3, 4)])
case("groupnorm", "GroupNorm", [2, 4], {}, [r(2, 4, 3, 3)])
case("groupnorm_noaffine", "GroupNorm", [3, 6], {"eps": 1e-3, "affine": False}, [r(2, 6, 5)])
case("groupnorm_f64", "GroupNorm", [2, 6], {}, [r(3, 6, 2, 2)], tol=F64, dtype="float64")
# Upsample
case("upsample_nearest", "Upsample", [], {"scaleFactor": 2}, [r(1, 2, 3, 4)])
case("upsample_nearest_size", "Upsample", [[5, 7]], {}, [r(1, 2, 3, 4)])
case("upsample_nearest_1d", "Upsample", [], {"scaleFactor": 3}, [r(2, 2, 4)])
case("upsample_nearest_frac", "Upsample", [], {"scaleFactor": 1.7}, [r(1, 2, 5, 3)])
case("upsample_bilinear", "Upsample", [], {"scaleFactor": 2, "mode": "bilinear"}, [r(2, 2, 3, 4)])
case("upsample_bilinear_ac", "Upsample", [[5, 7]], {"mode": "bilinear", "alignCorners": True}, [r(1, 2, 3, 4)])
case("upsample_bilinear_frac", "Upsample", [], {"scaleFactor": 2.5, "mode": "bilinear"}, [r(1, 2, 3, 2)])
case("upsample_bilinear_f64", "Upsample", [[7, 5]], {"mode": "bilinear"}, [r(1, 2, 3, 4)], tol=F64, dtype="float64")
# Unflatten, activations
case("unflatten", "Unflatten", [1, [2, 3]], {}, [r(4, 6)])
case("unflatten_infer", "Unflatten", [-1, [2, -1]], {}, [r(3, 8)])
case("softmax", "Softmax", [1], {}, [r(3, 5)])
case("softmax_last", "Softmax", [], {"dim": -1}, [r(2, 3, 4)])
case("logsoftmax", "LogSoftmax", [1], {}, [r(3, 5)])
case("sigmoid", "Sigmoid", [], {}, [r(3, 5)])
case("tanh", "Tanh", [], {}, [r(3, 5)])
case("silu", "SiLU", [], {}, [r(3, 5)])
case("elu", "ELU", [], {}, [lambda: torch.cat([torch.randn(12) * 3, torch.tensor([0.0, -1e-3, 1e-3])])])
case("elu_alpha", "ELU", [0.5], {}, [r(3, 5)])
case("elu_f64", "ELU", [1.3], {}, [r(4, 5)], tol=F64, dtype="float64")
case("hardswish", "Hardswish", [], {}, [lambda: torch.cat([torch.randn(20) * 4, torch.tensor([-3.0, 3.0, 0.0, -2.5, 2.5])])])
case("prelu", "PReLU", [], {}, [r(2, 3, 4)])
case("prelu_channels", "PReLU", [3, 0.1], {}, [r(2, 3, 4)])
# LSTM, GRU: inputs (L, N, H_in) unless batchFirst
case("lstm", "LSTM", [3, 4], {}, [r(5, 2, 3)])
case("lstm_stack", "LSTM", [3, 4, 2], {"batchFirst": True, "bidirectional": True}, [r(2, 5, 3), "pair"])
case("lstm_nobias", "LSTM", [3, 5], {"bias": False}, [r(4, 3, 3)])
case("lstm_unbatched", "LSTM", [3, 4], {"numLayers": 2}, [r(6, 3)])
case("lstm_dropout_train", "LSTM", [3, 4, 3], {"dropout": 0.5}, [r(5, 2, 3)], train=True)
case("lstm_f64", "LSTM", [3, 4, 2], {"bidirectional": True}, [r(6, 2, 3), "pair"], tol=F64, dtype="float64")
case("lstm_proj", "LSTM", [3, 6, 2], {"projSize": 4, "bidirectional": True}, [r(5, 2, 3), "pair"])
case("lstm_proj_f64", "LSTM", [3, 5], {"projSize": 2, "batchFirst": True}, [r(2, 4, 3)], tol=F64, dtype="float64")
case("gru", "GRU", [3, 4], {}, [r(5, 2, 3)])
case("gru_stack", "GRU", [3, 4, 2], {"batchFirst": True, "bidirectional": True}, [r(2, 5, 3), r(4, 2, 4)])
case("gru_dropout_train", "GRU", [3, 4, 2], {"dropout": 0.4, "bias": False}, [r(5, 2, 3)], train=True)
case("gru_f64", "GRU", [3, 4, 2], {"bidirectional": True}, [r(6, 2, 3), r(4, 2, 4)], tol=F64, dtype="float64")


def causal(n):
    return lambda: torch.triu(torch.ones(n, n, dtype=torch.bool), 1)


def kpm(*rows):
    return lambda: torch.tensor(rows, dtype=torch.bool)


# MultiheadAttention: self-attention passes the very same tensor three times ("=0")
case("mha_self", "MultiheadAttention", [8, 2], {}, [r(5, 2, 8), "=0", "=0"])
case("mha_batchfirst_masks", "MultiheadAttention", [8, 4], {"batchFirst": True}, [r(2, 4, 8), "=0", "=0"],
     fwd={"attnMask": causal(4), "keyPaddingMask": kpm([False, False, False, True], [False, False, True, True])})
case("mha_cross", "MultiheadAttention", [8, 2], {}, [r(3, 2, 8), r(5, 2, 8), "=1"],
     fwd={"keyPaddingMask": kpm([False] * 4 + [True], [False] * 5)})
case("mha_kv", "MultiheadAttention", [6, 3], {"bias": False}, [r(3, 2, 6), r(4, 2, 6), r(4, 2, 6)],
     fwd={"averageAttnWeights": False, "attnMask": lambda: torch.randn(3, 4)})
case("mha_noweights", "MultiheadAttention", [8, 2], {}, [r(4, 3, 8), "=0", "=0"], fwd={"needWeights": False})
case("mha_unbatched", "MultiheadAttention", [8, 2], {}, [r(4, 8), r(5, 8), "=1"], fwd={"keyPaddingMask": lambda: torch.tensor([False, True, False, False, False])})
case("mha_dropout_train", "MultiheadAttention", [8, 2], {"dropout": 0.3}, [r(5, 2, 8), "=0", "=0"], train=True)
case("mha_kdim_vdim", "MultiheadAttention", [8, 2], {"kdim": 5, "vdim": 3}, [r(3, 2, 8), r(4, 2, 5), r(4, 2, 3)],
     fwd={"keyPaddingMask": kpm([False] * 3 + [True], [False] * 4)})
case("mha_bias_kv_zero_attn", "MultiheadAttention", [8, 2], {"addBiasKv": True, "addZeroAttn": True, "batchFirst": True},
     [r(2, 4, 8), "=0", "=0"], fwd={"attnMask": causal(4), "keyPaddingMask": kpm([False] * 3 + [True], [False] * 4)})
case("mha_kdim_f64", "MultiheadAttention", [6, 3], {"kdim": 4, "vdim": 4, "addBiasKv": True}, [r(3, 2, 6), r(5, 2, 4), "=1"],
     tol=F64, dtype="float64")
case("mha_f64", "MultiheadAttention", [8, 2], {"batchFirst": True}, [r(2, 4, 8), r(2, 5, 8), r(2, 5, 8)],
     fwd={"keyPaddingMask": kpm([False] * 4 + [True], [False] * 5)}, tol=F64, dtype="float64")
# TransformerEncoderLayer
case("tel", "TransformerEncoderLayer", [8, 2, 16], {}, [r(5, 2, 8)])
case("tel_gelu_normfirst", "TransformerEncoderLayer", [8, 2],
     {"dimFeedforward": 12, "dropout": 0.0, "activation": "gelu", "batchFirst": True, "normFirst": True, "layerNormEps": 1e-6},
     [r(2, 5, 8)], fwd={"srcKeyPaddingMask": kpm([False] * 4 + [True], [False] * 5)})
case("tel_mask", "TransformerEncoderLayer", [8, 4, 16, 0.0], {}, [r(4, 2, 8)], fwd={"srcMask": causal(4)})
case("tel_dropout_train", "TransformerEncoderLayer", [8, 2, 16], {"dropout": 0.2}, [r(5, 2, 8)], train=True)
case("tel_module_activation", "TransformerEncoderLayer", [8, 2, 16, 0.0], {"activation": "module:GELU"}, [r(4, 2, 8)])
case("tel_f64", "TransformerEncoderLayer", [8, 2, 16], {"normFirst": True}, [r(5, 2, 8)], tol=F64, dtype="float64")


def flatten(o):
    if isinstance(o, (tuple, list)):
        return [x for e in o for x in flatten(e)]
    return [o]


def run(c):
    name, seed = c["name"], zlib.crc32(c["name"].encode())
    dt = getattr(torch, c["dtype"])
    torch.manual_seed(seed)
    m = getattr(nn, c["module"])(*[py(a) for a in c["args"]], **{snake(k): py(v) for k, v in c["options"].items()})
    out = {f"{name}.init.{k}": v.clone() for k, v in m.state_dict().items()}
    m = m.to(dt)
    with torch.no_grad():
        for p in m.parameters():
            p.add_(torch.randn(p.shape, dtype=dt) * 0.1)
    out.update({f"{name}.state.{k}": v.clone() for k, v in m.state_dict().items()})
    m.train(c["train"])
    inputs, specs, diff = [], [], []
    if c["module"] in ("LSTM", "GRU"):  # (h0, c0): h of the projected size when LSTM has proj_size
        d = m.num_layers * (2 if m.bidirectional else 1)
        hidden = [(d, 2, getattr(m, "proj_size", 0) or m.hidden_size), (d, 2, m.hidden_size)]
    for i, make in enumerate(c["inputs"]):
        if make == "pair":  # LSTM's (h0, c0)
            pair = tuple(torch.randn(*hidden[j], dtype=dt).requires_grad_() for j in range(2))
            inputs.append(pair)
            specs.append("pair")
            out.update({f"{name}.in.{i}.{j}": t.detach().clone() for j, t in enumerate(pair)})
            diff += [(f"{i}.{j}", t) for j, t in enumerate(pair)]
            continue
        if isinstance(make, str):  # "=k": the same object as input k
            inputs.append(inputs[int(make[1:])])
            specs.append(make)
            continue
        t = make()
        if t.is_floating_point():
            t = t.to(dt).requires_grad_()
            diff.append((str(i), t))
            specs.append("t")
        else:
            specs.append("int")
        inputs.append(t)
        out[f"{name}.in.{i}"] = t.detach().clone()
    fwd, fwd_spec = {}, {}
    for k, v in c["fwd"].items():
        if callable(v):
            t = v()
            t = t.to(dt) if t.is_floating_point() else t
            fwd[snake(k)] = t
            fwd_spec[k] = "tensor"
            out[f"{name}.fwd.{k}"] = t
        else:
            fwd[snake(k)] = v
            fwd_spec[k] = v
    torch.manual_seed(seed + 1)
    outputs = flatten(m(*inputs, **fwd))
    present = [o is not None for o in outputs]
    g = torch.Generator().manual_seed(seed + 2)
    loss = 0
    for j, o in enumerate(outputs):
        if o is None:
            continue
        gout = torch.rand(o.shape, generator=g, dtype=torch.float64).to(o.dtype) + 0.5
        out[f"{name}.out.{j}"] = o.detach().clone()
        out[f"{name}.gout.{j}"] = gout
        loss = loss + (o * gout).sum()
    loss.backward()
    if c["module"] == "Embedding":  # maxNorm renormalises the looked-up rows in place
        out.update({f"{name}.after.{k}": v.clone() for k, v in m.state_dict().items()})
    for key, t in diff:
        out[f"{name}.grad.in.{key}"] = t.grad
    for k, p in m.named_parameters():
        if p.grad is not None:
            out[f"{name}.grad.{k}"] = p.grad
    spec = {"name": name, "seed": seed, "module": c["module"], "args": c["args"], "options": c["options"], "inputs": specs, "fwd": fwd_spec,
            "outputs": present, "train": c["train"], "dtype": c["dtype"], "repr": repr(m), "stateKeys": list(m.state_dict().keys()),
            "rtol": c["tol"][0], "atol": c["tol"][1]}
    return spec, out


SEQ = dict(vocab=6, embed=8, hidden=16, classes=6, length=8, train=512, test=256, batch=64, lr=0.01, steps=5)


class SeqModel(nn.Module):
    """Embedding -> LSTM -> Linear on the last step: the sequence model of test/layers-seq.test.ts."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(SEQ["vocab"], SEQ["embed"], padding_idx=0)
        self.lstm = nn.LSTM(SEQ["embed"], SEQ["hidden"], batch_first=True)
        self.fc = nn.Linear(SEQ["hidden"], SEQ["classes"])

    def forward(self, x):
        out, _ = self.lstm(self.emb(x))
        return self.fc(out[:, -1])


def seq_model():
    """The synthetic task: the label is the sequence's first token (so the LSTM must carry it to the
    end). seqmodel.init.*: the weights after manual_seed(0); seqmodel.{x,y}{train,test}: the data;
    seqmodel.losses: the first SEQ['steps'] Adam steps' losses on batches taken in order."""
    torch.manual_seed(0)
    m = SeqModel()
    out = {f"seqmodel.init.{k}": v.clone() for k, v in m.state_dict().items()}
    g = torch.Generator().manual_seed(1)
    n = SEQ["train"] + SEQ["test"]
    x = torch.randint(1, SEQ["vocab"], (n, SEQ["length"]), generator=g)
    x[:, 1:][torch.rand(n, SEQ["length"] - 1, generator=g) < 0.2] = 0  # some padding tokens
    y = x[:, 0].clone()
    out.update({"seqmodel.xtrain": x[:SEQ["train"]], "seqmodel.ytrain": y[:SEQ["train"]],
                "seqmodel.xtest": x[SEQ["train"]:], "seqmodel.ytest": y[SEQ["train"]:]})
    opt = torch.optim.Adam(m.parameters(), lr=SEQ["lr"])
    losses = []
    for i in range(SEQ["steps"]):
        b = slice(i * SEQ["batch"], (i + 1) * SEQ["batch"])
        opt.zero_grad()
        loss = nn.functional.cross_entropy(m(x[b]), y[b])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    out["seqmodel.losses"] = torch.tensor(losses, dtype=torch.float64)
    return out


def main():
    tensors, specs = {}, []
    tensors.update(seq_model())
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    for c in CASES:
        spec, out = run(c)
        specs.append(spec)
        tensors.update(out)
    meta = {"generator": "test/gen/gen_layers.py, torch " + torch.__version__, "cases": json.dumps(specs), "seqModel": json.dumps(SEQ)}
    save(tensors, OUT, meta)
    print(f"wrote {OUT}: {len(specs)} cases, {len(tensors)} tensors")


if __name__ == "__main__":
    main()
