"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never half of one."""
from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable


def _read_umask() -> int:
    mask = os.umask(0o022)  # read once at import; os.umask has no read-only form
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _temp_file(path: str) -> tuple[int, str, str]:
    """(fd, temp path, directory) beside `path`, with the permissions a plain open() would give
    (mkstemp's are 0600), or those of the file it replaces."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o666 & ~_UMASK
        os.chmod(tmp, mode)
    except OSError:
        pass
    return fd, tmp, directory


def atomic_write(path, write: Callable[[io.BufferedWriter], None],
                 before_replace: Callable[[], None] | None = None) -> None:
    """Write `path` through `write(file)` so that readers see the old file or the new, never half.

    The bytes go to a temporary file in the same directory, which is flushed, fsynced and then
    renamed over `path`; the directory is fsynced so the rename survives a crash. On any error
    (a full disk, an exception in `write`) the temporary file is removed and the previous `path`
    is left as it was.

    Args:
        path: the file to write.
        write: called with the open binary temporary file.
        before_replace: called once the new bytes are durable, just before the rename (e.g.
            to keep the previous file as `path.prev`).

    Example:
        >>> atomic_write("notes.txt", lambda f: f.write(b"hello"))
    """
    path = os.fspath(path)
    fd, tmp, directory = _temp_file(path)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    fsync_dir(directory)


def fsync_dir(directory: str) -> None:
    """Make renames in `directory` durable (a no-op where directories cannot be opened)."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
