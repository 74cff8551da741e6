"""Options shared by the run commands (train, finetune, lr-find) and `--config` merging."""
from __future__ import annotations

import os

import click
from click.core import ParameterSource

from ..config import TrainConfig

_D = TrainConfig()
PRECISIONS = ["32", "bf16-mixed", "16-mixed", "64"]


def out_file(ctx, param, value):
    """`--out`: its folder must exist (a typo must not create folders anywhere on the disk)."""
    if value is None:
        return value
    folder = os.path.dirname(os.path.abspath(value))
    if not os.path.isdir(folder):
        raise click.BadParameter(f"the folder {folder!r} does not exist. Create it first, or "
                                 f"write to an existing folder. Received: {value!r}")
    return value


def _schedule(ctx, param, value):
    return None if value in (None, "none") else value


def _devices(ctx, param, value):
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    if value in ("auto", "-1") or (isinstance(value, str) and value.replace(",", "").isdigit()):
        return value  # Lightning's "auto", -1 (all) or a list of device ids "0,1"
    raise click.BadParameter(f"expected a number of devices (1, 2...), 'auto', -1 (all) or device "
                             f"ids like 0,1. Received: {value!r}")


def run_options(strategy_flag: str = "--strategy", name: str = "train", skip=()):
    """Decorate a command with the TrainConfig options but those in `skip` (config keys);
    `strategy_flag` names the flag of Lightning's distributed strategy (finetune keeps
    `--strategy` for its own strategies); `name` is the default run name."""
    options = [
        click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
                     help="A run's config.yaml; flags given here override its values."),
        click.option("--data", default=_D.data, show_default=True,
                     help="Dataset name (see `pratique datasets`), class folder, CSV or .txt list."),
        click.option("--model", default=_D.model, show_default=True, help="Model name (see `pratique models`)."),
        click.option("--pretrained", is_flag=True, help="Start from pretrained weights."),
        click.option("--epochs", type=click.IntRange(min=1), default=_D.epochs, show_default=True,
                     help="Passes over the training data."),
        click.option("--batch-size", type=click.IntRange(min=1), default=_D.batch_size, show_default=True,
                     help="Images per training step."),
        click.option("--lr", type=float, default=_D.lr, show_default=True, help="Learning rate (peak of the schedule)."),
        click.option("--optimizer", default=_D.optimizer, show_default=True, help="adam, adamw, sgd, rmsprop..."),
        click.option("--schedule", type=click.Choice(["onecycle", "cosine", "none"]), default=_D.schedule,
                     show_default=True, callback=_schedule, help="Learning-rate schedule."),
        click.option("--validation-split", type=click.FloatRange(0, 1, max_open=True),
                     default=_D.validation_split, show_default=True,
                     help="Fraction of the training data held out for validation."),
        click.option("--image-size", type=click.IntRange(min=1), default=None,
                     help="Resize image files to this size (default: their most common size)."),
        click.option("--seed", type=int, default=_D.seed, show_default=True,
                     help="Seed for weights, shuffling and splits: same seed, same run."),
        click.option("--accelerator", type=click.Choice(["auto", "cpu", "cuda", "gpu", "mps"]),
                     default=_D.accelerator, show_default=True, help="Where to train."),
        click.option("--devices", default=str(_D.devices), show_default=True, callback=_devices,
                     help="Number of devices, or 'auto'."),
        click.option(strategy_flag, "strategy", default=_D.strategy, show_default=True,
                     help="Distributed strategy (Lightning Fabric): auto, ddp, fsdp..."),
        click.option("--num-nodes", type=click.IntRange(min=1), default=_D.num_nodes, show_default=True,
                     help="Machines for a multi-node run (launched by torchrun or SLURM)."),
        click.option("--precision", type=click.Choice(PRECISIONS), default=_D.precision, show_default=True,
                     help="32-bit, or mixed precision on GPUs (bf16-mixed, 16-mixed)."),
        click.option("--resume", type=click.Path(dir_okay=False),
                     help="A last.ckpt to continue with the settings stored in it (only --epochs "
                          "and the device flags may change)."),
        click.option("--project", default=_D.project, show_default=True, help="Parent folder of run directories."),
        click.option("--name", default=name, show_default=True, help="Run name; name2, name3... if taken."),
        click.option("--exist-ok", is_flag=True, help="Reuse an existing run directory."),
        click.option("--skip-bad", is_flag=True,
                     help="Leave out unreadable image files; the run directory lists them in skipped.csv."),
    ]

    def decorate(fn):
        for option in reversed(options):
            probe = option(lambda: None).__click_params__[0]  # the option's config key
            if probe.name not in skip:
                fn = option(fn)
        return fn

    return decorate


def given_options(ctx: click.Context, options: dict) -> dict:
    """The options set on the command line (or by environment), not left at their defaults."""
    return {k: v for k, v in options.items() if k != "config_path" and ctx.get_parameter_source(k)
            in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)}


def build_config(ctx: click.Context, options: dict) -> TrainConfig:
    """Defaults < `--config` file < flags given on the command line. (`--resume` alone takes the
    checkpoint's config: the CLI passes only the given flags, see cli/train.py.)"""
    path = options.pop("config_path", None)
    base = TrainConfig.from_yaml(path).to_dict() if path else {}
    merged = {**options, **base, **given_options(ctx, options)}
    return TrainConfig.from_dict(merged)
