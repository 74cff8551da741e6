"""`pratique train`: train a model and write a run directory."""
from __future__ import annotations

import click

from ..config import TrainConfig
from ._options import given_options, run_options

__all__ = ["train"]


@click.command()
@run_options(skip=("finetune_strategy",))
@click.pass_context
def train(ctx, **options):
    """Train a model; writes runs/train (then train2, ...).

    The run directory holds config.yaml, metrics.csv, TensorBoard events, best.pratique,
    last.ckpt and curves.png.

    \b
    Examples:
      pratique train                                   # LeNet-5 on the bundled mnist5k
      pratique train --model mlp --epochs 10 --lr 0.001
      pratique train --schedule step --optimizer sgd --lr 0.05
      pratique train --data pets/ --model resnet18 --pretrained --image-size 224
      pratique train --data pets/ --skip-bad          # unreadable files listed in skipped.csv
      pratique train --config runs/train/config.yaml   # repeat a run (into a new directory)
      pratique train --resume runs/train/last.ckpt     # same settings; finishes a stopped run
      pratique train --data gunpoint                   # series: fcn with its recipe
      pratique train --data series.csv --model resnet1d --epochs 20   # one series per row
      pratique train --devices 2 --strategy ddp --batch-size 64   # data-parallel, 2 processes
    """
    from ..tasks.run import train as run_train

    # only the flags given: a resume checks them against the checkpoint's settings, and a
    # series run fills the others from its model's recipe (tasks/run_series.py)
    path = options.pop("config_path", None)
    run_train(TrainConfig.from_yaml(path) if path else None, **given_options(ctx, options))
