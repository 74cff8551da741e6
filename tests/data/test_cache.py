"""The decoded-image cache: exact batches, invalidation, killed writes, two builders at once."""
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch
from PIL import Image

from pratique import ImageData, PratiqueError
from pratique.data import scan


def _data(root, cache_dir, **kw):
    kw.setdefault("image_size", 12)
    return ImageData.from_folders(root, num_workers=0, cache_dir=cache_dir, **kw)


def _eval(data, split="train"):
    return torch.cat([x for x, _ in data.eval_batches(split)])


def _files(d, suffix):
    return sorted(f for _, _, fs in os.walk(d) for f in fs if f.endswith(suffix))


def _usage(folder):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)


def test_cached_batches_are_the_uncached_batches_and_augmentation_still_varies(shapes_root, tmp_path):
    cold = _data(shapes_root, tmp_path, val_split=0.25, augment="standard")
    warm = _data(shapes_root, tmp_path, val_split=0.25, augment="standard")
    none = _data(shapes_root, tmp_path, val_split=0.25, augment="standard", cache=None)
    memory = _data(shapes_root, tmp_path, val_split=0.25, augment="standard", cache="memory")
    assert (cold.cache_info["hit"], warm.cache_info["hit"]) == (False, True)
    assert none.cache_info == {"cache": None} and memory.cache_info["cache"] == "memory"
    assert cold.preprocessing == none.preprocessing == warm.preprocessing  # same uint8 -> same stats
    for split in ("train", "val"):
        ref = _eval(none, split)
        for d in (cold, warm, memory):
            assert torch.equal(_eval(d, split), ref)
    # the in-memory path (cache "memory" = the pipeline before the cache) gives the same train batches
    batches, ref = warm.train_batches(seed=5), memory.train_batches(seed=5)
    epoch1, epoch2 = torch.cat([x for x, _ in batches]), torch.cat([x for x, _ in batches])
    assert torch.equal(epoch1, torch.cat([x for x, _ in ref]))
    assert not torch.equal(epoch1, epoch2)  # a new draw each epoch, on the cached uint8 rows
    assert warm.splits["train"][0].dtype == torch.uint8


def test_streaming_from_the_cache_with_workers_matches_streaming_from_files(shapes_root, tmp_path):
    kw = {"memory_budget": 0, "augment": {"horizontal_flip": True}, "num_workers": 2}
    cached = ImageData.from_folders(shapes_root, cache_dir=tmp_path, **kw)
    files = ImageData.from_folders(shapes_root, cache=None, **kw)
    rows = cached.splits["train"][0]
    assert type(rows).__name__ == "CachedRows"
    assert torch.equal(pickle.loads(pickle.dumps(rows))[3], rows[3])  # a spawned worker maps the file itself
    a = [x for x, _ in cached.train_batches(seed=2)]
    b = [x for x, _ in files.train_batches(seed=2)]
    assert len(a) == len(b) and all(torch.equal(u, v) for u, v in zip(a, b))


def test_a_changed_added_or_removed_file_invalidates_the_cache(shapes_root, tmp_path):
    assert _data(shapes_root, tmp_path).cache_info["hit"] is False
    assert _data(shapes_root, tmp_path).cache_info["hit"] is True
    victim = os.path.join(shapes_root, "circle", min(os.listdir(os.path.join(shapes_root, "circle"))))
    Image.fromarray(np.full((16, 16), 200, np.uint8)).save(victim)  # same path, new pixels
    changed = _data(shapes_root, tmp_path)
    assert changed.cache_info["hit"] is False
    assert torch.equal(_eval(changed), _eval(_data(shapes_root, tmp_path, cache=None)))
    st = os.stat(victim)
    os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # touched: the mtime alone
    assert _data(shapes_root, tmp_path).cache_info["hit"] is False
    Image.fromarray(np.zeros((16, 16), np.uint8)).save(os.path.join(shapes_root, "square", "new.png"))
    added = _data(shapes_root, tmp_path)
    assert added.cache_info["hit"] is False and added.cache_info["images"] == 25
    os.remove(victim)
    removed = _data(shapes_root, tmp_path)
    assert removed.cache_info["hit"] is False and removed.cache_info["images"] == 24
    assert torch.equal(_eval(removed), _eval(_data(shapes_root, tmp_path, cache=None)))
    assert _data(shapes_root, tmp_path, image_size=10).cache_info["hit"] is False  # preprocessing


def test_debris_of_a_killed_write_is_never_trusted(shapes_root, tmp_path):
    first = _data(shapes_root, tmp_path)
    entry = os.path.dirname(first.cache_info["path"])
    manifest = next(f for f in os.listdir(entry) if f.endswith(".json") and f != "probes.json")
    # a cache killed mid-write: a temp data file, a data file no manifest names, a half manifest
    for name in (f".{manifest[:-5]}-0badc0de.u8.x1y2.tmp", f"{manifest[:-5]}-0badc0de.u8"):
        (tmp_path / os.path.basename(entry) / name).write_bytes(b"\0" * 100)
    half = tmp_path / os.path.basename(entry) / manifest
    half.write_text(half.read_text()[:200])
    again = _data(shapes_root, tmp_path)
    assert again.cache_info["hit"] is False
    assert torch.equal(_eval(again), _eval(_data(shapes_root, tmp_path, cache=None)))
    assert len(_files(entry, ".u8")) == 1 and not _files(entry, ".tmp")  # the debris is gone
    # a data file cut short under a whole manifest is not trusted either
    with open(again.cache_info["path"], "r+b") as f:
        f.truncate(10)
    assert _data(shapes_root, tmp_path).cache_info["hit"] is False


