"""Hostile `.pratique` files, one per attack, each with the words its refusal must contain.

Each is a real model file rebuilt the way an attacker would: manifest edited and its
`weights_sha256` recomputed, so only the checks under test stand in the way.
"""
import hashlib
import json
import math
import struct
import zipfile

import pratique as pq

BOMB_BYTES = 320 * 2**20  # zeros deflate ~1000x: a ~330 KB file that reads as 320 MB


def write(path, manifest: dict, weights: bytes, extra=(), compression=zipfile.ZIP_STORED):
    manifest = {**manifest, "weights_sha256": hashlib.sha256(weights).hexdigest()}
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        z.writestr("weights.safetensors", weights)
        for name, data in extra:
            z.writestr(name, data)


def base(path):
    """(manifest, weights bytes) of a small real model file."""
    pq.ImageClassifier("mlp", num_classes=3, in_channels=1, hidden=[8]).save(path)
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("manifest.json")), z.read("weights.safetensors")


def _with_kwargs(manifest, name=None, **kwargs):
    arch = manifest["architecture"]
    return {**manifest, "architecture": {"name": name or arch["name"], "kwargs": {**arch["kwargs"], **kwargs}}}


def _with_pre(manifest, **pre):
    return {**manifest, "preprocessing": {**(manifest.get("preprocessing") or {}), **pre}}


def _int32_weights(weights: bytes) -> bytes:
    """The same bytes, every float32 tensor relabelled I32 in the safetensors header."""
    n = struct.unpack("<Q", weights[:8])[0]
    header = json.loads(weights[8:8 + n])
    for key, entry in header.items():
        if key != "__metadata__" and entry["dtype"] == "F32":
            entry["dtype"] = "I32"
    text = json.dumps(header).encode()
    text += b" " * (n - len(text)) if len(text) <= n else b""
    return struct.pack("<Q", len(text)) + text + weights[8 + n:]


def _bomb(path, manifest):
    manifest = {**manifest, "weights_sha256": "0" * 64}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        with z.open("weights.safetensors", "w", force_zip64=True) as f:
            chunk = bytes(2**20)
            for _ in range(BOMB_BYTES // len(chunk)):
                f.write(chunk)


def make_all(folder) -> dict:
    """{case: (path, words the refusal must contain)}: every hostile file, written in `folder`."""
    manifest, weights = base(folder / "good.pratique")
    cases = {
        "huge_architecture": (_with_kwargs(manifest, hidden=[20000, 20000]), "shape mismatches"),
        "hub_weights": (_with_kwargs(manifest, pretrained="hf-hub:timm/resnet18.a1_in1k"),
                        "weights source ('pretrained')"),
        "timm_checkpoint_path": ({**manifest, "architecture": {"name": "timm:resnet18", "kwargs": {
            "num_classes": 3, "in_channels": 1, "checkpoint_path": "/etc/passwd"}}}, "checkpoint_path"),
        "path_in_kwargs": (_with_kwargs(manifest, activation="../../etc/passwd"), "not a path or URL"),
        "hub_name": (_with_kwargs(manifest, name="hf-hub:timm/resnet18"), "never a path or URL"),
        "std_zero": (_with_pre(manifest, mean=[0.5], std=[0.0]), '"preprocessing.std" must be > 0'),
        "std_negative": (_with_pre(manifest, mean=[0.5], std=[-1.0]), '"preprocessing.std" must be > 0'),
        "mean_nan": (_with_pre(manifest, mean=[math.nan], std=[0.5]), "finite numbers"),
        "std_inf": (_with_pre(manifest, mean=[0.5], std=[math.inf]), "finite numbers"),
        "unknown_key": ({**manifest, "loader": "pickle"}, "unknown keys ['loader']"),
        "unknown_preprocessing": (_with_pre(manifest, script="x"), "unknown keys ['script']"),
    }
    out = {}
    for case, (changed, needle) in cases.items():
        out[case] = (folder / f"{case}.pratique", needle)
        write(out[case][0], changed, weights)
    out["int32_weights"] = (folder / "int32_weights.pratique", "dtype mismatches")
    write(out["int32_weights"][0], manifest, _int32_weights(weights))
    out["second_manifest"] = (folder / "second_manifest.pratique", "more than once")
    evil = {**manifest, "preprocessing": {"mean": [0.5], "std": [1e-30]}}
    write(out["second_manifest"][0], manifest, weights, extra=[("manifest.json", json.dumps(evil))])
    out["zip_bomb"] = (folder / "zip_bomb.pratique", "would decompress")
    _bomb(out["zip_bomb"][0], manifest)
    return out
