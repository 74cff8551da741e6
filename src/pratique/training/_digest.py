"""SHA-256 of a checkpoint's contents, so damage that still unpickles is caught on load.

`torch.load` reads a file whose tensor bytes were flipped or zeroed without complaint (its zip
records' CRCs are not checked), so a checkpoint carries `"digest": "sha256:<hex>"` computed over
what it holds: every tensor's dtype, shape and bytes, and every other value's type and repr, in
order. The digest is of the loaded values, not the file's bytes: the file stays a plain
`torch.save` dict, and a change that alters nothing loaded (zip padding) is harmless.
"""
from __future__ import annotations

import hashlib

import torch

KEY = "digest"
ALGORITHM = "sha256"


def digest(obj) -> str:
    """`"sha256:<hex>"` of a tree of dicts, lists/tuples, tensors and plain values.

    Example:
        >>> digest({"w": torch.ones(2), "epoch": 3})[:7]
        'sha256:'
    """
    h = hashlib.sha256()
    _feed(h, obj)
    return f"{ALGORITHM}:{h.hexdigest()}"


def _feed(h, obj) -> None:
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous().reshape(-1)
        _text(h, f"T{t.dtype}{tuple(obj.shape)}")
        h.update(t.view(torch.uint8).numpy())  # raw bytes; bool/bf16 have no numpy view of their own
    elif isinstance(obj, dict):  # dict and OrderedDict alike: pickle keeps the order
        _text(h, f"D{len(obj)}")
        for k, v in obj.items():
            _feed(h, k)
            _feed(h, v)
    elif isinstance(obj, (list, tuple)):  # one kind: a tuple read back as a list changes nothing
        _text(h, f"L{len(obj)}")
        for v in obj:
            _feed(h, v)
    else:  # None, bool, int, float (repr round-trips exactly), str, torch.dtype...
        _text(h, f"{type(obj).__name__}:{obj!r}")


def _text(h, s: str) -> None:
    b = s.encode("utf-8", "surrogatepass")
    h.update(len(b).to_bytes(8, "little"))  # length-prefixed: no two trees feed the same bytes
    h.update(b)
