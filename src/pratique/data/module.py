"""ImageData: splits, class names, normalization stats and batches, from any kind of input."""
from __future__ import annotations

import os

import numpy as np
import torch

from ..core.errors import PratiqueError
from ..core.suggest import SuggestAttributes
from . import _flash, _prepared, _stats
from . import cache as _cache
from . import sources as src
from ._options import check_options as _check_options
from ._splits import SplitBatches
from .datasets import stratified_split
from .decode import _GRAY_MODES
from .loaders import Fetcher, InMemoryBatches, StreamingBatches
from .preprocess import Preprocessing
from .transforms import IMAGENET_MEAN, IMAGENET_STD, BatchPipeline, augment_spec


class ImageData(SplitBatches, SuggestAttributes):
    """Train/val/test splits of labelled images (or feature vectors), ready as batches.

    Build it with a `from_*` constructor or `named`. Options common to all of them:
    image_size (int or (H, W); default the most common file size), color_mode ("rgb",
    "grayscale"; default from the data), batch_size (32), augment (None, "standard", "strong" or a
    dict of Keras ImageDataGenerator arguments), normalize (True: exact per-channel stats of the
    training set; "imagenet"; False; or (mean, std)), seed (0), num_workers (streaming workers),
    val_split (fraction of train held out, stratified), sampler ("weighted" for imbalanced data),
    skip_bad (skip unreadable files and record them in `.skipped`), check (run the file check),
    memory_budget (bytes under which decoded images are kept in memory), classes (names),
    cache ("disk": image files decoded once into a file reused by later epochs and runs, the
    default for files; "memory": decoded once per run, the default otherwise; None:
    decoded every epoch), cache_max_bytes (the most the cache may hold: default 10 GiB on disk,
    memory_budget in memory), cache_dir (default $PRATIQUE_CACHE_DIR or ~/.cache/pratique/images),
    verbose (0: print nothing; 1: the decoding progress bar and the cache's notes).

    Example:
        >>> data = ImageData.from_folders("pets/", val_split=0.2, image_size=224, augment="standard")
        >>> data.num_classes, data.classes
        >>> for x, y in data.train_batches(): ...
    """

    cache_info = None  # what the decoded-image cache did (data/cache.py), set by the constructors

    def __init__(self, splits: dict, classes: list[str], multi_label: bool, options: dict,
                 report=None, skipped=()):
        self.splits = splits  # split -> (x: uint8/float tensor or Fetcher, y: tensor)
        self.classes, self.multi_label = list(classes), multi_label
        self.options, self.report, self.skipped = options, report, list(skipped)
        self.batch_size, self.seed = options["batch_size"], options["seed"]
        self.spec = augment_spec(options["augment"])
        self.preprocessing = self._preprocessing()

    # -- constructors: thin adapters over `_build` ---------------------------------------------
    @classmethod
    def from_folders(cls, train_folder, val_folder=None, test_folder=None, val_split=None, **options):
        """Class folders: `train_folder/<class>/*.jpg`, or one root holding train/, val|valid|
        validation/ and test/ subfolders, with optional separate val/test folders."""
        layout = src.folder_layout(train_folder)
        if val_folder is not None:
            layout["val"] = os.fspath(val_folder)
        if test_folder is not None:
            layout["test"] = os.fspath(test_folder)
        paths, labels, empty, others = {}, {}, [], []
        for split, folder in layout.items():
            paths[split], labels[split], e, o = src.list_class_folders(folder)
            empty += [f"{split}/{c}" for c in e]
            others += o
        classes = sorted(set(labels["train"]) | {c.split("/", 1)[1] for c in empty if c.startswith("train/")})
        options.setdefault("classes", classes)
        return cls._build(paths, labels, {**options, "val_split": val_split}, "files", (empty, others))

    @classmethod
    def from_files(cls, files=None, labels=None, val_split=None, predict_files=None, **options):
        """A list of image files and their labels (a name/int each, or a list of them: multi-label).
        `predict_files` (Flash's): files for `model.predict(data)`, kept as `data.predict_files`;
        given alone, the result is just those files (a `PredictFiles`)."""
        if predict_files is not None:
            return _flash.with_predict_files(cls.from_files(files, labels, val_split, **options)
                                             if files is not None else None, predict_files)
        files = [os.fspath(f) for f in files]
        if len(files) != len(labels):
            raise PratiqueError(f"files and labels must have the same length. Received {len(files)} "
                                f"files and {len(labels)} labels.")
        missing = [f for f in files if not os.path.exists(f)]
        if missing and not (options.get("skip_bad") and options.get("check", True)):
            # with skip_bad the file check leaves them out and records them (like unreadable files)
            raise PratiqueError(f"{len(missing)} of {len(files)} files do not exist: {missing[:10]}. "
                                "Fix the paths, or pass skip_bad=True (CLI: --skip-bad) to leave "
                                "them out (they are recorded).")
        return cls._build({"train": files}, {"train": list(labels)}, {**options, "val_split": val_split}, "files")

    @classmethod
    def from_csv(cls, path, input_field: str, target_fields, root=None, val_split=None, **options):
        """A CSV of image paths (relative to `root`, default the CSV's folder) and targets; several
        `target_fields` (0/1 columns) make multi-label data."""
        files, labels = src.read_csv(path, input_field, target_fields, root)
        if not isinstance(target_fields, str):
            options.setdefault("classes", list(target_fields))
        return cls.from_files(files, labels, val_split=val_split, **options)

    @classmethod
    def from_numpy(cls, x, y, validation_data=None, test_data=None, val_split=None, **options):
        """Arrays: images (N, H, W), (N, H, W, C) or (N, C, H, W), uint8 or float in [0, 1], or
        feature vectors (N, D); y class indices (N,) or multi-hot (N, K)."""
        xs, ys = {}, {}
        for split, pair in (("train", (x, y)), ("val", validation_data), ("test", test_data)):
            if pair is not None:
                xs[split], ys[split] = src.check_arrays(*pair, what="x" if split == "train" else f"{split} x")
        return cls._build(xs, ys, {**options, "val_split": val_split}, "tensors")

    from_tensors = from_numpy

    @classmethod
    def from_dataset(cls, dataset, val_dataset=None, test_dataset=None, val_split=None, **options):
        """Any map-style torch `Dataset` yielding `(image, label)` (PIL image, array or tensor).

        Integer labels are class indices (as torchvision's): the dataset's `classes` attribute,
        when it has one, names them, and labels outside 0..len(classes)-1 are errors. Float
        tensor images (the output of a `ToTensor()`/`Normalize()` transform) are model inputs
        and are kept exactly (no scaling, normalization, resizing or channel change)."""
        dss = {"train": dataset, "val": val_dataset, "test": test_dataset}
        dss = {k: v for k, v in dss.items() if v is not None}
        labels = {k: src.dataset_labels(v) for k, v in dss.items()}
        if getattr(dataset, "classes", None) is not None:
            options.setdefault("classes", [str(c) for c in dataset.classes])
        if src.are_indices(labels["train"]):
            labels = {k: src.as_indices(v, k) for k, v in labels.items()}
        kind = "dataset"
        if _prepared.is_prepared(dataset):  # already model inputs: kept exactly as they are
            options, kind = _prepared.check_options(dataset, _flash.transform_options(options)), "prepared"
        return cls._build(dss, labels, {**options, "val_split": val_split}, kind)

    @classmethod
    def from_datasets(cls, train_dataset, val_dataset=None, test_dataset=None, val_split=None, **options):
        """Flash's name for `from_dataset`, with Flash's argument names."""
        return cls.from_dataset(train_dataset, val_dataset, test_dataset, val_split, **options)

    @classmethod
    def named(cls, name: str, root=None, download: bool = False, **options):
        """A registered dataset (`pratique datasets`): e.g. "mnist5k", "cifar10", "shapes"."""
        from .datasets import cifar100_classes, dataset_info, load_data

        info = dataset_info(name)
        (x, y), test = load_data(name, root=root, download=download)
        classes = info["classes"] or (cifar100_classes(root) if name == "cifar100" else None)
        options.setdefault("classes", classes)
        return cls.from_numpy(x, y, test_data=test, **options)

    # -- the one loader --------------------------------------------------------------------------
    @classmethod
    def _build(cls, xs: dict, raw_labels: dict, options: dict, kind: str, found=((), ())):
        options = _check_options({"cache": "disk" if kind == "files" else "memory", **options})
        _cache.check_options(options, kind)
        if isinstance(raw_labels["train"], torch.Tensor):  # arrays, or a Dataset's integer labels
            classes, ys, multi = _tensor_labels(raw_labels, options["classes"])
        else:
            classes, ys, multi = src.encode_labels(raw_labels, options["classes"])
        xs, ys = _val_split(xs, ys, options["val_split"], options["seed"], multi)
        report, skipped, disk = None, [], None
        if kind == "files" and options["cache"] == "disk":
            disk = _cache.DiskCache.open(xs, options)  # also: the check skips files unchanged since it ran
        if kind == "files" and options["check"]:
            xs, ys, report, skipped = _check_files(xs, ys, classes, found, options["skip_bad"])
        elif len(classes) < 2:
            raise PratiqueError(f"Training data has {len(classes)} class(es) {classes}; a classifier needs at least 2.")
        if kind == "tensors":
            xs = {k: _shape_tensor(v, options) for k, v in xs.items()}
            _check_same_shape(xs)
        info = None
        if kind == "prepared":
            xs, info = _cache.materialize(xs, options, kind)
        elif kind != "tensors":
            _auto_size_and_mode(options, report, xs)
            names = _label_names(xs, ys, classes, multi) if isinstance(disk, _cache.DiskCache) else None
            xs, info = _cache.materialize(xs, options, kind, disk, names)
        data = cls({k: (xs[k], ys[k]) for k in xs}, classes, multi, options, report, skipped)
        data.cache_info = info  # {"cache", "path", "hit", "images", "bytes", "seconds"} or None
        return data

    # -- what the training side uses -------------------------------------------------------------
    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def class_weights(self, kind: str = "balanced") -> torch.Tensor:
        """Per-class loss weights n / (K * count_k) from the training labels (float32, (K,))."""
        if kind != "balanced":
            raise PratiqueError(f"class_weight must be 'balanced'. Received: {kind!r}")
        counts = self.class_counts("train").clamp(min=1).double()
        return (counts.sum() / (len(counts) * counts)).float()

    def class_counts(self, split: str = "train") -> torch.Tensor:
        y = self.splits[split][1]
        return y.sum(0).long() if self.multi_label else torch.bincount(y, minlength=self.num_classes)

    def show_batch(self, path=None, n: int = 16, split: str = "train"):
        """A grid of `n` images after augmentation, with labels; saved as PNG when `path` is given."""
        from ._show import show_batch

        return show_batch(self, path, n, split)

    def _pipeline(self, train: bool) -> BatchPipeline:
        pre = self.preprocessing
        return BatchPipeline(self.spec if train else None, pre.get("mean"), pre.get("std"),
                             self.num_classes, self.multi_label)

    def _batches(self, split: str, train: bool, seed: int | None = None):
        x, y = self.splits[split]
        weights = None
        if train and self.options["sampler"] == "weighted":
            weights = (1.0 / self.class_counts().clamp(min=1).double())[y] if not self.multi_label else None
        pipe = self._pipeline(train)
        if isinstance(x, Fetcher):
            return StreamingBatches(x, y, self.batch_size, train, seed, pipe,
                                    _workers(self.options), weights, drop_last=False)
        return InMemoryBatches(x, y, self.batch_size, shuffle=train, seed=seed or 0,
                               batch_transform=pipe, weights=weights)

    def _preprocessing(self) -> dict:
        x = self.splits["train"][0]
        norm = self.options["normalize"]
        mean = std = None
        if norm is True or norm == "dataset":
            mean, std = self._train_stats(x)
        elif norm == "imagenet":
            mean, std = IMAGENET_MEAN, IMAGENET_STD
        elif isinstance(norm, (tuple, list)) and len(norm) == 2:
            mean, std = [float(v) for v in norm[0]], [float(v) for v in norm[1]]
        if isinstance(x, torch.Tensor) and x.dim() == 2:
            return {"kind": "features", "input_shape": [x.shape[1]], "mean": mean, "std": std}
        shape = list(x.shape[1:]) if isinstance(x, torch.Tensor) else [
            1 if x.color_mode == "grayscale" else 3, *x.size]
        if mean is not None and len(mean) != shape[0]:
            raise PratiqueError(f"normalize gives {len(mean)} channel means but images have {shape[0]} "
                                "channels. Pass color_mode='rgb' or stats for each channel.")
        return {"kind": "image", "image_size": shape[1:], "color_mode": "grayscale" if shape[0] == 1 else "rgb",
                "input_shape": shape, "mean": mean, "std": std}

    def _train_stats(self, x):
        if isinstance(x, torch.Tensor) and x.dim() == 2:
            return _stats.feature_stats(x)
        if isinstance(x, torch.Tensor):
            return _stats.channel_stats(x[i:i + 1024] for i in range(0, len(x), 1024))
        return _stats.channel_stats(b for b, _ in StreamingBatches(x, None, 64, num_workers=_workers(self.options)))

    def __len__(self) -> int:
        return len(self.splits["train"][1])

    def _repr_html_(self) -> str:
        """Splits as a table and one labelled training image per class, for Jupyter."""
        from ._html import image_data_html

        return image_data_html(self)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v[1])}" for k, v in self.splits.items())
        return (f"ImageData({sizes}, classes={self.num_classes}, multi_label={self.multi_label}, "
                f"input_shape={self.preprocessing.get('input_shape')})")


