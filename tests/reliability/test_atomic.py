"""Fault injection on writes: failures halfway, full disks, corrupt files, rotation to .prev."""
import errno
import os

import pytest
import torch

from pratique import PratiqueError
from pratique.core.io import atomic_write
from pratique.training.checkpoint import load_checkpoint, save_checkpoint


def _files(d):
    return sorted(os.listdir(d))


class Unpicklable:
    """torch.save fails on it after writing part of the state."""

    def __reduce__(self):
        raise RuntimeError("boom halfway through saving")


def test_atomic_write_failing_halfway_keeps_old_file_and_leaves_nothing(tmp_path):
    path = tmp_path / "report.json"
    atomic_write(path, lambda f: f.write(b"old"))

    def half(f):
        f.write(b"new but only ha")
        raise RuntimeError("writer died")

    with pytest.raises(RuntimeError, match="writer died"):
        atomic_write(path, half)
    assert path.read_bytes() == b"old"
    assert _files(tmp_path) == ["report.json"]


def test_save_checkpoint_failing_halfway_keeps_previous(tmp_path):
    path = tmp_path / "last.ckpt"
    save_checkpoint({"epoch": 1, "w": torch.ones(3)}, path)
    with pytest.raises(Exception, match="boom"):
        save_checkpoint({"epoch": 2, "w": torch.zeros(3), "bad": Unpicklable()}, path)
    assert load_checkpoint(path)["epoch"] == 1
    assert _files(tmp_path) == ["last.ckpt"]  # nothing rotated, no partial or temporary file


def test_full_disk_keeps_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "last.ckpt"
    save_checkpoint({"epoch": 1}, path)
    save_checkpoint({"epoch": 2}, path)
    real_fsync = os.fsync

    def enospc(fd):  # the data does not fit: the kernel reports it at fsync
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", enospc)
    with pytest.raises(OSError) as info:
        save_checkpoint({"epoch": 3}, path)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert info.value.errno == errno.ENOSPC
    assert load_checkpoint(path)["epoch"] == 2
    assert load_checkpoint(str(path) + ".prev")["epoch"] == 1
    assert _files(tmp_path) == ["last.ckpt", "last.ckpt.prev"]


def test_rotation_keeps_one_previous(tmp_path):
    path = tmp_path / "last.ckpt"
    for epoch in range(3):
        save_checkpoint({"epoch": epoch}, path)
    assert load_checkpoint(path)["epoch"] == 2
    assert load_checkpoint(str(path) + ".prev", fallback=False)["epoch"] == 1
    assert _files(tmp_path) == ["last.ckpt", "last.ckpt.prev"]


@pytest.mark.parametrize("damage", ["truncate", "zeros", "empty", "garbage"])
def test_corrupt_last_falls_back_to_prev_with_warning(tmp_path, damage):
    path = tmp_path / "last.ckpt"
    save_checkpoint({"epoch": 1}, path)
    save_checkpoint({"epoch": 2}, path)
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "zeros": bytes(len(data)), "empty": b"",
                      "garbage": os.urandom(500)}[damage])
    with pytest.warns(UserWarning, match="previous checkpoint"):
        state = load_checkpoint(path)
    assert state["epoch"] == 1 and state["_loaded_from"] == str(path) + ".prev"


def test_corrupt_without_prev_is_an_error_not_a_fresh_start(tmp_path):
    path = tmp_path / "last.ckpt"
    path.write_bytes(b"\x00" * 100)
    with pytest.raises(PratiqueError, match="damaged"):
        load_checkpoint(path)
    (tmp_path / "last.ckpt.prev").write_bytes(b"also bad")
    with pytest.raises(PratiqueError, match="damaged"):
        load_checkpoint(path)


def test_missing_last_uses_prev_and_missing_both_says_so(tmp_path):
    path = tmp_path / "last.ckpt"
    with pytest.raises(FileNotFoundError, match="No checkpoint"):
        load_checkpoint(path)
    save_checkpoint({"epoch": 4}, str(path) + ".prev", keep_previous=False)
    with pytest.warns(UserWarning, match="missing"):
        assert load_checkpoint(path)["epoch"] == 4


def test_files_get_normal_permissions(tmp_path):
    path = tmp_path / "model.bin"
    atomic_write(path, lambda f: f.write(b"x"))
    umask = os.umask(0o022)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask
