"""The decoded-image cache: image files decoded and resized once, by `Preprocessing.read` (the one
path from a file to uint8), then read as uint8 rows by every later epoch and run.

cache="disk" (the default for files): one uint8 file (N, C, H, W) per set of files and
preprocessing under the cache directory, beside a manifest (paths, sizes, mtimes, labels,
preprocessing, shape), memory-mapped under memory_budget and streamed from it over it; a
changed, added or removed file, or another size or colour mode, makes a new one. cache="memory": decoded into this process's memory. cache=None: every epoch
decodes the files again. Augmentation always runs on the uint8 rows, so a cached batch is the
uncached batch, bit for bit.
"""
from __future__ import annotations

import functools
import os
import shutil
import time

import numpy as np
import torch

from ..core.errors import PratiqueError
from . import _cache_store as store
from ._decode_progress import decode_progress
from .loaders import Fetcher, StreamingBatches

MODES = ("disk", "memory", None)
DEFAULT_MAX_BYTES = 10 * 2**30  # the whole cache directory, least recently used caches evicted first
FREE_MARGIN = 2**30  # never fill a disk: this much stays free after the cache is written
PER_FILE = 400  # bytes of manifest and file-check findings per file, counted in cache_max_bytes
ENV = "PRATIQUE_CACHE_DIR"


def cache_dir(path=None) -> str:
    """Where decoded images are cached: `path`, else $PRATIQUE_CACHE_DIR, else `images/` under the
    data directory ($PRATIQUE_DATA or ~/.cache/pratique)."""
    from ._readers import default_root

    return os.path.abspath(os.fspath(path or os.environ.get(ENV) or os.path.join(default_root(), "images")))


def check_options(o: dict, kind: str) -> None:
    """Validate cache, cache_max_bytes and cache_dir (before any work)."""
    if o["cache"] not in MODES:
        raise PratiqueError(f"cache must be 'disk', 'memory' or None. Received: cache={o['cache']!r}")
    if o["cache"] == "disk" and kind != "files":
        raise PratiqueError("cache='disk' keeps decoded image files, so that a later run can check them "
                            "for changes; this data comes from arrays or a torch Dataset. Pass "
                            "cache='memory' (decoded once per run) or cache=None.")
    d = o["cache_dir"]
    if d is not None and not isinstance(d, (str, os.PathLike)):
        raise PratiqueError(f"cache_dir must be a folder path (str or Path) or None. Received: cache_dir={d!r}")
    m = o["cache_max_bytes"]
    if m is not None and (not isinstance(m, int) or isinstance(m, bool) or m < 0):
        raise PratiqueError(f"cache_max_bytes must be None (default: 10 GiB on disk, memory_budget in "
                            f"memory) or an int >= 0. Received: cache_max_bytes={m!r}")


def workers(options) -> int:
    n = options["num_workers"]
    return min(4, os.cpu_count() or 1) if n is None else n


def say(options, message: str) -> None:
    if options["verbose"]:
        print(message, flush=True)


def decoder_config(color_mode: str, size) -> dict:
    """What makes the cached bytes: the uint8 stage of `Preprocessing` and the code under it."""
    return {"color_mode": color_mode, "image_size": list(size), **_versions()}


@functools.cache
def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    from .._version import __version__

    out = {"pratique": __version__}
    for name in ("torch", "torchvision", "pillow"):  # read without importing torchvision (seconds)
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


class DiskCache:
    """The cache folder of one set of files (all splits): the decoded rows for each
    preprocessing, and the file check's findings."""

    def __init__(self, root: str, listed: list[str], options: dict):
        self.root, self.listed, self.options = root, listed, options
        self.dir = os.path.join(root, store.entry_key(listed))
        self.loaded_probes = store.load_probes(self.dir)

    @classmethod
    def open(cls, xs: dict, options: dict) -> DiskCache | str:
        """The cache of these files (every split, before the check leaves any out), or why there
        is none; the file check then reads what earlier runs found about unchanged files."""
        from .scan import seed_probes

        root = cache_dir(options["cache_dir"])
        try:
            os.makedirs(root, exist_ok=True)
            if not os.access(root, os.W_OK):
                raise PermissionError("not writable")
        except OSError as e:
            return (f"Not caching the decoded images on disk: cannot write to {root!r} ({e}); pass "
                    f"cache_dir= (or set ${ENV}) to a writable folder.")
        cache = cls(root, [os.path.abspath(p) for v in xs.values() for p in v], options)
        seed_probes(cache.loaded_probes)
        return cache

    def rows(self, xs: dict, labels: dict, size, color_mode: str):
        """({split: uint8 tensor or CachedRows}, the cache's description), built first when
        missing or stale; or why the cache cannot hold them."""
        paths = list(dict.fromkeys(os.path.abspath(p) for v in xs.values() for p in v))  # row order
        config = decoder_config(color_mode, size)
        prep = store.prep_key(config)
        stats = store.file_stats(paths)
        t0, built = time.perf_counter(), False
        manifest = _open(store.read_manifest(self.dir, prep, config, stats))
        if manifest is None:
            try:
                os.makedirs(self.dir, exist_ok=True)
            except OSError as e:
                return f"Not caching the decoded images on disk: cannot write to {self.dir!r} ({e})."
            with store.locked(self.dir, on_wait=lambda: say(self.options, "Waiting for another run "
                                                             f"that is caching these images ({self.dir})...")):
                manifest = _open(store.read_manifest(self.dir, prep, config, stats))  # built meanwhile?
                if manifest is None:
                    shape = (len(paths), _channels(color_mode), *size)
                    manifest, built = self._build(paths, stats, labels, config, prep, shape), True
        if manifest is None or isinstance(manifest, str):
            return manifest or "The decoded-image cache was removed while it was opened."
        if not built:  # read silently: data.cache_info says where from
            store.touch(os.path.join(self.dir, prep + store.MANIFEST_SUFFIX))
        self._save_probes()
        rows, row_of = manifest["rows"], {r[0]: i for i, r in enumerate(manifest["files"])}
        split_rows = {k: [row_of[os.path.abspath(p)] for p in v] for k, v in xs.items()}
        per_image = int(np.prod(manifest["shape"][1:]))  # C * H * W bytes
        stream = sum(map(len, split_rows.values())) * per_image > self.options["memory_budget"]
        out = {k: _split(rows, manifest, r, stream, color_mode, size) for k, r in split_rows.items()}
        info = {"cache": "disk", "path": manifest["data_path"], "hit": not built, "images": len(paths),
                "bytes": int(np.prod(manifest["shape"])), "seconds": time.perf_counter() - t0}
        return out, info

    def _save_probes(self) -> None:
        from .scan import probe_records

        records = probe_records(self.listed)
        if records and sorted(map(str, records)) != sorted(map(str, self.loaded_probes)):
            store.save_probes(self.dir, records)

    def _build(self, paths, stats, labels, config, prep, shape):
        need = int(np.prod(shape)) + PER_FILE * len(paths)  # the rows, the manifest and probes
        store.remove_manifest(self.dir, prep)  # stale: its data goes with the debris of killed builds
        limit = self.options["cache_max_bytes"]
        limit = DEFAULT_MAX_BYTES if limit is None else limit
        free = shutil.disk_usage(self.dir).free
        if need > limit or need + FREE_MARGIN > free or not store.make_room(self.root, self.dir, need, limit):
            return (f"Not caching the decoded images on disk: they take {_gb(need)}, and the cache "
                    f"may hold {_gb(limit)} (cache_max_bytes) with {_gb(free)} free in {self.root}; "
                    "raise cache_max_bytes or pass cache_dir= elsewhere.")
        fetcher = Fetcher(paths, config["color_mode"], tuple(config["image_size"]))

        def write_rows(f):
            for x in decode_batches(fetcher, self.options):
                f.write(x.numpy().data)  # (B, C, H, W) contiguous uint8, in row order

        files = [[*s, labels.get(s[0])] for s in stats]
        manifest = {"preprocessing": config, "shape": list(shape), "dtype": "uint8", "files": files}
        return _open(store.write_cache(self.dir, prep, manifest, write_rows))