_CHILD = textwrap.dedent("""
    import hashlib, sys, time
    import torch
    from pratique import ImageData
    from pratique.data.preprocess import Preprocessing
    read = Preprocessing.read
    def slow(self, path):  # slow enough to be caught mid-write
        time.sleep(float(sys.argv[3]))
        return read(self, path)
    Preprocessing.read = slow
    d = ImageData.from_folders(sys.argv[1], image_size=12, num_workers=0, cache_dir=sys.argv[2], verbose=int(sys.argv[4]))
    x = torch.cat([x for x, _ in d.eval_batches("train")])
    print(d.cache_info["hit"], hashlib.sha1(x.numpy().tobytes()).hexdigest())
""")


def _child(root, cache_dir, delay, verbose=0):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, "-c", _CHILD, str(root), str(cache_dir), str(delay), str(verbose)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.slow
def test_a_killed_cache_write_leaves_nothing_a_later_run_trusts(shapes_root, tmp_path):
    child = _child(shapes_root, tmp_path, 0.2)
    deadline = time.monotonic() + 60
    writing = lambda: [f for f in _files(tmp_path, ".tmp") if ".u8." in f]
    while not writing() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert writing(), child.communicate()  # caught while writing its data file
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert not _files(tmp_path, ".u8")  # nothing was renamed into place, no manifest named anything
    later = _data(shapes_root, tmp_path)
    assert later.cache_info["hit"] is False
    assert torch.equal(_eval(later), _eval(_data(shapes_root, tmp_path, cache=None)))
    assert not _files(tmp_path, ".tmp")


@pytest.mark.slow
def test_two_processes_building_the_same_cache_both_succeed(shapes_root, tmp_path):
    children = [_child(shapes_root, tmp_path, 0.1, verbose=1) for _ in range(2)]
    outs = [c.communicate(timeout=300) for c in children]
    assert [c.returncode for c in children] == [0, 0], [o[1][-2000:] for o in outs]
    hits, digests = zip(*(o[0].splitlines()[-1].split() for o in outs))
    assert sorted(hits) == ["False", "True"]  # one built it, the other waited and read it
    ref = _eval(_data(shapes_root, tmp_path, cache=None))
    import hashlib

    assert set(digests) == {hashlib.sha1(ref.numpy().tobytes()).hexdigest()}
    assert len(_files(tmp_path, ".u8")) == 1


def test_size_limits_fall_back_with_one_line_and_never_write_more(shapes_root, tmp_path, capsys):
    capsys.readouterr()
    small = _data(shapes_root, tmp_path / "c", cache_max_bytes=1000)  # 24 images of 144 bytes do not fit
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "cach" in ln.lower()]
    assert small.cache_info["cache"] == "memory" and _usage(tmp_path / "c") < 1000
    assert len([ln for ln in lines if ln.startswith("Not caching")]) == 1 and "cache_max_bytes" in lines[0]
    streamed = _data(shapes_root, tmp_path / "c", cache="memory", cache_max_bytes=1000)
    assert streamed.cache_info == {"cache": None} and "cache_max_bytes" in capsys.readouterr().out
    assert torch.equal(_eval(small), _eval(streamed))
    quiet = _data(shapes_root, tmp_path / "c", cache_max_bytes=1000, verbose=0)
    assert quiet.cache_info["cache"] == "memory" and capsys.readouterr().out == ""


def test_the_cache_directory_stays_under_its_limit(shapes_root, tmp_path):
    limit = 20_000  # one cache of 24 small images with its manifest and findings, not two
    _data(shapes_root, tmp_path / "c", cache_max_bytes=limit)
    assert 0 < _usage(tmp_path / "c") <= limit
    again = _data(shapes_root, tmp_path / "c", cache_max_bytes=limit, image_size=11)  # evicts the first
    assert again.cache_info["cache"] == "disk" and _usage(tmp_path / "c") <= limit
    assert [os.path.getsize(again.cache_info["path"])] == [
        os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(tmp_path / "c") for f in fs if f.endswith(".u8")]
    assert _data(shapes_root, tmp_path / "c", cache_max_bytes=limit, image_size=11).cache_info["hit"]


def test_a_later_run_does_not_decode_unchanged_files_to_check_them(shapes_root, tmp_path, monkeypatch):
    first = _data(shapes_root, tmp_path)
    scan._CACHE.clear()  # a new process: only what the cache folder kept

    def no_decode(path):
        raise AssertionError(f"decoded {path} again")

    monkeypatch.setattr(scan, "_probe", no_decode)
    again = _data(shapes_root, tmp_path)
    assert again.cache_info["hit"] is True and again.report.n_files == first.report.n_files


def test_cache_options_are_checked_before_any_work(tmp_path):
    x, y = np.zeros((4, 8, 8), np.uint8), np.array([0, 1, 0, 1])
    with pytest.raises(PratiqueError, match="cache='disk' keeps decoded image files"):
        ImageData.from_numpy(x, y, cache="disk")
    with pytest.raises(PratiqueError, match="cache must be 'disk', 'memory' or None"):
        ImageData.from_numpy(x, y, cache="ram")
    with pytest.raises(PratiqueError, match="cache_max_bytes must be"):
        ImageData.from_numpy(x, y, cache_max_bytes=-1)
