"""On-disk mechanics of the decoded-image cache: one folder per set of files, holding

    .lock                    held (flock) by the one process that builds or evicts there
    probes.json              the file check's results, keyed by path, size and mtime
    <prep>-<token>.u8        uint8 rows (N, C, H, W) in row order, written under a temp name
    <prep>.json              the manifest, written last, atomically: a data file no manifest
                             names, or a temp file, is never read (and is removed by the next builder)

`<prep>` hashes the preprocessing (colour mode, size, decoder versions), so two image sizes of
one folder live side by side. The cache directory as a whole stays under `max_bytes`: building
evicts the least recently used other caches first (only ours: nothing else lives there).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets

import numpy as np

from ..core.io import atomic_write

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locks, no removal of other runs' files
    fcntl = None

FORMAT = 1
MANIFEST_SUFFIX, DATA_SUFFIX = ".json", ".u8"
PROBES = "probes.json"


def entry_key(paths) -> str:
    """The folder name of a set of files: the hash of their sorted absolute paths."""
    return hashlib.sha1("\n".join(sorted(set(paths))).encode()).hexdigest()[:20]


def prep_key(preprocessing: dict) -> str:
    return hashlib.sha1(json.dumps(preprocessing, sort_keys=True).encode()).hexdigest()[:12]


def file_stats(paths) -> list[list]:
    """[[path, size, mtime_ns], ...]: what a later run compares to trust the cache."""
    out = []
    for p in paths:
        try:
            st = os.stat(p)
        except OSError as e:
            from .decode import DecodeError

            raise DecodeError(p, f"{type(e).__name__}: {e} (it went after the file check)") from None
        out.append([p, st.st_size, st.st_mtime_ns])
    return out


@contextlib.contextmanager
def locked(entry: str, blocking: bool = True, on_wait=None):
    """Hold `entry/.lock` (yields True), or yield False when `blocking` is off and another process
    holds it. Where flock does not exist (Windows) it yields None: builds stay safe by their
    unique data names and the manifest written last, but no stale file is removed."""
    if fcntl is None:  # pragma: no cover - Windows
        yield None
        return
    fd = os.open(os.path.join(entry, ".lock"), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not blocking:
                yield False
                return
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)  # released by the kernel if its holder dies
        yield True
    finally:
        os.close(fd)


def read_manifest(entry: str, prep: str, preprocessing: dict, stats: list[list]) -> dict | None:
    """The manifest when every file still has its recorded size and mtime, the preprocessing is
    the same and the data file is whole; else None (the cache is rebuilt)."""
    try:
        with open(os.path.join(entry, prep + MANIFEST_SUFFIX)) as f:
            m = json.load(f)
        ok = (m["format"] == FORMAT and m["preprocessing"] == preprocessing
              and sorted(r[:3] for r in m["files"]) == sorted(stats))
        data = os.path.join(entry, m["data"])
        if not ok or os.path.getsize(data) != int(np.prod(m["shape"])):
            return None
    except (OSError, ValueError, KeyError, TypeError):  # missing, half-written by hand, foreign
        return None
    m["data_path"] = data
    return m


def open_rows(manifest: dict):
    """The cached rows as a uint8 array (N, C, H, W) mapped from the file (copy-on-write: a write
    into it, by mistake, never reaches the cache)."""
    shape = tuple(manifest["shape"])
    if shape[0] == 0:
        return np.empty(shape, np.uint8)
    return np.memmap(manifest["data_path"], dtype=np.uint8, mode="c", shape=shape)


def write_cache(entry: str, prep: str, manifest: dict, write_rows) -> dict:
    """Write the data file through `write_rows(file)` under a temp name, rename it, then the
    manifest that names it; return the manifest. Older data files of `prep` are removed after."""
    name = f"{prep}-{secrets.token_hex(4)}{DATA_SUFFIX}"
    atomic_write(os.path.join(entry, name), write_rows)
    manifest = {**manifest, "format": FORMAT, "data": name}
    text = json.dumps(manifest, indent=1).encode()
    atomic_write(os.path.join(entry, prep + MANIFEST_SUFFIX), lambda f: f.write(text))
    for stale in os.listdir(entry):  # earlier builds of this preprocessing, no longer named
        if stale.startswith(prep + "-") and stale.endswith(DATA_SUFFIX) and stale != name:
            _remove(os.path.join(entry, stale))
    return {**manifest, "data_path": os.path.join(entry, name)}


def remove_debris(entry: str) -> None:
    """Temp files of killed builds and data files no manifest names (call with the lock held;
    without flock nothing is removed: another run may be writing them)."""
    if fcntl is None:
        return
    named = set()
    for f in _manifests(entry):
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError), open(os.path.join(entry, f)) as fh:
            named.add(json.load(fh)["data"])
    for f in os.listdir(entry):
        dead_temp = f.startswith(".") and f.endswith(".tmp") and DATA_SUFFIX + "." in f
        if dead_temp or (f.endswith(DATA_SUFFIX) and f not in named):
            _remove(os.path.join(entry, f))


def make_room(root: str, own_entry: str, need: int, max_bytes: int) -> bool:
    """Evict the least recently used caches under `root` until `need` more bytes fit in
    `max_bytes` with everything the folder holds; False when they cannot. Call with
    `own_entry`'s lock held; other folders are evicted only when no builder holds theirs."""
    caches, total = [], 0  # (last used, entry, manifest name)
    for entry in _entries(root):
        total += _usage(entry)
        caches += [(_last_used(os.path.join(entry, m)), entry, m) for m in _manifests(entry)]
    for _, entry, name in sorted(caches):
        if total + need <= max_bytes:
            break
        own = entry == own_entry
        with contextlib.nullcontext(True) if own else locked(entry, blocking=False) as got:
            if got is not False:
                before = _usage(entry)
                _remove(os.path.join(entry, name))  # the manifest first: nobody trusts what follows
                remove_debris(entry)
                if not _manifests(entry):  # no cache left here: its file-check findings go too
                    _remove(os.path.join(entry, PROBES))
                total -= before - _usage(entry)
    return total + need <= max_bytes


def remove_manifest(entry: str, prep: str) -> None:
    """Forget a cache that no longer holds (with the lock held): its data goes with the debris."""
    _remove(os.path.join(entry, prep + MANIFEST_SUFFIX))
    remove_debris(entry)


def touch(manifest_path: str) -> None:
    """Mark a cache as just used (its manifest's mtime orders the eviction)."""
    with contextlib.suppress(OSError):
        os.utime(manifest_path)


def load_probes(entry: str) -> list:
    try:
        with open(os.path.join(entry, PROBES)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return []


def save_probes(entry: str, probes: list) -> None:
    text = json.dumps(probes).encode()
    atomic_write(os.path.join(entry, PROBES), lambda f: f.write(text))


def _entries(root: str) -> list[str]:
    try:
        return [e.path for e in os.scandir(root) if e.is_dir()]
    except OSError:
        return []


def _manifests(entry: str) -> list[str]:
    return [f for f in os.listdir(entry)
            if f.endswith(MANIFEST_SUFFIX) and f != PROBES and not f.startswith(".")]


def _last_used(manifest: str) -> float:
    try:
        return os.stat(manifest).st_mtime
    except OSError:
        return 0.0


def _usage(entry: str) -> int:
    total = 0
    for e in os.scandir(entry):
        with contextlib.suppress(OSError):  # removed meanwhile by another run
            total += e.stat().st_size if e.is_file() else 0
    return total


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):  # gone already, or mapped by a reader on Windows
        os.unlink(path)
