"""Run configuration: flat typed dataclasses that round-trip YAML; unknown keys and wrong types are errors."""
from __future__ import annotations

import dataclasses
import os
import types
import typing

import yaml

from .core.errors import PratiqueError, unknown_name

# Flash's fine-tuning strategies (tasks/finetune.py), here so that the CLI lists them without torch
FINETUNE_STRATEGIES = ("no_freeze", "freeze", "freeze_unfreeze", "unfreeze_milestones", "features")
TASKS = ("classify", "autoencoder")  # what `pratique train --task` trains


@dataclasses.dataclass
class TrainConfig:
    """Everything `pratique train` needs; `config.yaml` in each run directory is one of these."""

    data: str = "mnist5k"  # a dataset name, a class-folder tree, a CSV or a file list (.txt)
    model: str = "lenet5"
    pretrained: bool = False
    epochs: int = 5
    batch_size: int = 16
    lr: float = 3e-3
    optimizer: str = "adam"
    schedule: str | None = "onecycle"
    validation_split: float = 0.1
    image_size: int | None = None  # for image files; None: the data's most common size
    seed: int = 0
    accelerator: str = "auto"
    devices: int | str = 1  # processes per node ("auto": every device found)
    strategy: str = "auto"  # Lightning's data-parallel strategy: "auto", "ddp"... (no "fsdp")
    precision: str = "32"
    finetune_strategy: str = "freeze_unfreeze"  # used by `pratique finetune`
    resume: str | None = None  # a last.ckpt to continue from
    project: str = "runs"
    name: str = "train"
    exist_ok: bool = False
    num_nodes: int = 1  # machines, for multi-node data-parallel runs (torchrun / SLURM)
    skip_bad: bool = False  # leave out unreadable image files, listed in the run's skipped.csv
    task: str = "classify"  # or "autoencoder": reconstruction, anomaly scores (tasks/run_autoencoder.py)
    normal: int | str | None = None  # --task autoencoder on labelled data: the normal class

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """Build from a dict, rejecting unknown keys and values of the wrong type."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        hints = typing.get_type_hints(cls)
        for key, value in values.items():
            if key not in fields:
                raise unknown_name("config key", key, fields)
            _check_type(key, value, hints[key])
        return cls(**{k: (float(v) if hints[k] is float and isinstance(v, (int, str)) else v)
                      for k, v in values.items()})

    @classmethod
    def from_yaml(cls, path) -> TrainConfig:
        if not os.path.exists(path):
            raise FileNotFoundError(f"No config file at {path!r}.")
        try:
            with open(path) as f:
                values = yaml.safe_load(f) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise PratiqueError(f"{path!r} is not valid YAML: {e}. Expected key: value lines, "
                                "as in a run's config.yaml.") from None
        if not isinstance(values, dict):
            raise PratiqueError(f"{path!r} must hold a mapping of keys to values. Received: {type(values).__name__}.")
        return cls.from_dict(values)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def recipe(self, name: str) -> TrainConfig:
        """The config as a run's `config.yaml` stores it: `pratique train --config` on it repeats
        the run into a NEW directory, so exist_ok and resume are cleared and `name` is the base."""
        return dataclasses.replace(self, name=name, exist_ok=False, resume=None)


def _is_float_text(value) -> bool:
    # YAML 1.1 reads `lr: 3e-3` as the string "3e-3"; accept such spellings of floats
    if not isinstance(value, str):
        return False
    try:
        float(value)
        return True
    except ValueError:
        return False


def _check_type(key: str, value, hint) -> None:
    allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    allowed = tuple(type(None) if a is None else a for a in allowed)
    ok = any(
        (a is float and ((isinstance(value, (int, float)) and not isinstance(value, bool))
                         or _is_float_text(value)))
        or (a is int and isinstance(value, int) and not isinstance(value, bool))
        or (a not in (int, float) and isinstance(value, a))
        for a in allowed)
    if not ok:
        names = " or ".join("null" if a is type(None) else a.__name__ for a in allowed)
        raise PratiqueError(f"Config key {key!r} must be {names}. Received: {key}={value!r} "
                            f"({type(value).__name__}).")
