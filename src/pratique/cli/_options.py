"""Options shared by the run commands (train, finetune, lr-find) and `--config` merging."""
from __future__ import annotations

import dataclasses
import os
import typing

import click
from click.core import ParameterSource

from ..config import TASKS, TrainConfig

_D = TrainConfig()


class LazyChoice(click.Choice):
    """A `click.Choice` whose choices come from a registry when first read (`--help` or a
    parse), so importing a command stays light and the choices never drift from the library."""

    def __init__(self, load, extra=()):
        self._load, self._extra, self._cache = load, tuple(extra), None
        self.case_sensitive = True

    @property
    def choices(self):
        if self._cache is None:
            self._cache = (*self._load(), *self._extra)
        return self._cache

    @choices.setter
    def choices(self, value):  # click.Choice.__init__ would set it; ours is computed
        self._cache = tuple(value)


def _schedules():
    from ..training.schedules import list_schedules

    return list_schedules()


def _optimizers():
    from ..training.optimizers import list_optimizers

    return list_optimizers()


def _precisions():
    from ..training.trainer import PRECISIONS

    return PRECISIONS


def _finetune_strategies():
    from ..config import FINETUNE_STRATEGIES

    return FINETUNE_STRATEGIES


# TrainConfig field -> its choices (None: "none" is a choice, read as None); one source each
CHOICES = {"schedule": LazyChoice(_schedules, extra=("none",)), "optimizer": LazyChoice(_optimizers),
           "precision": LazyChoice(_precisions), "finetune_strategy": LazyChoice(_finetune_strategies),
           "accelerator": click.Choice(["auto", "cpu", "cuda", "gpu", "mps"]),
           "task": click.Choice(TASKS)}
_MIN_ONE = click.IntRange(min=1)
TYPES = {"epochs": _MIN_ONE, "batch_size": _MIN_ONE, "num_nodes": _MIN_ONE, "image_size": _MIN_ONE,
         "validation_split": click.FloatRange(0, 1, max_open=True),
         "resume": click.Path(dir_okay=False)}
HELP = {
    "data": "Dataset name (see `pratique datasets`), class folder, CSV or .txt list.",
    "model": "Model name (see `pratique models`).",
    "pretrained": "Start from pretrained weights (normalized with the backbone's statistics).",
    "epochs": "Passes over the training data.",
    "batch_size": "Images per training step.",
    "lr": "Learning rate (peak of the schedule).",
    "optimizer": "Optimizer (see `pratique list optimizers`).",
    "schedule": "Learning-rate schedule (see `pratique list schedules`); none: constant.",
    "validation_split": "Fraction of the training data held out for validation.",
    "image_size": "Resize image files to this size (default: their most common size).",
    "seed": "Seed for weights, shuffling and splits: same seed, same run.",
    "accelerator": "Where to train.",
    "devices": "Number of devices, 'auto', -1 (all) or device ids like 0,1.",
    "strategy": "Distributed strategy (Lightning Fabric): auto, ddp (sharded fsdp/deepspeed are refused).",
    "precision": "32-bit, or mixed precision on GPUs (bf16-mixed, 16-mixed).",
    "finetune_strategy": "Fine-tuning strategy: which layers train when.",
    "resume": ("A last.ckpt to continue with the settings stored in it (only --epochs and the "
               "device flags may change)."),
    "project": "Parent folder of run directories.",
    "name": "Run name; name2, name3... if taken.",
    "exist_ok": "Reuse an existing run directory.",
    "num_nodes": "Machines for a multi-node run (launched by torchrun or SLURM).",
    "skip_bad": "Leave out unreadable image files; the run directory lists them in skipped.csv.",
    "task": "classify, or autoencoder: learn to reconstruct normal data, score anomalies.",
    "normal": "With --task autoencoder on labelled data: the normal class (index or name).",
}
CALLBACKS = {"schedule": lambda ctx, param, value: None if value in (None, "none") else value}


def out_file(ctx, param, value):
    """`--out`: its folder must exist (a typo must not create folders anywhere on the disk)."""
    if value is None:
        return value
    folder = os.path.dirname(os.path.abspath(value))
    if not os.path.isdir(folder):
        raise click.BadParameter(f"the folder {folder!r} does not exist. Create it first, or "
                                 f"write to an existing folder. Received: {value!r}")
    return value


def _devices(ctx, param, value):
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    if value in ("auto", "-1") or (isinstance(value, str) and value.replace(",", "").isdigit()):
        return value  # Lightning's "auto", -1 (all) or a list of device ids "0,1"
    raise click.BadParameter(f"expected a number of devices (1, 2...), 'auto', -1 (all) or device "
                             f"ids like 0,1. Received: {value!r}")


CALLBACKS["devices"] = _devices


def config_option(field: dataclasses.Field, flag: str | None = None, default=None):
    """The click option of one TrainConfig field: its flag, type, choices and default."""
    hint = typing.get_type_hints(TrainConfig)[field.name]
    flag = flag or "--" + field.name.replace("_", "-")
    value = getattr(_D, field.name) if default is None else default
    if hint is bool:
        return click.option(flag, field.name, is_flag=True, default=value, help=HELP[field.name])
    kind = CHOICES.get(field.name) or TYPES.get(field.name) or {int: int, float: float}.get(hint)
    if field.name == "devices":
        value, kind = str(value), None  # "auto", a number or ids: the callback reads it
    return click.option(flag, field.name, type=kind, default=value, show_default=value is not None,
                        callback=CALLBACKS.get(field.name), help=HELP[field.name])


def run_options(strategy_flag: str = "--strategy", name: str = "train", skip=(), flags=None):
    """Decorate a command with one option per TrainConfig field but those in `skip`;
    `strategy_flag` names the flag of Lightning's distributed strategy (finetune keeps
    `--strategy` for its own strategies); `flags` renames others ({field: flag}); `name` is the
    default run name."""
    flags = {"strategy": strategy_flag, **(flags or {})}
    options = [click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
                            help="A run's config.yaml; flags given here override its values.")]
    options += [config_option(f, flags.get(f.name), name if f.name == "name" else None)
                for f in dataclasses.fields(TrainConfig) if f.name not in skip]

    def decorate(fn):
        for option in reversed(options):
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
