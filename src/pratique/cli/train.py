"""`pratique train`: train a model and write a run directory."""
from __future__ import annotations

import click

from ..config import TrainConfig

_D = TrainConfig()


@click.command()
@click.option("--data", default=_D.data, show_default=True, help="Dataset name (see `pratique datasets`).")
@click.option("--model", default=_D.model, show_default=True, help="Model name (see `pratique models`).")
@click.option("--pretrained", is_flag=True, help="Start from pretrained weights.")
@click.option("--epochs", type=int, default=_D.epochs, show_default=True)
@click.option("--batch-size", type=int, default=_D.batch_size, show_default=True)
@click.option("--lr", type=float, default=_D.lr, show_default=True, help="Learning rate (peak of the schedule).")
@click.option("--seed", type=int, default=_D.seed, show_default=True)
@click.option("--project", default=_D.project, show_default=True, help="Parent folder of run directories.")
@click.option("--name", default=_D.name, show_default=True, help="Run name; name2, name3... if taken.")
@click.option("--exist-ok", is_flag=True, help="Reuse an existing run directory.")
@click.option("--devices", type=int, default=_D.devices, show_default=True, help="Devices (one process each) per node.")
@click.option("--strategy", default=_D.strategy, show_default=True, help='"ddp" for data-parallel over --devices.')
@click.option("--num-nodes", type=int, default=_D.num_nodes, show_default=True, help="Machines (torchrun/SLURM).")
def train(**options):
    """Train a model; writes runs/train (then train2, ...).

    \b
    Examples:
      pratique train
      pratique train --model mlp --epochs 10 --lr 0.001
      pratique train --name lenet-tanh --seed 1
      pratique train --devices 2 --strategy ddp --batch-size 64
    """
    from ..tasks.run import train as run_train

    run_train(TrainConfig.from_dict(options))
