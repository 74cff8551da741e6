"""Atomic writes and safe loading of training checkpoints."""
from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable

import torch

from .._errors import PratiqueError


def atomic_write(path, write: Callable[[io.BufferedWriter], None]) -> None:
    """Write `path` through `write(file)` so that readers see the old file or the new, never half.

    The bytes go to a temporary file in the same directory, which is flushed, fsynced and then
    renamed over `path`; the directory is fsynced so the rename survives a crash. On any error
    the temporary file is removed and the previous `path` is left as it was.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def save_checkpoint(state: dict, path) -> None:
    """Save a training checkpoint (tensors, numbers, strings, lists, dicts) atomically."""
    atomic_write(path, lambda f: torch.save(state, f))


def load_checkpoint(path) -> dict:
    """Load a training checkpoint with `weights_only=True`: a file carrying pickled code is refused."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No checkpoint at {path!r}. Expected a file written by pratique (last.ckpt).")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # refused or corrupt: never fall back to an unsafe load
        raise PratiqueError(
            f"Could not load checkpoint {path!r} safely: {type(e).__name__}: {str(e)[:300]}. "
            "Expected a checkpoint written by pratique; it is refused, not loaded unsafely.") from e
