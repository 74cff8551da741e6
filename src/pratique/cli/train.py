"""`pratique train`: train a model and write a run directory."""
from __future__ import annotations

import click

from ._options import build_config, given_options, run_options


@click.command()
@run_options()
@click.pass_context
def train(ctx, **options):
    """Train a model; writes runs/train (then train2, ...).

    The run directory holds config.yaml, metrics.csv, TensorBoard events, best.pratique,
    last.ckpt and curves.png.

    \b
    Examples:
      pratique train                                   # LeNet-5 on the bundled mnist5k
      pratique train --model mlp --epochs 10 --lr 0.001
      pratique train --data pets/ --model resnet18 --pretrained --image-size 224
      pratique train --data pets/ --skip-bad          # unreadable files listed in skipped.csv
      pratique train --config runs/train/config.yaml   # repeat a run (into a new directory)
      pratique train --resume runs/train/last.ckpt     # same settings; finishes a stopped run
      pratique train --devices 2 --strategy ddp --batch-size 64   # data-parallel, 2 processes
    """
    from ..tasks.run import train as run_train

    if options.get("resume") and not options.get("config_path"):  # the checkpoint's settings,
        run_train(**given_options(ctx, options))  # with only the flags given, to check them
    else:
        run_train(build_config(ctx, options))
