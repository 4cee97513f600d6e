"""Minimal safetensors writer/reader using only torch + stdlib (numpy optional).

Format: 8-byte little-endian u64 N, then N bytes of UTF-8 JSON header, then the
raw data section. Header maps tensor name -> {"dtype", "shape", "data_offsets"}
(offsets relative to the start of the data section) plus an optional
"__metadata__" {str: str}. Tensors are laid out contiguously in header order,
little-endian, C-contiguous. The header is padded with trailing spaces so that
8 + N is a multiple of 8.
"""
import json
import struct
import sys

import torch

try:  # numpy only speeds up byte extraction; never required
    import numpy  # noqa: F401
    _HAVE_NUMPY = True
except Exception:  # pragma: no cover
    _HAVE_NUMPY = False

assert sys.byteorder == "little", "writer assumes a little-endian host"

DTYPE_TO_STR = {
    torch.float32: "F32",
    torch.float64: "F64",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}
STR_TO_DTYPE = {v: k for k, v in DTYPE_TO_STR.items()}


def tensor_bytes(t):
    """Raw little-endian C-contiguous bytes of t (0-dim and empty are fine)."""
    t = t.detach().cpu().contiguous().reshape(-1)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    b = t.view(torch.uint8)
    if _HAVE_NUMPY:
        return b.numpy().tobytes()
    return bytes(b.tolist())


def save(tensors, path, metadata=None):
    """tensors: dict name -> tensor (insertion order = layout order)."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    for name, t in tensors.items():
        if t.dtype not in DTYPE_TO_STR:
            raise TypeError(f"{name}: unsupported dtype {t.dtype}")
        raw = tensor_bytes(t)
        header[name] = {
            "dtype": DTYPE_TO_STR[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    hdr = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hdr += b" " * ((8 - (8 + len(hdr)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hdr)))
        f.write(hdr)
        for raw in chunks:
            f.write(raw)


def _from_bytes(raw, dtype, shape):
    if len(raw) == 0:
        return torch.empty(shape, dtype=dtype)
    if dtype == torch.bool:
        t = torch.frombuffer(bytearray(raw), dtype=torch.uint8) != 0
    else:
        t = torch.frombuffer(bytearray(raw), dtype=dtype).clone()
    return t.reshape(shape)


def load(path):
    """Returns (dict name -> tensor in header order, metadata dict)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    if (8 + n) % 8 != 0:
        raise ValueError("header not padded to a multiple of 8")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    expect = 0
    for name, info in header.items():
        begin, end = info["data_offsets"]
        if begin != expect:
            raise ValueError(f"{name}: non-contiguous data offsets")
        dtype = STR_TO_DTYPE[info["dtype"]]
        numel = 1
        for s in info["shape"]:
            numel *= s
        itemsize = torch.empty((), dtype=dtype).element_size()
        if end - begin != numel * itemsize:
            raise ValueError(f"{name}: byte size does not match shape/dtype")
        out[name] = _from_bytes(data[base + begin:base + end], dtype, info["shape"])
        expect = end
    if base + expect != len(data):
        raise ValueError("trailing bytes after the data section")
    return out, meta


def _self_test():
    import os
    import tempfile
    g = torch.Generator().manual_seed(0)
    ts = {
        "f32": torch.randn(3, 4, generator=g),
        "f64_0d": torch.tensor(1.25, dtype=torch.float64),
        "f16": torch.randn(5, generator=g).half(),
        "bf16": torch.randn(2, 2, generator=g).bfloat16(),
        "i64": torch.arange(-3, 3),
        "i32": torch.arange(6, dtype=torch.int32).reshape(2, 3),
        "u8": torch.tensor([0, 255, 7], dtype=torch.uint8),
        "bool": torch.tensor([[True, False, True]]),
        "empty": torch.empty(0, 3),
        "noncontig": torch.randn(4, 3, generator=g).t(),
    }
    path = os.path.join(tempfile.mkdtemp(), "t.safetensors")
    save(ts, path, {"k": "v"})
    back, meta = load(path)
    assert meta == {"k": "v"}
    assert list(back) == list(ts)
    for k, t in ts.items():
        assert back[k].dtype == t.dtype and back[k].shape == t.shape, k
        assert torch.equal(back[k], t), k
    os.remove(path)


if __name__ == "__main__":
    _self_test()
    print("safetensors_io self-test ok")
