"""The settings of a resumed run (`pratique train --resume`): the checkpoint's, not the flags'.

Every `last.ckpt` a run writes carries the run's config (`run_config`, covered by the
checkpoint's digest). Resuming trains on with exactly those settings: a flag that would change
what the run learns (batch size, validation split, lr, data, seed...) is refused, naming it;
only where and how long it trains may change (`FREE`). `config.yaml` is a copy for people; if it
was edited since, the resume stops and says what differs rather than guess which one is meant.
"""
from __future__ import annotations

import dataclasses
import os
import warnings

from ..config import TrainConfig
from ..core.errors import PratiqueError

# where and how long the run trains, not what it learns: a resume may change these
FREE = ("epochs", "resume", "accelerator", "devices", "strategy", "num_nodes")


def given_keys(config: TrainConfig | None, overrides: dict) -> set[str]:
    """The keys the caller set: every override, and the fields of `config` not at their default."""
    default = TrainConfig()
    keys = set(overrides)
    if config is not None:
        keys |= {f.name for f in dataclasses.fields(TrainConfig)
                 if getattr(config, f.name) != getattr(default, f.name)}
    return keys


def resume_config(config: TrainConfig, given: set[str], state: dict) -> TrainConfig:
    """The config the resume runs with: the checkpoint's, with the `FREE` keys the caller gave.

    Raises before anything is written when a given flag conflicts with the checkpoint, when
    `config.yaml` beside it was edited, or when a scheduled run is asked for other epochs.
    """
    path = config.resume
    yaml_path = os.path.join(os.path.dirname(path) or ".", "config.yaml")
    if state.get("run_config") is None:
        saved = _legacy(path, yaml_path)
    else:
        saved = TrainConfig.from_dict(state["run_config"])
        _check_yaml(yaml_path, saved)
    conflicts = [k for k in sorted(given - set(FREE)) if getattr(config, k) != getattr(saved, k)]
    if conflicts:
        flags = ", ".join(f"--{k.replace('_', '-')} {getattr(config, k)!r} (the run's: "
                          f"{getattr(saved, k)!r})" for k in conflicts)
        raise PratiqueError(
            f"--resume {path!r} continues a run with the settings it was started with; these "
            f"would change it: {flags}. Drop them (a resume may change only "
            f"{', '.join('--' + k.replace('_', '-') for k in FREE if k != 'resume')}), or start "
            f"a new run: pratique train --config {yaml_path} with your changes.")
    free = {k: getattr(config, k) for k in FREE if k in given or k == "resume"}
    resumed = dataclasses.replace(saved, **free)
    _check_epochs(path, saved, resumed, int(state.get("epoch", 0)))
    return resumed


def _check_yaml(yaml_path: str, saved: TrainConfig) -> None:
    if not os.path.exists(yaml_path):
        return  # rewritten from the checkpoint once the resume starts
    on_disk = TrainConfig.from_yaml(yaml_path)
    edited = [k for k in saved.to_dict() if k not in FREE
              and getattr(on_disk, k) != getattr(saved, k)]
    if edited:
        diff = ", ".join(f"{k}: {getattr(on_disk, k)!r} (checkpoint: {getattr(saved, k)!r})"
                         for k in edited)
        raise PratiqueError(
            f"{yaml_path!r} differs from the config stored in the checkpoint: {diff}. The "
            "checkpoint's values are those the run trained with. Put config.yaml back, or delete "
            "it (the resume writes it again from the checkpoint); to train with other settings, "
            "start a new run: pratique train --config <edited yaml>.")


def _legacy(path: str, yaml_path: str) -> TrainConfig:
    """A checkpoint from before run configs were stored: config.yaml is all there is."""
    if not os.path.exists(yaml_path):
        raise PratiqueError(
            f"{path!r} was written by an older pratique and carries no run config, and "
            f"{yaml_path!r} is missing, so the run's settings are unknown. Put the run's "
            "config.yaml back beside the checkpoint; defaults are not guessed.")
    warnings.warn(f"{path!r} carries no run config (older pratique): resuming with the settings "
                  f"of {yaml_path!r}.", stacklevel=3)
    return TrainConfig.from_yaml(yaml_path)


def _check_epochs(path: str, saved: TrainConfig, resumed: TrainConfig, done: int) -> None:
    if done > resumed.epochs:
        raise PratiqueError(f"{path!r} has already trained {done} epochs, more than "
                            f"--epochs {resumed.epochs}. Pass --epochs {done} or more.")
    if resumed.schedule and resumed.epochs != saved.epochs:
        raise PratiqueError(
            f"--epochs {resumed.epochs}: {path!r} comes from a run of epochs={saved.epochs} with "
            f"a {saved.schedule!r} learning-rate schedule over all of them, which cannot be "
            f"stretched. Resume without --epochs, or start a new run from its weights.")
