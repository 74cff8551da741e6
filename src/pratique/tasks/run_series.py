"""`pratique train` on series: a series dataset name, a folder of class folders of CSV series or a
CSV of one series per row becomes a `SeriesData`; the default model is `fcn` with its recipe."""
from __future__ import annotations

import dataclasses
import inspect
import os

from ..config import TrainConfig
from ..core.errors import PratiqueError
from ..data.datasets import dataset_info, list_datasets
from ..models.registry import MODELS, get_model_card

__all__ = ["is_series_spec", "prepare_series", "series_models"]

_RECIPE_KEYS = ("epochs", "batch_size", "optimizer", "lr", "schedule")  # TrainConfig fields a recipe sets
_NORMALIZE = {"per_series": "series", "per_channel": "channel"}  # recipe spelling -> SeriesData's
# what a long series of these kinds is for, and the command that trains on it
_ONE_SERIES = {"forecast": "forecasting: pq.Forecaster in Python (docs/signals.md)",
               "anomaly": "anomaly detection: `pratique train --task autoencoder --data {name}`"}


def series_models() -> list[str]:
    """The registered 1-D models (tag "series")."""
    return sorted(n for n, c in MODELS.items() if "series" in (c.tags or ()))


def is_series_spec(spec: str) -> bool:
    """True when `--data` names series: a dataset of kind series/forecast/anomaly, a folder whose
    class folders hold CSV files, or a CSV whose rows are numbers (not `path,label`)."""
    if spec in list_datasets():
        return dataset_info(spec)["kind"] in ("series", "forecast", "anomaly")
    if os.path.isdir(spec):
        return _folder_of_csv(spec)
    if os.path.isfile(spec) and spec.lower().endswith((".csv", ".tsv")):
        return _numeric_csv(spec)
    return False


def _folder_of_csv(root: str) -> bool:
    for sub in sorted(os.listdir(root)):
        path = os.path.join(root, sub)
        if not os.path.isdir(path):
            continue
        names = os.listdir(path)
        if any(n.lower().endswith((".csv", ".tsv")) for n in names):
            return True
        if sub in ("train", "val", "test"):  # root/train/<class>/*.csv
            return _folder_of_csv(path)
    return False


def _numeric_csv(path: str) -> bool:
    """A second line of numbers after its first cell (the label): series, not `path,label`."""
    with open(path, encoding="utf-8-sig") as f:
        lines = [line for line in (f.readline(), f.readline()) if line.strip()]
    cells = lines[-1].replace(";", ",").replace("\t", ",").split(",")[1:] if lines else []
    try:
        return len(cells) > 1 and all(float(c) == float(c) for c in cells if c.strip())
    except ValueError:
        return False


def prepare_series(config: TrainConfig, given: set[str]):
    """(config, RunData, build) for series: the model resolved (fcn and its recipe for the keys
    not given), the data as a `SeriesData`, and the function building the classifier."""
    from .run import RunData

    _refuse_one_series(config.data)
    config, normalize = _series_config(config, given)
    data = _series_data(config, normalize)
    shape = data.input_shape  # (C, L)
    run = RunData(data, data, list(data.classes), data.num_classes, int(shape[0]))
    print(f"{config.data}: {len(data)} training series of {shape[0]} x {shape[1]}, "
          f"{data.num_classes} classes; model {config.model}, {config.epochs} epochs, "
          f"normalize={normalize!r}")
    return config, run, _build_series


def _refuse_one_series(name: str) -> None:
    if name in list_datasets() and dataset_info(name)["kind"] in _ONE_SERIES:
        kind = dataset_info(name)["kind"]
        raise PratiqueError(f"--data {name!r} is one long series (kind {kind!r}), not labelled series to "
                            f"classify. Use it for {_ONE_SERIES[kind].format(name=name)}.")


def _series_config(config: TrainConfig, given: set[str]) -> tuple[TrainConfig, str | None]:
    """The config with a 1-D model: `fcn` when none was named (its recipe filling what was not
    given); an image model named on series is refused, listing the 1-D ones."""
    names = series_models()
    if "model" not in given:
        config = dataclasses.replace(config, model="fcn")
    elif config.model not in names:
        raise PratiqueError(f"--model {config.model!r} takes images, and --data {config.data!r} holds "
                            f"series. Use a 1-D model: {', '.join(names)} (or leave --model out: fcn).")
    recipe = get_model_card(config.model).recipe or get_model_card("fcn").recipe
    fill = {k: recipe[k] for k in _RECIPE_KEYS if k in recipe and k not in given}
    return dataclasses.replace(config, **fill), _NORMALIZE.get(recipe.get("normalize"), "series")


def _series_data(config: TrainConfig, normalize):
    from ..data.series import SeriesData

    options = {"batch_size": config.batch_size, "seed": config.seed, "normalize": normalize,
               "val_split": config.validation_split or None}
    spec = config.data
    if not os.path.exists(spec):
        return SeriesData.named(spec, **options)
    if os.path.isdir(spec):
        return SeriesData.from_folders(spec, **options)
    return SeriesData.from_csv(spec, **options)


def _build_series(config: TrainConfig, data):
    from .classifier import ImageClassifier

    card = get_model_card(config.model)
    kwargs = {}
    if "input_length" in inspect.signature(card.fn).parameters:  # cnn1d flattens: it needs L
        kwargs["input_length"] = int(data.train.input_shape[-1])
    model = ImageClassifier(config.model, num_classes=data.num_classes, in_channels=data.in_channels,
                            seed=config.seed, **kwargs)
    model.accelerator, model.devices = config.accelerator, config.devices
    model.strategy, model.num_nodes = config.strategy, config.num_nodes
    model.classes = data.classes
    model.compile(optimizer=config.optimizer, lr=config.lr, schedule=config.schedule,
                  terminate_on_nan=True, precision=config.precision)
    return model
