"""`pratique lr-find`: the learning-rate range test, with its plot."""
from __future__ import annotations

import click

from ._options import build_config, run_options


@click.command("lr-find")
@run_options(skip=("epochs", "validation_split", "resume", "project", "name", "exist_ok"))
@click.option("--plot", default="lr_find.png", show_default=True, help="Where to save the loss-vs-LR plot.")
@click.pass_context
def lr_find(ctx, plot, **options):
    """Run the LR range test (fastai's lr_find) and print the suggested learning rate.

    \b
    Examples:
      pratique lr-find --model lenet5
      pratique lr-find --model mlp --batch-size 128 --plot mlp_lr.png
      pratique train --model mlp --lr 0.003            # then train with what it suggests
    """
    from ..tasks.run import lr_find as run_lr_find

    result = run_lr_find(build_config(ctx, options), plot=plot)
    click.echo(f"suggested lr: {result.suggestion:.3g}" + (f"  (plot: {plot})" if plot else ""))
