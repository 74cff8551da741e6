"""Damage that still unpickles (a flipped bit, a zeroed block, an edited weight) is never loaded
silently: the checkpoint's digest and the .pratique file's weights_sha256 catch it."""
import json
import os
import random
import struct
import warnings
import zipfile
from pathlib import Path

import pytest
import torch

from pratique import PratiqueError
from pratique.tasks._artifact import read_model_file, write_model_file
from pratique.training._digest import digest
from pratique.training.checkpoint import load_checkpoint, save_checkpoint


def _records(path) -> list[tuple[str, int, int]]:
    """(name, start, end) of each stored (uncompressed) zip member's bytes in the file."""
    out = []
    with zipfile.ZipFile(path) as z, open(path, "rb") as f:
        for info in z.infolist():
            f.seek(info.header_offset)
            n, m = struct.unpack("<HH", f.read(30)[26:30])
            start = info.header_offset + 30 + n + m
            out.append((info.filename, start, start + info.file_size))
    return out


def _flip(path, offset: int, bit: int = 3) -> None:
    data = bytearray(Path(path).read_bytes())
    data[offset] ^= 1 << bit
    Path(path).write_bytes(bytes(data))


def _middle_of(path, name_end: str, nth: int = 0) -> int:
    spans = [(s, e) for n, s, e in _records(path) if n.endswith(name_end)]
    s, e = spans[nth]
    return (s + e) // 2


@pytest.fixture
def run(tmp_path, tiny):
    """A real run of the tiny MLP: 2 epochs, so last.ckpt (epoch 2) and last.ckpt.prev (epoch 1)."""
    tiny.fit(tiny.model(), str(tmp_path), epochs=2)
    return tmp_path / "last.ckpt"


def _weight_records(path) -> list[str]:
    """The data records holding (64, 32) float32 tensors: the first Linear's weight, then Adam's
    exp_avg and exp_avg_sq of it (torch numbers storages in the order it pickles them)."""
    return [n for n, s, e in _records(path) if "/data/" in n and e - s == 64 * 32 * 4]


def test_flipped_bit_in_weights_falls_back_to_prev_naming_both_files(run):
    assert load_checkpoint(run)["epoch"] == 2
    _flip(run, _middle_of(run, _weight_records(run)[0]))
    with pytest.warns(UserWarning) as caught:
        state = load_checkpoint(run)
    assert state["epoch"] == 1 and state["_loaded_from"] == f"{run}.prev"  # the fallback, not the flip
    text = str(caught[0].message)
    assert repr(str(run)) in text and repr(f"{run}.prev") in text and "digest" in text


@pytest.mark.parametrize("where", ["weights", "optimizer", "zero_4k"])
def test_damage_in_both_files_is_refused_naming_both(run, where):
    prev = f"{run}.prev"
    for path in (run, prev):
        if where == "zero_4k":  # a lost sector, inside the first weight's 8 KB record
            start = _middle_of(path, _weight_records(path)[0]) - 2048
            data = bytearray(Path(path).read_bytes())
            data[start:start + 4096] = bytes(4096)
            Path(path).write_bytes(bytes(data))
        else:
            _flip(path, _middle_of(path, _weight_records(path)[0 if where == "weights" else 2]))
    with pytest.raises(PratiqueError) as info:
        load_checkpoint(run)
    assert repr(str(run)) in str(info.value) and repr(prev) in str(info.value)
    assert "untouched" in str(info.value)


def test_resume_from_a_damaged_checkpoint_never_trains_on_it(run, tiny):
    """fit(resume_from=...) goes through the same check: the flipped file is not resumed."""
    _flip(run, _middle_of(run, _weight_records(run)[0]))
    m = tiny.model()
    with pytest.warns(UserWarning, match="previous checkpoint"):
        tiny.fit(m, str(run.parent), epochs=2, resume_from=str(run))
    assert m.epoch == 2  # epoch 2 was trained again from the good epoch-1 checkpoint