def _tensor_labels(ys: dict, classes):
    multi = ys["train"].dim() == 2
    k = ys["train"].shape[1] if multi else int(ys["train"].max()) + 1 if len(ys["train"]) else 0
    classes = list(classes) if classes is not None else [str(i) for i in range(k)]
    for split, y in ys.items():
        if multi and y.shape[1] != len(classes):
            raise PratiqueError(f"{split} multi-hot labels have {y.shape[1]} columns; expected {len(classes)}.")
        src.check_label_range(y, len(classes), split)
    if not multi and len(classes) >= 2 and len(torch.unique(ys["train"])) < 2:
        raise PratiqueError(f"Training labels hold a single class ({int(ys['train'][0])}); a classifier needs at least 2.")
    return classes, ys, multi


def _val_split(xs, ys, val_split, seed, multi):
    if val_split is None:
        return xs, ys
    if "val" in xs:
        raise PratiqueError("Pass either val_split or validation data (a val folder), not both.")
    y = ys["train"]
    if multi:
        order = np.random.default_rng(seed).permutation(len(y))
        cut = round(len(y) * val_split)
        val_idx, train_idx = order[:cut], order[cut:]
    else:
        train_idx, val_idx = stratified_split(y.numpy(), val_split, seed)
    x = xs["train"]
    take = (lambda a, idx: a[torch.as_tensor(idx)]) if isinstance(x, torch.Tensor) else (
        lambda a, idx: [a[int(i)] for i in idx] if isinstance(a, list) else torch.utils.data.Subset(a, idx.tolist()))
    xs = {**xs, "train": take(x, train_idx), "val": take(x, val_idx)}
    ys = {**ys, "train": y[torch.as_tensor(train_idx)], "val": y[torch.as_tensor(val_idx)]}
    return xs, ys


