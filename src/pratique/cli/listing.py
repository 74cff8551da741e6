"""`pratique datasets` and `pratique models`: what is available."""
from __future__ import annotations

import click

from ..core.errors import PratiqueError


@click.command()
def datasets():
    """List the named datasets (a name is what --data takes).

    \b
    "points" datasets (spiral, xor, blobs, circles) are 2-D points: `pratique train` fits an
    mlp on them; the others are images. mnist, fashion_mnist and cifar need their files
    (the error says where to put them).
    Examples:
      pratique datasets
      pratique train --data shapes --epochs 3
      pratique train --data spiral --epochs 50 --lr 0.01
      pratique lab regions    # decision regions on the 2-D point datasets
    """
    from ..data.datasets import dataset_info, list_datasets

    for name in list_datasets():
        info = dataset_info(name)
        click.echo(f"{name:16s} {info['kind']:7s} {info['description']}")


@click.command()
@click.argument("pattern", required=False)
@click.option("--num-classes", type=int, default=10, show_default=True,
              help="Classes of the head the parameter counts are for.")
@click.option("--card", is_flag=True, help="Print each model's full card as JSON (input size, "
              "preprocessing, recipe, tags).")
def models(pattern, num_classes, card):
    """List the registered models (optionally matching a glob PATTERN) with parameter counts.

    \b
    Counts are taken on the meta device, so even VGG-16 costs no memory. The input is one
    sample's shape, channels first: CxHxW for images, CxL for series (1-D models).
    Examples:
      pratique models
      pratique models "lenet*"
      pratique models "resnet*" --num-classes 2
      pratique models fcn --card
    """
    import json

    from ..models.registry import get_model_card, list_models

    names = list_models(pattern)
    if not names:
        raise PratiqueError(f"No registered model matches {pattern!r}. Run `pratique models` for all.")
    if card:
        click.echo(json.dumps([get_model_card(n).as_dict() for n in names], indent=2))
        return
    click.echo(f"{'name':20s} {'params':>12s}  {'input':14s} {'pretrained':10s} description")
    for name in names:
        info = get_model_card(name)
        shape = "x".join(str(s) for s in info.input_size)
        weights = ("bundled" if "bundled" in (info.pretrained or "")
                   else "hub" if info.pretrained else "-")
        click.echo(f"{name:20s} {info.params(num_classes):>12,}  {shape:14s} {weights:10s} "
                   f"{info.description}")
