"""SeriesData: 1-D signals as train/val/test splits of (N, C, L), normalized, augmented, batched.

The same shape as `ImageData` (`train_batches`, `val_batches`, `eval_batches`, `preprocessing`,
`classes`, `batch_size`), so `Model.fit / evaluate`, `ImageClassifier` and `finetune` take it
as they take images. Normalization goes through the one `Preprocessing` (kind "series") and is
saved with the model, so `predict` on raw arrays normalizes them the same way.
"""
from __future__ import annotations

import os

import numpy as np
import torch

from ..core.errors import PratiqueError, unknown_name
from ..core.suggest import SuggestAttributes
from . import _series_build as build
from . import _series_files as files
from ._series_arrays import as_series, targets
from ._series_augment import SeriesBatch, augment_spec
from ._splits import SplitBatches
from .loaders import InMemoryBatches
from .preprocess import Preprocessing, mark_model_input
from .windows import sliding_windows


class SeriesData(SplitBatches, SuggestAttributes):
    """Labelled (or unlabelled) series, float32 (N, C, L) in torch's Conv1d layout, as batches.

    Build it with `from_numpy`, `named`, `from_csv`, `from_folders` or `from_series` (sliding
    windows). Options common to all: batch_size (32), normalize ("channel": per-channel mean/std
    of the training split; "series": each series z-scored over its own steps; None), augment
    (None, "standard", a list of "jitter", "scaling", "time_shift", "window_warp" or a dict
    {name: strength}; training batches only), seed (0: the val split and the augmentation),
    classes (names for integer labels). Targets are class labels (int or str), float values
    (regression, forecasts: `target == "values"`) or, with no labels, the inputs themselves
    (autoencoders: `target == "inputs"`). Series of different lengths are padded to the longest
    with 0 after normalization; `mask(split)` and `lengths[split]` tell the real steps.

    Example:
        >>> data = SeriesData.named("gunpoint", batch_size=16, augment="standard")
        >>> model = pq.Model(net).compile(loss="cross_entropy", metrics=["accuracy"])
        >>> model.fit(data, epochs=20); model.evaluate(data)
    """

    def __init__(self, splits: dict, masks: dict, target: str, classes, options: dict,
                 preprocessing: dict, window: int | None = None, horizon: int | None = None):
        self.splits = splits  # split -> (x float32 (N, C, L), y or None); NaN: padding kept for augmentation
        self.masks = masks  # split -> bool (N, L): True where a step holds a value
        self.lengths = {k: m.sum(-1) for k, m in masks.items()}
        self.target, self.classes, self.multi_label = target, classes, False
        self.options, self.preprocessing = options, preprocessing
        self.batch_size, self.seed = options["batch_size"], options["seed"]
        self.spec = augment_spec(options["augment"])
        self.input_shape = tuple(preprocessing["input_shape"])  # (C, L)
        self.window, self.horizon = window, horizon

    # -- constructors: thin adapters over `_build` ---------------------------------------------
    @classmethod
    def from_numpy(cls, x, y=None, val_split=0.2, test=None, layout: str = "auto", **options):
        """Series (N, C, L), Keras' (N, L, C) (told apart when unambiguous, else `layout=` "ncl"
        or "nlc" decides), (N, L) or a list of series of different lengths; y class labels,
        float targets or None; `test=(x_test, y_test)` a test split."""
        xs, ys = {"train": as_series(x, layout)}, {"train": y}
        if test is not None:
            xt, ys["test"] = _pair(test)
            xs["test"] = as_series(xt, layout, "test x", channels=xs["train"].shape[1])
        return cls._build(xs, ys, {**options, "val_split": val_split})

    from_tensors = from_numpy

    @classmethod
    def named(cls, name: str, root=None, download: bool = False, val_split=0.2, **options):
        """A registered series dataset ("gunpoint", "italypowerdemand", "basicmotions"); its
        bundled test split is the test split."""
        from .datasets import dataset_info, list_datasets, load_data

        info = dataset_info(name)
        if info["kind"] != "series":
            series = [n for n in list_datasets() if dataset_info(n)["kind"] == "series"]
            if info["kind"] in ("forecast", "anomaly"):
                raise PratiqueError(f"{name!r} is one long series (kind {info['kind']!r}), not a set of labelled "
                                    f"series. Use SeriesData.from_series(load_data({name!r})[0][0], window=...).")
            raise unknown_name("series dataset", name, series)
        (x, y), test = load_data(name, root=root, download=download)
        options.setdefault("classes", info["classes"])
        return cls.from_numpy(x, y, val_split=val_split, test=test, **options)

    @classmethod
    def from_csv(cls, path, label_column=0, val_split=0.2, test=None, **options):
        """A CSV of one series per row: a label column (name, index, or None) and the values
        (UCR's layout; empty trailing cells make a row shorter). A folder: `from_folders`.
        `test`: a CSV of the same form for the test split."""
        if os.path.isdir(path):
            return cls.from_folders(path, val_split=val_split, **options)
        x, y = files.read_rows(path, label_column)
        if test is not None:
            test = files.read_rows(test, label_column)
        return cls.from_numpy(x, y, val_split=val_split, test=test, layout="ncl", **options)

    @classmethod
    def from_folders(cls, root, val_split=None, **options):
        """One CSV file per series (rows = time steps, columns = channels, header optional) in
        class folders `root/<class>/*.csv`, or `root/train|val|test/<class>/`. val_split
        (default 0.2) applies when there is no val folder."""
        series, labels = files.read_folders(root)
        channels = None
        xs = {}
        for k, v in series.items():
            xs[k] = as_series(v, "ncl", f"{k} series in {os.fspath(root)!r}", channels=channels)
            channels = channels or xs[k].shape[1]
        if "val" not in xs and val_split is None:
            val_split = 0.2
        return cls._build(xs, labels, {**options, "val_split": val_split})

    @classmethod
    def from_series(cls, series, window: int, horizon: int = 0, stride: int = 1, val_split=0.2,
                    test=None, layout: str = "auto", **options):
        """Sliding windows over one long series (L,) or (C, L): inputs of `window` steps; with
        `horizon` > 0 the targets are the next `horizon` values (forecasting, in the series'
        units), with 0 the inputs (autoencoders). The val split is the series' last `val_split`
        (its windows' targets all come after the training part); `test`: a later series."""
        s, flat = _one_series(series, layout, "series"), np.ndim(series) == 1  # flat: targets (N, horizon)
        if horizon and options.get("normalize", build.OPTIONS["normalize"]) == "series":
            raise PratiqueError("normalize='series' scales each window by its own mean/std, which the "
                                "forecast targets (raw values after the window) do not follow. Pass "
                                "normalize='channel' (the training part's stats) or None.")
        parts = {"train": s}
        if val_split:
            build.check_val_split(val_split)
            cut = s.shape[1] - round(s.shape[1] * val_split)
            parts = {"train": s[:, :cut], "val": s[:, max(cut - window, 0) if horizon else cut:]}
        if test is not None:
            parts["test"] = _one_series(test, layout, "test", channels=s.shape[1])
        xs, ys = {}, {}
        for k, part in parts.items():
            if part.shape[1] < window + horizon:
                raise PratiqueError(f"The {k} part of the series has {part.shape[1]} steps; one window needs "
                                    f"window + horizon = {window + horizon}. Pass a smaller window or "
                                    f"val_split (now {val_split}), or a longer series.")
            x, y = sliding_windows(part[0].numpy() if flat else part.numpy(), window, horizon, stride)
            xs[k], ys[k] = torch.from_numpy(x), y
        return cls._build(xs, ys, {**options, "val_split": None}, parts["train"][None], window, horizon)

    # -- the one loader --------------------------------------------------------------------------
    @classmethod
    def _build(cls, xs: dict, ys: dict, options: dict, fit_on=None, window=None, horizon=None):
        options = build.check_options(options)
        for k, x in xs.items():
            if ys.get(k) is not None and len(ys[k]) != len(x):
                raise PratiqueError(f"{k} x has {len(x)} series but {len(ys[k])} labels. Pass one label per series.")
            if x.shape[1] != xs["train"].shape[1]:
                raise PratiqueError(f"{k} series have {x.shape[1]} channels but train series have "
                                    f"{xs['train'].shape[1]}. Every split needs the same channels.")
        target, ys, classes = targets({k: ys.get(k) for k in xs}, options["classes"])
        xs, ys = build.val_split(xs, ys, options["val_split"], options["seed"], target)
        length = max(x.shape[-1] for x in xs.values())  # every split padded to the longest
        xs = {k: build.pad_to(xs[k], length) for k in ("train", "val", "test") if k in xs}
        masks = {k: ~torch.isnan(x).any(1) for k, x in xs.items()}
        pre = build.preprocessing(xs["train"] if fit_on is None else fit_on, options["normalize"], length)
        build.check_augment(augment_spec(options["augment"]), target, bool((~masks["train"]).any()))
        norm = Preprocessing(pre)
        splits = {}
        for k, x in xs.items():
            xn = norm.series(x, layout="ncl")  # the path predict takes on raw arrays
            if k == "train" and augment_spec(options["augment"]) and not masks[k].all():
                xn = xn.masked_fill(~masks[k][:, None, :], float("nan"))  # padding, kept through augmentation
            splits[k] = (xn, ys[k])
        return cls(splits, masks, target, classes, options, pre, window, horizon)

    # -- what the training side uses -------------------------------------------------------------
    @property
    def num_classes(self) -> int | None:
        return len(self.classes) if self.classes is not None else None

    def mask(self, split: str = "train") -> torch.Tensor:
        """bool (N, L) of a split, in its order: True where a series has a step, False on padding."""
        return self.masks[split]

    def _batches(self, split: str, train: bool, seed: int | None = None):
        x, y = self.splits[split]
        pipe = SeriesBatch(self.spec if train else None, self.target == "inputs")
        return InMemoryBatches(x, y, self.batch_size, shuffle=train, seed=seed or 0, batch_transform=pipe)

    def __len__(self) -> int:
        return len(self.splits["train"][0])

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v[0])}" for k, v in self.splits.items())
        return (f"SeriesData({sizes}, target={self.target!r}, classes={self.num_classes}, "
                f"input_shape={list(self.input_shape)}, normalize={self.options['normalize']!r})")


def series_for_prediction(x, preprocessing: dict, layout: str = "auto") -> torch.Tensor:
    """Raw series as the model was trained on them: float32 (N, C, L), normalized with the saved
    statistics (`model.predict` recognizes it and does not normalize it again). `layout` settles
    (N, A, B) arrays whose length equals their channel count.

    Example:
        >>> x = series_for_prediction(x_keras, model.preprocessing, layout="nlc")
        >>> model.predict(x)
    """
    return mark_model_input(Preprocessing(preprocessing).series(as_series(x, layout), layout="ncl"))


def _pair(test):
    if isinstance(test, (tuple, list)) and len(test) == 2:
        return test
    raise PratiqueError(f"test must be a pair (x_test, y_test). Received: {type(test).__name__}.")


def _one_series(series, layout: str, what: str, channels=None) -> torch.Tensor:
    """(C, L) of one long series given as (L,), (C, L) or (L, C)."""
    a = np.asarray(series)
    if a.ndim not in (1, 2):
        raise PratiqueError(f"{what} must be one series (length,), (channels, length) or (length, channels). "
                            f"Received shape {a.shape}. For many series, use SeriesData.from_numpy.")
    return as_series(a[None], layout, what, channels=channels)[0]