def _check_files(xs, ys, classes, found, skip_bad):
    from .scan import _BAD_KINDS, scan

    empty, others = found
    report = scan({k: (xs[k], ys[k]) for k in xs}, classes, empty, others)
    bad = report.bad_files()
    other_errors = [i for i in report.errors if i.kind not in _BAD_KINDS]
    if other_errors or (bad and not skip_bad):
        listing = "\n".join(f"  {i.message}" for i in report.errors)
        hint = "Fix the folders listed (add images to each class; at least 2 classes)."
        if bad and not skip_bad:  # skip_bad helps with unreadable files only
            hint = ("Fix or remove the unreadable files, or pass skip_bad=True to skip them (they "
                    "are recorded)." + (" Also fix the folders listed." if other_errors else ""))
        raise PratiqueError(f"The data check found {len(report.errors)} errors:\n{listing}\n{hint}")
    skipped = [{"path": p, "reason": r} for p, r in bad.items()]
    for k in list(xs):
        keep = [i for i, p in enumerate(xs[k]) if p not in bad]
        xs[k], ys[k] = [xs[k][i] for i in keep], ys[k][torch.as_tensor(keep, dtype=torch.long)]
    return xs, ys, report, skipped


def _auto_size_and_mode(options, report, xs) -> None:
    from collections import Counter

    probes = []
    if report is not None:
        from .scan import probe

        probes = [probe(p) for p in xs["train"][:2000]]  # cached: no second decode
        probes = [p for p in probes if p["ok"]]
    if options["color_mode"] is None:
        gray = probes and all(p["mode"] in _GRAY_MODES for p in probes)
        options["color_mode"] = "grayscale" if gray else "rgb"
    if options["image_size"] is None:
        if not probes:
            raise PratiqueError("image_size is needed for this data (e.g. image_size=224).")
        w, h = Counter(tuple(p["size"]) for p in probes).most_common(1)[0][0]
        options["image_size"] = (h, w)


def _label_names(xs: dict, ys: dict, classes, multi: bool) -> dict:
    """{absolute path: class name (or names)}, for the cache's manifest."""
    names = {}
    for k, paths in xs.items():
        for p, y in zip(paths, ys[k].tolist()):
            names[os.path.abspath(p)] = [c for c, v in zip(classes, y) if v] if multi else classes[y]
    return names


def _shape_tensor(x: torch.Tensor, options) -> torch.Tensor:
    if x.dim() == 2:
        if augment_spec(options["augment"]) != augment_spec(None):
            raise PratiqueError("augment applies to images; these are feature vectors (N, D).")
        return x.float()
    x = Preprocessing({"color_mode": options["color_mode"], "image_size": options["image_size"]}).convert(x)
    return x.contiguous()


def _check_same_shape(xs: dict) -> None:
    want = tuple(xs["train"].shape[1:])
    for split, x in xs.items():
        if tuple(x.shape[1:]) != want:
            raise PratiqueError(f"{split} x has samples of shape {tuple(x.shape[1:])} but train x has "
                                f"{want} ((C, H, W) for images). Pass arrays of one shape, or "
                                "image_size=(H, W) and color_mode= to resize and convert all splits alike.")


_workers = _cache.workers
