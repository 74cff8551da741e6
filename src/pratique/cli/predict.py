"""`pratique predict MODEL SOURCE...`: labels for image files, on screen and in a CSV/JSON file."""
from __future__ import annotations

import click

from ..core.errors import PratiqueError
from ._options import out_file


def _thresholds(ctx, param, value):
    try:
        values = [float(v) for v in value.split(",")]
    except ValueError:
        raise click.BadParameter(f"expected a probability like 0.5, or one per class like 0.5,0.3,0.7. "
                                 f"Received: {value!r}") from None
    return values[0] if len(values) == 1 else values


@click.command()
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@click.argument("source", nargs=-1, required=True)
@click.option("--top-k", type=click.IntRange(min=1), default=1, show_default=True, help="Best classes listed per image.")
@click.option("--out", type=click.Path(dir_okay=False), callback=out_file, help="Write every row to a .csv or .json file.")
@click.option("--batch-size", type=click.IntRange(min=1), default=64, show_default=True)
@click.option("--tta", is_flag=True, help="Average each image's prediction with its horizontal flip's.")
@click.option("--multi-label", is_flag=True, help="Sigmoid per class; every class over --threshold is a label.")
@click.option("--threshold", default="0.5", show_default=True, callback=_thresholds,
              help="Multi-label threshold: one probability, or one per class (comma-separated).")
@click.option("--show", type=click.IntRange(min=0), default=20, show_default=True, help="Rows shown on screen.")
@click.option("--trust", is_flag=True, help="Open a TorchScript MODEL (loading it runs the code it holds).")
def predict(model, source, top_k, out, batch_size, tta, multi_label, threshold, show, trust):
    """Predict the class of image files with MODEL (.pratique, .onnx or .torchscript).

    SOURCE is an image, a folder (searched recursively), a glob (quote it: 'photos/*.jpg'),
    a CSV with a `path` column, or several of these. Unreadable files get a row with
    their error instead of stopping the run.

    \b
    Examples:
      pratique predict runs/train/best.pratique digit.png
      pratique predict runs/train/best.pratique photos/ --top-k 3 --out preds.csv
      pratique predict runs/train/best.onnx 'photos/**/*.png' --out preds.json
      pratique predict runs/train/best.torchscript photos/ --trust
      pratique predict tags.pratique photos/ --multi-label --threshold 0.4
      pratique predict runs/train/best.pratique series.csv --out preds.csv   # a series model
    """
    from ..tasks.predict import count_files, predict_rows, write_rows

    if out and not out.lower().endswith((".csv", ".json")):
        raise PratiqueError(f"--out must end in .csv or .json. Received: {out!r}")
    if _series(model, source, trust, top_k, batch_size, out, show):
        return
    total = count_files(list(source))  # also fails early on a missing path
    if total == 0:
        raise PratiqueError(f"No image files found in {' '.join(source)}. Expected images ending in "
                            ".jpg, .png, .bmp, .gif, .webp or .tif.")
    stats = {"rows": 0, "errors": 0}
    shown = []
    with _progress(total) as advance:
        rows = predict_rows(model, list(source), top_k, batch_size, tta, multi_label, threshold,
                            progress=advance, trust=trust)
        rows = _tally(rows, stats, shown, show)
        if out:
            write_rows(rows, out)
        else:
            for _ in rows:
                pass
    _print_table(shown, stats, total, out)


def _series(model, source, trust, top_k, batch_size, out, show) -> bool:
    """A series model: predict on the CSV of series (one per row) and say so; else False."""
    from ..tasks.predict import write_rows
    from ..tasks.predict_series import predict_series_rows, series_runner

    if str(model).lower().endswith((".torchscript", ".pt")) and not trust:
        return False  # the image path refuses it with its message
    runner = series_runner(model, trust)
    if runner is None:
        return False
    if len(source) != 1:
        raise PratiqueError(f"A series model predicts on one CSV of series. Received {len(source)} "
                            f"sources: {' '.join(source)}. Pass one .csv file.")
    stats, shown = {"rows": 0, "errors": 0}, []
    rows = _tally(predict_series_rows(runner, source[0], top_k, batch_size), stats, shown, show)
    if out:
        write_rows(rows, out)
    else:
        for _ in rows:
            pass
    _print_table(shown, stats, stats["rows"], out, what="series")
    return True


def _tally(rows, stats, shown, show):
    for row in rows:
        stats["rows"] += 1
        stats["errors"] += row["error"] is not None
        if len(shown) < show:
            shown.append(row)
        yield row


class _progress:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, total: int):
        self.total = total

    def __enter__(self):
        import sys

        from rich.progress import Progress

        self.bar = None
        if sys.stderr.isatty():
            from rich.console import Console

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("predicting", total=self.total)
        return self.advance

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()


def _print_table(rows, stats, total, out, what: str = "images") -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False)
    for name in ("path", "label", "probability", "top-k"):
        table.add_column(name, overflow="fold")
    for r in rows:
        if r["error"]:
            table.add_row(r["path"], "[red]error[/red]", "", r["error"])
            continue
        label = ", ".join(r["label"]) if isinstance(r["label"], list) else str(r["label"])
        prob = ", ".join(f"{p:.3f}" for p in r["probability"]) if isinstance(r["probability"], list) \
            else f"{r['probability']:.3f}"
        table.add_row(r["path"], label, prob, "  ".join(f"{lab} {p:.3f}" for lab, p in r["top_k"]))
    import sys

    console = Console(width=None if sys.stdout.isatty() else 120)
    console.print(table)
    more = f" ({stats['rows'] - len(rows)} more not shown)" if stats["rows"] > len(rows) else ""
    console.print(f"{stats['rows']} {what}, {stats['errors']} unreadable{more}"
                  + (f"; all rows in {out}" if out else ""))