def materialize(xs: dict, options: dict, kind: str, disk=None, labels=None):
    """({split: uint8 tensor (in memory or mapped) or a Fetcher that streams}, the cache's
    description). `disk`: a DiskCache, or why there is none where cache="disk" was asked."""
    size, mode = tuple(options["image_size"]), options["color_mode"]
    reason = disk if isinstance(disk, str) else None
    if isinstance(disk, DiskCache):
        got = disk.rows(xs, labels or {}, size, mode)
        if not isinstance(got, str):
            return got
        reason = got
    fetchers = {k: Fetcher(v, mode, size, as_is=kind == "prepared") for k, v in xs.items()}
    total = sum(len(f) for f in fetchers.values()) * _channels(mode) * size[0] * size[1]
    total *= 4 if kind == "prepared" else 1  # float32 tensors, not uint8
    if options["cache"] is None:
        return fetchers, {"cache": None}
    own = options["cache"] == "memory" and options["cache_max_bytes"] is not None
    limit, name = (options["cache_max_bytes"], "cache_max_bytes") if own else (options["memory_budget"], "memory_budget")
    fits = total <= limit
    if reason is not None:  # one line: why not on disk, and what happens instead
        say(options, reason + (" Keeping them in memory for this run." if fits else
                               f" They exceed {name} too: decoding the files every epoch."))
    elif not fits:
        say(options, f"Not keeping the decoded images in memory: they take {_gb(total)}, more than "
                     f"{name}={_gb(limit)}. Decoding them every epoch (raise {name} to keep them).")
    if not fits:
        return fetchers, {"cache": None}
    t0 = time.perf_counter()
    lengths = [len(f) for f in fetchers.values()]
    every = Fetcher(_concat([f.sources for f in fetchers.values()]), mode, size, as_is=kind == "prepared")
    out = dict(zip(fetchers, torch.split(decode_all(every, options), lengths)))  # views of one tensor
    return out, {"cache": "memory", "hit": False, "images": sum(lengths), "bytes": total,
                 "seconds": time.perf_counter() - t0}


class CachedRows(Fetcher):
    """Sample i as uint8 (C, H, W): row `rows[i]` of a cache's data file, for data larger than
    memory_budget (streamed by DataLoader workers; a worker that is not forked maps the file itself)."""

    def __init__(self, mapped, data_path: str, rows: list[int], color_mode: str, size):
        super().__init__(rows, color_mode, size)
        self.mapped, self.data_path, self.shape = mapped, data_path, tuple(mapped.shape)

    def __getitem__(self, i: int) -> torch.Tensor:
        if self.mapped is None:
            self.mapped = np.memmap(self.data_path, dtype=np.uint8, mode="r", shape=self.shape)
        return torch.from_numpy(np.array(self.mapped[self.sources[i]]))

    def __getstate__(self) -> dict:
        return {**self.__dict__, "mapped": None}  # the path travels, not the bytes


def decode_batches(fetcher: Fetcher, options: dict):
    """uint8 batches (B, C, H, W) of every sample in order, decoded by DataLoader workers, with the
    "decoding N images (cached for next epochs)" progress bar."""
    batches = StreamingBatches(fetcher, None, 64, num_workers=workers(options))
    with decode_progress(len(fetcher), options["verbose"]) as advance:
        for x, _ in batches:
            advance(len(x))
            yield x
    batches.loader = None  # let the workers go


def decode_all(fetcher: Fetcher, options: dict) -> torch.Tensor:
    """Every sample decoded once into one uint8 tensor (N, C, H, W), in memory."""
    out = None
    lo = 0
    for x in decode_batches(fetcher, options):
        if out is None:
            out = torch.empty((len(fetcher), *x.shape[1:]), dtype=x.dtype)
        out[lo:lo + len(x)] = x
        lo += len(x)
    return out if out is not None else torch.empty(0, dtype=torch.uint8)


def _open(manifest):
    """The manifest with its rows mapped, or None when the data file went (evicted meanwhile)."""
    if manifest is None:
        return None
    try:
        return {**manifest, "rows": store.open_rows(manifest)}
    except (OSError, ValueError):
        return None


def _split(mapped, manifest, rows: list[int], stream: bool, color_mode: str, size):
    """A split's rows: over memory_budget, streamed from the file by DataLoader workers; under it,
    a view of the mapped file when they follow one another (no copy: runs share the page cache),
    else a copy in memory."""
    if stream:
        return CachedRows(mapped, manifest["data_path"], rows, color_mode, size)
    if rows and rows == list(range(rows[0], rows[0] + len(rows))):
        return torch.from_numpy(mapped[rows[0]:rows[0] + len(rows)])
    return torch.from_numpy(mapped[np.asarray(rows, dtype=np.int64)].view(np.ndarray))  # a gather copies


def _concat(sources: list):
    """All splits' sources as one: path lists joined, torch Datasets chained."""
    if all(isinstance(s, list) for s in sources):
        return [p for s in sources for p in s]
    return torch.utils.data.ConcatDataset(sources)


def _channels(color_mode: str) -> int:
    return 1 if color_mode == "grayscale" else 3


def _gb(n: int) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"
