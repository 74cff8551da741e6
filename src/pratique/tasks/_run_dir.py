"""One run per folder: run folders are created atomically and locked for the run's life.

Checking that `runs/train` does not exist and then creating it leaves a gap in which a second
run takes the same name; two runs in one folder interleave `metrics.csv` and `last.ckpt`.
`os.mkdir` either creates the folder or fails, so each start gets its own. A folder used again
(`--exist-ok`, `--resume`) is guarded by an exclusive `flock` on `.pratique.lock` inside it,
held until the run ends (the OS drops it when the process dies, so a killed run leaves no stale
lock).
"""
from __future__ import annotations

import contextlib
import os

from ..core.errors import PratiqueError

LOCK_NAME = ".pratique.lock"


def create_run_dir(project: str, name: str, exist_ok: bool = False) -> str:
    """Create and return `project/name`, or `name2`, `name3`... (Ultralytics' rule): the first
    name that `os.mkdir` creates, so no two calls, in any processes, return the same folder.
    With `exist_ok`, `project/name` itself, created if missing."""
    os.makedirs(project, exist_ok=True)
    path = os.path.join(project, name)
    if exist_ok:
        os.makedirs(path, exist_ok=True)
        return path
    n = 2
    while True:
        try:
            os.mkdir(path)
            return path
        except FileExistsError:
            path = os.path.join(project, f"{name}{n}")
            n += 1


@contextlib.contextmanager
def run_lock(run_dir: str | None):
    """Hold an exclusive lock on `run_dir` while the block runs; None holds nothing (other ranks).

    A second writer gets a PratiqueError naming the folder (the CLI exits 2)."""
    if run_dir is None:
        yield
        return
    fd = acquire(run_dir)
    try:
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def acquire(run_dir: str) -> int:
    """Lock `run_dir` (non-blocking) and return the descriptor holding the lock."""
    import fcntl

    path = os.path.join(run_dir, LOCK_NAME)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise PratiqueError(
            f"Run folder {run_dir!r} is in use by another run (it holds the lock on "
            f"{LOCK_NAME}). Two runs in one folder would mix their metrics.csv and last.ckpt. "
            "Wait for it to finish, or start a new run without --exist-ok (it gets its own "
            "folder).") from None
    return fd  # the file stays empty: its lock, not its content, says the folder is taken
