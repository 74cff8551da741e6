"""The progress of the one decode pass: "decoding N images (cached for next epochs)"."""
from __future__ import annotations

import contextlib
import sys


@contextlib.contextmanager
def decode_progress(n: int, verbose, stream=None):
    """Yield `advance(k)`. verbose=1 on a terminal: a rich bar (the style of the epochs' bars);
    elsewhere, or verbose=2: the one line; verbose=0: nothing."""
    stream = stream or sys.stdout
    title = f"decoding {n} images (cached for next epochs)"
    live = verbose == 1 and hasattr(stream, "isatty") and stream.isatty()
    if not live:
        if verbose:
            print(title, file=stream, flush=True)
        yield lambda k: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(TextColumn(title), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(file=stream))
    task = bar.add_task("decode", total=n)
    with bar:
        yield lambda k: bar.advance(task, k)
