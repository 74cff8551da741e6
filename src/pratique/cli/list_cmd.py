"""`pratique list KIND [GLOB]`: the names each registry holds (what a flag or compile() takes)."""
from __future__ import annotations

import click

from ..core.errors import PratiqueError

__all__ = ["list_names"]

KINDS = ("models", "datasets", "losses", "metrics", "optimizers", "schedules", "callbacks",
         "activations")


def _registry(kind: str):
    # imported on demand: `pratique list losses` need not import the models
    if kind == "models":
        from ..models.registry import MODELS as reg
    elif kind == "datasets":
        from ..data.datasets import DATASETS as reg
    elif kind == "losses":
        from ..training.losses import LOSSES as reg
    elif kind == "metrics":
        from ..training.metrics import METRICS as reg
    elif kind == "optimizers":
        from ..training.optimizers import OPTIMIZERS as reg
    elif kind == "schedules":
        from ..training.schedules import SCHEDULES as reg
    elif kind == "callbacks":
        from ..training.callbacks import CALLBACKS as reg
    else:
        from ..models.activations import ACTIVATIONS as reg
    return reg


@click.command("list")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("glob", required=False)
def list_names(kind, glob):
    """List the registered names of a KIND, optionally matching a GLOB.

    \b
    Examples:
      pratique list losses
      pratique list models "resnet*"
      pratique list callbacks
    """
    names = _registry(kind).list(glob)
    if not names:
        raise PratiqueError(f"No registered {kind} match {glob!r}. Run `pratique list {kind}` for all.")
    for name in names:
        click.echo(name)
