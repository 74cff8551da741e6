"""Native-format readers for named datasets: IDX (MNIST, raw or .gz), CIFAR pickles read with a
restricted unpickler (no code runs), and checksummed downloads."""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import tarfile
import urllib.request

import numpy as np

from ..core.errors import PratiqueError

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def default_root() -> str:
    return os.environ.get("PRATIQUE_DATA", os.path.join(os.path.expanduser("~"), ".cache", "pratique"))


def read_idx(path) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed) into a numpy array of its declared shape."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise PratiqueError(f"{str(path)!r} is not an IDX file (bad magic number {data[:4].hex()}).")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    body = data[4 + 4 * ndim:]
    if len(body) != int(np.prod(shape)) * dtype.itemsize:
        raise PratiqueError(f"IDX file {str(path)!r} is truncated: header says shape {shape}, "
                            f"but holds {len(body)} bytes.")
    return np.frombuffer(body, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path, array: np.ndarray) -> None:
    """Write `array` (uint8) as an IDX file, gzip-compressed when `path` ends in .gz (for tests)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    head = bytes([0, 0, 0x08, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(head + array.tobytes())


# -- CIFAR: a restricted unpickler ---------------------------------------------------------------
def _np_reconstruct(cls, shape, dtype_code):
    if cls is not np.ndarray:
        raise pickle.UnpicklingError("only numpy.ndarray may be reconstructed")
    return np.ndarray.__new__(np.ndarray, shape, dtype_code)


def _np_dtype(code, align=False, copy=False):
    dt = np.dtype(code)
    if dt.hasobject:
        raise pickle.UnpicklingError("object arrays are refused")
    return dt


def _latin1_encode(text, encoding="latin1"):
    # protocol-2 pickles written by Python 3 store bytes as _codecs.encode(str, "latin1")
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("only latin1 string encoding is allowed")
    return text.encode("latin1")


_ALLOWED = {
    ("_codecs", "encode"): _latin1_encode,
    ("numpy.core.multiarray", "_reconstruct"): _np_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _np_reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _np_dtype,
}


class SafeUnpickler(pickle.Unpickler):
    """Unpickles only plain containers (dict, list, tuple, bytes, str, numbers) and numpy arrays
    of plain dtypes; any other global (os.system, builtins.eval...) is refused before it runs."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        raise pickle.UnpicklingError(f"refused global {module}.{name}")


def safe_unpickle(path):
    """Load a CIFAR-style pickle with `SafeUnpickler`; the error names the file."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        obj = SafeUnpickler(io.BytesIO(data), encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as e:
        raise PratiqueError(f"Refused to load {str(path)!r}: {e}. pratique reads CIFAR pickles "
                            "without running code; this file holds something else.") from None
    if not isinstance(obj, dict):
        raise PratiqueError(f"{str(path)!r} does not hold a CIFAR batch (a dict); got {type(obj).__name__}.")
    return {k.decode() if isinstance(k, bytes) else k: v for k, v in obj.items()}


def read_cifar_batch(path, label_key: str) -> tuple[np.ndarray, np.ndarray]:
    """One CIFAR batch file -> images uint8 (N, 32, 32, 3), labels uint8 (N,)."""
    d = safe_unpickle(path)
    if "data" not in d or label_key not in d:
        raise PratiqueError(f"{str(path)!r} lacks the keys 'data' and {label_key!r} of a CIFAR batch.")
    x = np.asarray(d["data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(x), np.asarray(d[label_key], dtype=np.uint8)


def read_cifar_names(path, key: str) -> list[str]:
    names = safe_unpickle(path)[key]
    return [n.decode() if isinstance(n, bytes) else str(n) for n in names]


# -- finding and downloading files ----------------------------------------------------------------
def md5(path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(url: str, dest: str, checksum: str) -> None:
    """Download `url` to `dest` (atomically) and check its md5; a mismatch deletes the partial file."""
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    tmp = dest + ".part"
    print(f"downloading {url} -> {dest}")
    with urllib.request.urlopen(url, timeout=60) as r, open(tmp, "wb") as f:
        f.writelines(iter(lambda: r.read(1 << 20), b""))
    if md5(tmp) != checksum:
        os.remove(tmp)
        raise PratiqueError(f"Checksum mismatch for {url}: expected md5 {checksum}.")
    os.replace(tmp, dest)


def locate(name: str, root, files: list[str], urls: dict[str, tuple[str, str]], do_download: bool) -> str:
    """The folder holding all `files` (each may also be found gzipped for IDX), downloading them
    when asked; offline, the error says which files to put where."""
    base = root if root is not None else os.path.join(default_root(), name)
    for folder in (base, os.path.join(base, name)):
        if all(_find(folder, f) for f in files):
            return folder
    if do_download:
        for fname, (url, checksum) in urls.items():
            dest = os.path.join(base, fname)
            if not os.path.exists(dest):
                try:
                    download(url, dest, checksum)
                except OSError as e:
                    raise PratiqueError(_missing(name, base, urls, f"Download failed ({e}).")) from None
            if fname.endswith((".tar.gz", ".tgz")):
                with tarfile.open(dest) as tar:
                    tar.extractall(base, filter="data")
        if all(_find(base, f) for f in files):
            return base
    raise PratiqueError(_missing(name, base, urls, "Files not found."))


def _find(folder: str, fname: str) -> str | None:
    for cand in (fname, fname + ".gz"):
        p = os.path.join(folder, cand)
        if os.path.exists(p):
            return p
    return None


def find_file(folder: str, fname: str) -> str:
    return _find(folder, fname) or os.path.join(folder, fname)


def _missing(name, base, urls, why) -> str:
    listing = "\n".join(f"  {os.path.join(base, f)}  <- {u} (md5 {c})" for f, (u, c) in urls.items())
    return (f"{why} Dataset {name!r} is not on this machine. Put these files here (or pass "
            f"download=True when online, or root=FOLDER):\n{listing}")
