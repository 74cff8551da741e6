"""`pratique evaluate MODEL`: loss, accuracy and per-class scores of a saved model."""
from __future__ import annotations

import click

from ._options import out_file


@click.command()
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@click.option("--data", default="mnist5k", show_default=True,
              help="Dataset name (its test split); class folder, CSV or .txt list (every image "
                   "in it); a folder of train/val/test subfolders (its test/, else val/).")
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), callback=out_file, help="Also write the metrics as JSON here.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False),
              help="Write report.json, report.md, confusion_matrix.csv and PNGs into this folder.")
def evaluate(model, data, batch_size, out, report_dir):
    """Evaluate a saved MODEL (.pratique) on the held-out split of --data (a dataset's test
    split, every image of a folder, or the test/ folder of a train/val/test folder).

    Prints loss, accuracy, top-k accuracy, per-class precision / recall / F1 and the most
    confused (true -> predicted) pairs.

    \b
    Examples:
      pratique evaluate runs/train/best.pratique
      pratique evaluate runs/train/best.pratique --data mnist5k --out metrics.json
      pratique evaluate runs/train/best.pratique --report runs/val   # report.md, PNGs
    """
    from ..tasks.run import evaluate as run_evaluate

    report = run_evaluate(model, data, batch_size, out, report=report_dir or True)
    for key in ("loss", "accuracy"):
        click.echo(f"{key:12s} {report[key]:.4f}")
    for key, value in report["top_k_accuracy"].items():  # top_1 is the accuracy
        if key != "top_1":
            click.echo(f"{key.replace('_', '-') + ' acc':12s} {value:.4f}")
    click.echo(f"\n{'class':16s} {'precision':>9s} {'recall':>9s} {'f1':>9s} {'support':>8s}")
    for row in report["per_class"]:
        click.echo(f"{row['class'][:16]:16s} {row['precision']:9.4f} {row['recall']:9.4f} "
                   f"{row['f1']:9.4f} {row['support']:8d}")
    pairs = report["most_confused"][:5]
    click.echo("\nmost confused (true -> predicted): " +
               (", ".join(f"{p['true']} -> {p['predicted']} ({p['count']})" for p in pairs) or "none"))
    if report_dir:
        click.echo(f"report written to {report_dir}")
