"""`pratique evaluate MODEL`: loss and accuracy of a saved model on held-out data."""
from __future__ import annotations

import click


@click.command()
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@click.option("--data", default="mnist5k", show_default=True,
              help="Dataset name (its test split), class folder, CSV or .txt list.")
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Also write the metrics as JSON here.")
def evaluate(model, data, batch_size, out):
    """Evaluate a saved MODEL (.pratique) on the held-out split of --data.

    \b
    Examples:
      pratique evaluate runs/train/best.pratique
      pratique evaluate runs/train/best.pratique --data mnist5k --out metrics.json
    """
    from ..tasks.run import evaluate as run_evaluate

    logs = run_evaluate(model, data, batch_size, out)
    for key, value in logs.items():
        click.echo(f"{key:12s} {value:.4f}")