def test_an_edited_value_is_refused(tmp_path):
    path = tmp_path / "last.ckpt"
    save_checkpoint({"epoch": 1, "module": {"w": torch.zeros(4)}}, path, keep_previous=False)
    state = torch.load(path, weights_only=True)
    state["module"]["w"][2] = 1e38  # digest kept as it was
    torch.save(state, path)
    with pytest.raises(PratiqueError, match="do not match the digest"):
        load_checkpoint(path)


def test_checkpoint_without_digest_loads_with_a_warning(tmp_path):
    path = tmp_path / "old.ckpt"
    torch.save({"epoch": 3, "w": torch.ones(2)}, path)  # as pratique wrote them before digests
    with pytest.warns(UserWarning, match="carries no digest"):
        assert load_checkpoint(path)["epoch"] == 3


@pytest.mark.parametrize("trials", [20, pytest.param(200, marks=pytest.mark.slow)])  # make test / test-all
def test_random_single_bit_flips_are_never_loaded_silently(run, trials):
    """Each flip is refused, falls back to .prev with a warning, or changed nothing that loads."""
    good = run.read_bytes()
    reference = load_checkpoint(run)
    del reference["_loaded_from"]
    reference = digest(reference)
    trials = int(os.environ.get("PRATIQUE_FLIP_TRIALS", trials))
    rng = random.Random(0)
    for _ in range(trials):
        run.write_bytes(good)
        _flip(run, rng.randrange(len(good)), rng.randrange(8))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                state = load_checkpoint(run)
            except PratiqueError:
                continue
        if state["_loaded_from"].endswith(".prev"):
            assert any("previous checkpoint" in str(w.message) for w in caught)
            continue
        del state["_loaded_from"]
        assert digest(state) == reference, "a flip changed what loads, and nothing said so"


# -- .pratique --------------------------------------------------------------------------------
@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "m.pratique"
    torch.manual_seed(0)
    write_model_file(path, {"w": torch.randn(64, 32), "b": torch.randn(32)}, {"classes": ["a", "b"]})
    return path


def test_model_file_flip_in_weights_is_refused_naming_the_file(model_file):
    _flip(model_file, _middle_of(model_file, "weights.safetensors"))
    with pytest.raises(PratiqueError) as info:
        read_model_file(model_file)
    assert repr(str(model_file)) in str(info.value)


def test_model_file_rebuilt_around_changed_weights_fails_the_digest(model_file):
    """A zip with a valid CRC but other weights than its manifest's digest."""
    with zipfile.ZipFile(model_file) as z:
        manifest, weights = z.read("manifest.json"), bytearray(z.read("weights.safetensors"))
    assert json.loads(manifest)["weights_sha256"]
    mid = len(weights) // 2
    weights[mid:mid + 4096] = bytes(4096)  # a zeroed 4 KB block
    with zipfile.ZipFile(model_file, "w") as z:
        z.writestr("manifest.json", manifest)
        z.writestr("weights.safetensors", bytes(weights))
    with pytest.raises(PratiqueError, match="does not match the SHA-256") as info:
        read_model_file(model_file)
    assert repr(str(model_file)) in str(info.value)


@pytest.mark.parametrize("trials", [20, pytest.param(200, marks=pytest.mark.slow)])  # make test / test-all
def test_model_file_random_bit_flips_are_never_loaded_silently(model_file, trials):
    good = model_file.read_bytes()
    reference, manifest = read_model_file(model_file)
    rng = random.Random(1)
    for _ in range(int(os.environ.get("PRATIQUE_FLIP_TRIALS", trials))):
        model_file.write_bytes(good)
        _flip(model_file, rng.randrange(len(good)), rng.randrange(8))
        try:
            weights, loaded = read_model_file(model_file)
        except PratiqueError:
            continue
        assert loaded == manifest
        assert weights.keys() == reference.keys()
        assert all(torch.equal(weights[k], reference[k]) for k in reference)
