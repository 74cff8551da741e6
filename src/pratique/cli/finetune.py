"""`pratique finetune`: fine-tune a (pretrained) model with a Flash strategy."""
from __future__ import annotations

import click

from ..config import FINETUNE_STRATEGIES as STRATEGIES  # one list: the trainer's
from ._options import build_config, run_options


@click.command()
@run_options(strategy_flag="--distributed-strategy", name="finetune", skip=("resume",))
@click.option("--strategy", "finetune_strategy", type=click.Choice(STRATEGIES),
              default="freeze_unfreeze", show_default=True,
              help="Fine-tuning strategy: which layers train when.")
@click.pass_context
def finetune(ctx, **options):
    """Fine-tune a model (pretrained backbone, new head); writes runs/finetune.

    --strategy is the fine-tuning strategy (which layers train when); Lightning's
    distributed strategy is --distributed-strategy here.

    \b
    Examples:
      pratique finetune --model efficientnet_lite0 --pretrained --data pets/ --image-size 224
      pratique finetune --model resnet18 --pretrained --data pets/ --strategy freeze --epochs 3
    """
    from ..tasks.run import finetune as run_finetune

    run_finetune(build_config(ctx, options))
