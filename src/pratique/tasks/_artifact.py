"""The `.pratique` model file: a zip of `weights.safetensors` and `manifest.json`. Never a pickle.

The manifest holds `weights_sha256`, the SHA-256 of the weights file, checked on load on top of
the zip's CRC-32 (which `zipfile` checks on read): a file rebuilt around changed weights, or damage
a CRC misses, is refused. Files without it (older pratique) rely on the CRC alone.
"""
from __future__ import annotations

import hashlib
import json
import os
import zipfile

import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from .._version import __version__
from ..core.errors import PratiqueError
from ..core.io import atomic_write
from ._manifest_schema import check_manifest

FORMAT = "pratique-model"


def write_model_file(path, state_dict: dict, manifest: dict) -> None:
    """Write the zip atomically; `manifest` gets the format name and library version."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in state_dict.items()}
    weights = st_save(tensors)
    manifest = {"format": FORMAT, "pratique_version": __version__, **manifest,
                "weights_sha256": hashlib.sha256(weights).hexdigest()}

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as z:
            z.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
            z.writestr("weights.safetensors", weights)

    atomic_write(path, write)


def _refuse_checkpoint(path: str, names: list[str]) -> None:
    if "manifest.json" not in names and any(n.endswith("/data.pkl") for n in names):  # torch.save's zip
        raise PratiqueError(
            f"{path!r} is a training checkpoint (save_checkpoint, ModelCheckpoint, last.ckpt), not a "
            ".pratique model file. Build the model as it was and load into it: "
            "model.load_checkpoint(path), or resume with model.fit(..., resume_from=path); an "
            "ImageClassifier built by name also loads with pq.ImageClassifier.load_from_checkpoint(path).")


def read_model_file(path) -> tuple[dict[str, torch.Tensor], dict]:
    """(state_dict, manifest) of a `.pratique` file; refuses files of a newer format version."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No model file at {path!r}. Expected a .pratique file written by Model.save().")
    try:
        with zipfile.ZipFile(path) as z:
            _refuse_checkpoint(path, z.namelist())
            _check_entries(path, z, os.path.getsize(path))
            manifest = json.loads(z.read("manifest.json"))
            weights = z.read("weights.safetensors")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:  # JSONDecodeError is a ValueError
        raise PratiqueError(
            f"{path!r} is not a valid .pratique file ({type(e).__name__}: {e}). Expected a zip of "
            "manifest.json and weights.safetensors written by Model.save().") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise PratiqueError(f"{path!r} has format {found!r}; expected {FORMAT!r}.")
    _check_version(path, str(manifest.get("pratique_version", "0")))
    check_manifest(path, manifest)
    _check_digest(path, manifest, weights)
    try:  # safetensors: a header and raw tensor bytes, nothing that can run
        return st_load(weights), manifest
    except Exception as e:  # noqa: BLE001 -- any safetensors failure is damage
        raise PratiqueError(
            f"{path!r} has damaged weights ({type(e).__name__}: {str(e)[:200]}). Expected "
            "weights.safetensors written by Model.save(); it was refused.") from None


def _check_digest(path: str, manifest: dict, weights: bytes) -> None:
    saved = manifest.get("weights_sha256")
    if saved is None:
        return  # written before digests: the zip's CRC-32 still covers damage
    found = hashlib.sha256(weights).hexdigest()
    if saved != found:
        raise PratiqueError(
            f"{path!r} has damaged weights: weights.safetensors does not match the SHA-256 in its "
            f"manifest (stored {str(saved)[:16]}..., computed {found[:16]}...). It was refused. "
            "Expected a file written by Model.save() and unchanged since; save the model again.")


def _check_version(path: str, saved: str) -> None:
    def parts(v: str):
        return tuple(int(p) for p in v.split(".")[:3] if p.isdigit())

    if parts(saved) > parts(__version__):
        raise PratiqueError(
            f"{path!r} was saved by pratique {saved}, newer than this pratique {__version__}. "
            "Upgrade pratique (pip install -U pratique) to load it.")


MAX_MANIFEST_BYTES = 16 * 2**20
MAX_RATIO = 20  # uncompressed / file size; pratique stores uncompressed; float weights barely deflate


def _check_entries(path: str, z: zipfile.ZipFile, file_size: int) -> None:
    """Refuse duplicate entries (the last would win over the first) and sizes that a read would
    blow up to (zip bombs), before anything is decompressed. zipfile never reads past the size an
    entry declares, so checking the declared sizes bounds memory."""
    names = z.namelist()
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise PratiqueError(f"{path!r} holds {twice} more than once; which copy counts is "
                            "ambiguous, so the file was refused. Expected one manifest.json and "
                            "one weights.safetensors, as Model.save() writes.")
    total = sum(i.file_size for i in z.infolist())
    manifest = z.getinfo("manifest.json").file_size if "manifest.json" in names else 0
    if manifest > MAX_MANIFEST_BYTES or total > MAX_RATIO * file_size + MAX_MANIFEST_BYTES:
        raise PratiqueError(
            f"{path!r} would decompress to {total:,} bytes from {file_size:,} on disk "
            f"(manifest.json: {manifest:,} bytes; at most {MAX_MANIFEST_BYTES:,}); the file was "
            f"refused unread. Expected at most {MAX_RATIO}x its size, as Model.save() writes "
            "weights uncompressed.")
