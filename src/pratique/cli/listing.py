"""`pratique datasets` and `pratique models`: what is available."""
from __future__ import annotations

import click


@click.command()
def datasets():
    """List the named datasets."""
    from ..data.datasets import dataset_info, list_datasets

    for name in list_datasets():
        click.echo(f"{name:16s} {dataset_info(name)['description']}")


@click.command()
@click.argument("pattern", required=False)
def models(pattern):
    """List the registered models (optionally matching a glob PATTERN) with parameter counts."""
    from ..models.registry import create_model, get_model_card, list_models

    for name in list_models(pattern):
        card = get_model_card(name)
        params = sum(p.numel() for p in create_model(name).parameters())
        click.echo(f"{name:20s} {params:>12,} params  input {card.input_size}  {card.description}")
