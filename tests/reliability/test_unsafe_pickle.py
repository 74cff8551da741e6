"""A crafted pickle payload given to every loading path is refused, and its code never runs."""
import os
import pickle
import zipfile

import pytest
import torch

import pratique as pq
from pratique import PratiqueError
from pratique.training.checkpoint import load_checkpoint, save_checkpoint


class Payload:
    """Unpickling this runs `os.system("touch SENTINEL")`."""

    def __init__(self, sentinel):
        self.sentinel = sentinel

    def __reduce__(self):
        return (os.system, (f"touch {self.sentinel}",))


class OpenPayload(Payload):
    def __reduce__(self):
        return (open, (self.sentinel, "w"))


def _payloads(tmp_path, sentinel):
    """Files that would run code if unpickled: torch.save with a payload (protocol 2, inside
    an otherwise real checkpoint), a bare pickle, and a .pratique zip whose weights are a pickle."""
    files = {}
    for name, cls in (("system", Payload), ("open", OpenPayload)):
        state = {"format": "pratique-checkpoint", "module": {}, "epoch": 0, "x": cls(sentinel)}
        files[f"torch_{name}.ckpt"] = state
    out = {}
    for name, state in files.items():
        torch.save(state, tmp_path / name)
        out[name] = tmp_path / name
    (tmp_path / "bare.pkl").write_bytes(pickle.dumps(Payload(sentinel), protocol=2))
    out["bare.pkl"] = tmp_path / "bare.pkl"
    with zipfile.ZipFile(tmp_path / "evil.pratique", "w") as z:
        z.writestr("manifest.json", '{"format": "pratique-model", "architecture": null}')
        z.writestr("weights.safetensors", pickle.dumps(Payload(sentinel), protocol=2))
    out["evil.pratique"] = tmp_path / "evil.pratique"
    return out


def _loaders(tiny):
    def resume(path):
        x, y = tiny.data()
        tiny.model().fit(x, y, epochs=1, resume_from=path, verbose=0)

    return {"pq.load": pq.load, "Model.load_checkpoint": lambda p: tiny.model().load_checkpoint(p),
            "load_checkpoint": load_checkpoint, "fit(resume_from=)": resume}


def test_every_loading_path_refuses_every_payload(tiny, tmp_path):
    sentinel = tmp_path / "SENTINEL"
    for file_name, path in _payloads(tmp_path, sentinel).items():
        for loader_name, load in _loaders(tiny).items():
            with pytest.raises(PratiqueError) as info:
                load(path)
            assert "weights_only=False" not in str(info.value), (file_name, loader_name)
            assert not sentinel.exists(), f"{loader_name} ran the code in {file_name}"


def test_payload_in_last_ckpt_never_falls_back_silently(tmp_path):
    path = tmp_path / "last.ckpt"
    save_checkpoint({"epoch": 1}, path)
    torch.save({"epoch": 2, "x": Payload(tmp_path / "SENTINEL")}, path)
    with pytest.raises(PratiqueError, match="carries pickled code"):
        load_checkpoint(path)  # refused, though last.ckpt.prev is fine: tampering is not damage
    assert not (tmp_path / "SENTINEL").exists()
