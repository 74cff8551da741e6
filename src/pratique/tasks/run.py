"""Whole runs as public functions: `train`, `finetune`, `lr_find`, `evaluate` (the CLI's commands)."""
from __future__ import annotations

import csv
import dataclasses
import inspect
import io
import json
import os

from ..config import TrainConfig
from ..core.errors import PratiqueError
from ..core.io import atomic_write
from ..core.seed import seed_everything
from ..data.datasets import dataset_info, load_data
from ..data.sources import folder_layout
from ..models.registry import get_model_card
from ..training.callbacks import CSVLogger, ModelCheckpoint, TensorBoard
from ..training.resume import ResumeCheckpoint, load_resume_state
from ._resume_config import given_keys, resume_config
from ._run_dir import create_run_dir, run_lock
from .classifier import ImageClassifier
from .run_series import is_series_spec, prepare_series

__all__ = ["RunData", "backbone_stats", "evaluate", "finetune", "lr_find", "resolve_data",
           "train"]

_FILE_SUFFIXES = (".csv", ".txt")
MAX_IMAGE_SIZE = 4096  # a 4096 x 4096 RGB image is 50 MB decoded; 30000 would be 2.7 GB, each


@dataclasses.dataclass
class RunData:
    """What a run trains and evaluates on, whatever `--data` named.

    `train` and `test` are `(x, y)` numpy arrays (named datasets) or an `ImageData` (files).
    """

    train: object
    test: object
    classes: list[str] | None
    num_classes: int
    in_channels: int
    points: bool = False  # (N, D) feature vectors (spiral, xor...), not images

    def fit_inputs(self, validation_split: float) -> dict:
        if isinstance(self.train, tuple):
            return {"x": self.train[0], "y": self.train[1], "validation_split": validation_split}
        return {"x": self.train}  # an ImageData holds its own validation split

    def eval_inputs(self) -> tuple:
        return self.test if isinstance(self.test, tuple) else (self.test,)


def resolve_data(spec: str, image_size: int | None = None, batch_size: int = 32,
                 validation_split: float = 0.1, seed: int = 0, skip_bad: bool = False,
                 normalize=True, color_mode: str | None = None) -> RunData:
    """Turn `--data` into a `RunData`: a dataset name, a class-folder tree, a CSV or a file list.

    Args:
        spec: "mnist5k" (see `pratique datasets`), "pets/" (pets/<class>/*.jpg), "labels.csv"
            (columns path,label) or "files.txt" (lines `path,label`).
        image_size: resize image files to this size (None: their most common size).
        batch_size: images per batch, when the data are built from files.
        validation_split: fraction of the files held out for validation.
        seed: seed of the split and the shuffling of files.
        skip_bad: leave out unreadable image files (listed in `RunData.train.skipped`).
        normalize: for image files, `ImageData`'s `normalize` (True: the training set's
            statistics; (mean, std): a pretrained backbone's).
        color_mode: for image files, "rgb" or "grayscale" (None: from the files).

    Example:
        >>> resolve_data("mnist5k").num_classes
        10
    """
    if not _looks_like_path(spec):
        info = dataset_info(spec)  # unknown names fail here, listing close matches
        (x, y), (xt, yt) = load_data(spec)
        classes = info["classes"]
        num_classes = len(classes) if classes else int(y.max()) + 1
        if x.ndim == 2:  # points: D features per sample
            return RunData((x, y), (xt, yt), classes, num_classes, x.shape[1], points=True)
        return RunData((x, y), (xt, yt), classes, num_classes, 1 if x.ndim == 3 else x.shape[-1])
    if not os.path.exists(spec):
        raise FileNotFoundError(
            f"--data {spec!r}: no such file or folder. Expected a dataset name (see `pratique "
            "datasets`), a folder of class subfolders, a CSV of path,label or a .txt file list.")
    val_split = validation_split or None
    if os.path.isdir(spec):  # data/{train,val,test}/<class>/: val/ replaces the split (Ultralytics)
        layout = folder_layout(spec)
        val_split = None if "val" in layout else val_split
        if "val" in layout or "test" in layout:
            print("; ".join(f"{k}: {v}" for k, v in layout.items()))
    data = _image_data(spec, {"val_split": val_split, "batch_size": batch_size,
                              "seed": seed, "image_size": image_size, "skip_bad": skip_bad,
                              "normalize": normalize, "color_mode": color_mode})
    shape = data.preprocessing.get("input_shape") or [3]
    return RunData(data, data, list(data.classes), data.num_classes, int(shape[0]))


def _looks_like_path(spec: str) -> bool:
    return os.sep in spec or "/" in spec or spec.lower().endswith(_FILE_SUFFIXES) or os.path.exists(spec)


def _image_data(spec: str, options: dict):
    from ..data.module import ImageData

    if os.path.isdir(spec):
        return ImageData.from_folders(spec, **options)
    if spec.lower().endswith(".csv"):
        with open(spec, newline="") as f:
            header = next(csv.reader(f), [])
        if len(header) < 2:
            raise PratiqueError(f"{spec!r} needs a header with a path column and a label column, "
                                f"like `path,label`. Received header: {header}")
        path_col = next((c for c in header if c.lower() in ("path", "file", "image", "filename")), header[0])
        targets = [c for c in header if c != path_col]
        return ImageData.from_csv(spec, path_col, targets[0] if len(targets) == 1 else targets, **options)
    if spec.lower().endswith(".txt"):
        files, labels = _read_file_list(spec)
        return ImageData.from_files(files, labels, **options)
    raise PratiqueError(f"--data {spec!r} is a file but not a .csv or .txt file list. Expected a "
                        "dataset name, a folder, a CSV (path,label) or a .txt file of `path,label` lines.")


def _read_file_list(path: str) -> tuple[list[str], list[str]]:
    root, files, labels = os.path.dirname(path), [], []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.strip().rsplit(",", 1)
            if len(parts) != 2:
                raise PratiqueError(f"{path}:{n}: expected `path,label`. Received: {line.strip()!r}")
            files.append(os.path.join(root, parts[0].strip()))
            labels.append(parts[1].strip())
    return files, labels


def _check(config: TrainConfig) -> None:
    """Validate names and numbers before any work (and before a run directory exists)."""
    get_model_card(config.model)
    if config.epochs < 1 or config.batch_size < 1:
        raise PratiqueError(f"epochs and batch_size must be >= 1. Received: epochs={config.epochs}, "
                            f"batch_size={config.batch_size}")
    if config.image_size is not None and not 1 <= config.image_size <= MAX_IMAGE_SIZE:
        raise PratiqueError(f"image_size must be 1..{MAX_IMAGE_SIZE} pixels a side. Received: "
                            f"image_size={config.image_size}. Resize to what the model takes "
                            "(224 for ImageNet models, 28 for the LeNets).")
    if config.normal is not None and config.task != "autoencoder":
        raise PratiqueError(f"--normal names the normal class of an anomaly detector. Received: --normal "
                            f"{config.normal!r} with --task {config.task}. Add --task autoencoder.")
    devices = str(config.devices)
    if not (devices == "auto" or devices.lstrip("-").replace(",", "").isdigit()) or devices == "0":
        raise PratiqueError(f"devices must be a number of devices (1, 2...), 'auto', -1 (all) or "
                            f"device ids like '0,1'. Received: devices={config.devices!r}")
    # a missing last.ckpt with its .prev beside it (killed during rotation): load_checkpoint
    # falls back to .prev with a warning
    resume = config.resume
    if resume and not (os.path.isfile(resume) or os.path.isfile(f"{resume}.prev")):
        raise FileNotFoundError(f"--resume {resume!r}: no such checkpoint (nor {resume}.prev). "
                                "Expected a last.ckpt written by a run, like runs/train/last.ckpt.")


_POINT_MODELS = ("mlp", "perceptron")  # models that take a flat vector of features


def _points_model(config: TrainConfig, data: RunData) -> TrainConfig:
    """Point datasets (spiral, xor...: (N, 2) arrays) train an MLP: the default model (a conv
    net) becomes `mlp`; a conv net asked for by name is a user error."""
    if not data.points or config.model in _POINT_MODELS:
        return config
    if config.model != TrainConfig().model:
        raise PratiqueError(
            f"--data {config.data!r} holds 2-D points, not images, and {config.model!r} takes "
            f"images. Use --model mlp (or perceptron), or `pratique lab regions` to see decision "
            "regions on these points.")
    print(f"{config.data} holds 2-D points: training an mlp (pass --model mlp to say so)")
    return dataclasses.replace(config, model="mlp")


def _size_kwargs(name: str, data: RunData) -> dict:
    """`input_size` for builders that take one, when the data's images (or points) differ from
    the model's design size (LeNet-5 on the 32x32 shapes, an mlp on 64x64 photos or points)."""
    if data.points:
        return {"input_size": 1}  # (N, D) points: D inputs to the first layer
    card = get_model_card(name)
    if "input_size" not in inspect.signature(card.fn).parameters:
        return {}  # builders without one adapt (global pooling) or take their design size
    if isinstance(data.train, tuple):
        size = int(data.train[0].shape[1])  # (N, H, W) or (N, H, W, C)
    else:  # an ImageData: (C, H, W) after resizing
        size = int((data.train.preprocessing.get("input_shape") or card.input_size)[-1])
    return {"input_size": size} if size != card.input_size[-1] else {}


def _build(config: TrainConfig, data: RunData) -> ImageClassifier:
    model = ImageClassifier(config.model, num_classes=data.num_classes, in_channels=data.in_channels,
                            pretrained=config.pretrained, seed=config.seed,
                            **_size_kwargs(config.model, data))
    if data.points:
        model.input_shape = (data.in_channels,)
    model.accelerator, model.devices = config.accelerator, config.devices
    model.strategy, model.num_nodes = config.strategy, config.num_nodes  # read by compile's Fabric
    model.classes = data.classes
    # a NaN/inf loss stops the run with an error naming epoch and batch; last.ckpt stays good
    model.compile(optimizer=config.optimizer, lr=config.lr, schedule=config.schedule,
                  terminate_on_nan=True,
                  precision=config.precision)
    if isinstance(data.train, tuple) and not data.points:  # points come centred, unit scale
        stats = backbone_stats(config, data.in_channels)
        if stats is None:
            model.adapt_normalization(data.train[0])
        else:  # pretrained weights expect their own statistics, not the dataset's
            model.preprocessing["mean"], model.preprocessing["std"] = stats
    return model


def backbone_stats(config: TrainConfig, channels: int | None = None):
    """(mean, std) the pretrained weights were trained with (ImageNet's, or the backbone's own),
    when `config.pretrained` and they fit `channels`; else None (the dataset's are used)."""
    if not config.pretrained:
        return None
    pre = get_model_card(config.model).preprocessing
    mean, std = pre.get("mean"), pre.get("std")
    if mean is None or std is None:
        return None
    if channels is not None and len(mean) != channels:
        print(f"{config.model}'s pretrained statistics are for {len(mean)} channels and the data "
              f"has {channels}: normalizing with the data's own statistics")
        return None
    return [float(v) for v in mean], [float(v) for v in std]


def _run_dir(config: TrainConfig) -> tuple[str, str]:
    """(run directory, base name): a resumed run continues in its checkpoint's directory."""
    if config.resume:  # its config is the checkpoint's (_resume_config.py), name included
        return os.path.dirname(config.resume) or ".", config.name
    return create_run_dir(config.project, config.name, config.exist_ok), config.name


def _write_skipped(run_dir: str, skipped: list[dict]) -> None:
    """skipped.csv (path, reason): the record that `skip_bad` owes the user; written even when
    empty, so a run made with skip_bad shows it skipped nothing."""
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["path", "reason"])
    writer.writerows([s["path"], s["reason"]] for s in skipped)
    path = os.path.join(run_dir, "skipped.csv")
    atomic_write(path, lambda f: f.write(rows.getvalue().encode()))
    if skipped:
        print(f"skipped {len(skipped)} unreadable files; listed in {path}")


def _callbacks(run_dir: str, config: TrainConfig) -> list:
    hparams = {k: v for k, v in config.to_dict().items() if k not in ("project", "name", "exist_ok", "resume")}
    return [CSVLogger(os.path.join(run_dir, "metrics.csv"), append=bool(config.resume)),
            TensorBoard(run_dir, histogram_freq=1, hparams=hparams, update_freq=50),  # batch/loss every 50
            ModelCheckpoint(os.path.join(run_dir, "best.pratique"), monitor="val_accuracy",
                            save_best_only=True),
            ResumeCheckpoint(os.path.join(run_dir, "last.ckpt"))]  # exact resume + SIGINT/SIGTERM


def train(config: TrainConfig | None = None, **overrides) -> dict:
    """Train a model as `pratique train` does and write its run directory.

    The run directory holds config.yaml (run `pratique train --config` on it to repeat the run in
    a new directory), metrics.csv, TensorBoard events, best.pratique, last.ckpt and curves.png.
    With `resume="runs/x/last.ckpt"` the run continues from the saved epoch in runs/x.
    With `skip_bad=True` unreadable image files are left out and listed in skipped.csv.
    Returns {"run_dir", "history", "test": {...}, "model"}.

    Example:
        >>> result = train(model="lenet5", data="mnist5k", epochs=5)
        >>> result["test"]["accuracy"]
    """
    return _run(config, overrides, "train")


def finetune(config: TrainConfig | None = None, **overrides) -> dict:
    """Fine-tune (`pratique finetune`): like `train`, through `model.finetune(data, epochs,
    strategy=config.finetune_strategy)`, e.g. "freeze", "freeze_unfreeze", "no_freeze".

    Example:
        >>> finetune(model="resnet18", pretrained=True, data="pets/", epochs=3, finetune_strategy="freeze")
    """
    return _run(config, overrides, "finetune")


def _run(config, overrides: dict, mode: str) -> dict:
    given = given_keys(config, overrides)
    config = TrainConfig.from_dict({**(config.to_dict() if config else {}), **overrides})
    _check(config)
    if mode == "finetune" and config.resume:
        raise PratiqueError("--resume continues a `pratique train` run; finetune starts afresh. "
                            "Drop --resume, or use `pratique train --resume`.")
    if config.task == "autoencoder":  # fit on normal data, anomaly scores (run_autoencoder.py)
        if mode != "train":
            raise PratiqueError(f"--task autoencoder trains with `pratique train`. Received: {mode}.")
        from .run_autoencoder import train_autoencoder

        return train_autoencoder(config, given, _run_dir)
    state = None
    if config.resume:  # loaded safely now; its config is the run's; fit restores it exactly
        state = load_resume_state(config.resume)
        config = resume_config(config, given, state)
    if is_series_spec(config.data):  # series: a 1-D model, SeriesData (run_series.py)
        config, data, build = prepare_series(config, given)
    else:
        stats = backbone_stats(config)  # image files for a pretrained backbone: its stats, its RGB
        data = resolve_data(config.data, config.image_size, config.batch_size, config.validation_split,
                            config.seed, config.skip_bad, normalize=stats or True,
                            color_mode="rgb" if stats and len(stats[0]) == 3 else None)
        config, build = _points_model(config, data), _build
    seed_everything(config.seed)
    model = build(config, data)
    fabric = model._trainer.fabric  # data-parallel: one run directory, rank 0 names and writes it
    zero = fabric.is_global_zero
    run_dir, name = fabric.broadcast(_run_dir(config) if zero else None)
    with run_lock(run_dir if zero else None):  # one writer per folder, for the run's life
        return _train_in(run_dir, name, config, data, model, state, mode)


def _train_in(run_dir: str, name: str, config, data: RunData, model, state, mode: str) -> dict:
    zero = model._trainer.fabric.is_global_zero
    model.run_config = config.recipe(name).to_dict()  # in every last.ckpt: what a resume runs with
    if zero:
        os.makedirs(run_dir, exist_ok=True)
        recipe = config.recipe(name).to_yaml().encode()
        atomic_write(os.path.join(run_dir, "config.yaml"), lambda f: f.write(recipe))
        if config.skip_bad:
            _write_skipped(run_dir, getattr(data.train, "skipped", []))
        print(f"run directory: {run_dir}")
    fit_kwargs = dict(epochs=config.epochs, batch_size=config.batch_size, seed=config.seed,
                      callbacks=_callbacks(run_dir, config),
                      **data.fit_inputs(config.validation_split))
    if mode == "finetune":
        x, y = fit_kwargs.pop("x"), fit_kwargs.pop("y", None)
        history = model.finetune(x if y is None else (x, y), strategy=config.finetune_strategy,
                                 **fit_kwargs)
    else:
        # the file actually read (last.ckpt, or .prev after damage): read again without a warning
        resume_from = state["_loaded_from"] if state else None
        history = model.fit(resume_from=resume_from, **fit_kwargs)
    # report.json/.md, confusion_matrix.csv/.png, class_scores.png, top_losses.png
    test = model.evaluate(*data.eval_inputs(), verbose=0, return_dict=True,
                          report=run_dir if zero else False)
    test["timing"] = dict(history.timing)  # seconds per epoch, images/s, the features pass
    if zero:
        from ..reports.curves import plot_history, save_figure
        from ..reports.evaluation import write_report

        write_report(test, run_dir)  # report.json/.md again, with the timings

        save_figure(plot_history(history), os.path.join(run_dir, "curves.png"))
        print(f"held-out accuracy: {test['accuracy']:.4f}")
    return {"run_dir": run_dir, "history": history, "test": test, "model": model}


def lr_find(config: TrainConfig | None = None, plot: str | None = "lr_find.png", **overrides):
    """The learning-rate range test (`pratique lr-find`) on the config's model and data.

    Returns the model's `lr_find` result (with `.suggestion`); `plot` is where the curve goes.

    Example:
        >>> lr_find(model="mlp", data="mnist5k").suggestion
    """
    config = TrainConfig.from_dict({**(config.to_dict() if config else {}), **overrides})
    _check(config)
    data = resolve_data(config.data, config.image_size, config.batch_size, config.validation_split,
                        config.seed)
    config = _points_model(config, data)
    seed_everything(config.seed)
    model = _build(config, data)
    x = data.train if not isinstance(data.train, tuple) else data.train[0]
    y = data.train[1] if isinstance(data.train, tuple) else None
    return model.lr_find(x, y, batch_size=config.batch_size, plot=plot)


def evaluate(model, data: str = "mnist5k", batch_size: int = 256, out: str | None = None,
             report=False) -> dict:
    """Loss and accuracy of a saved model on the held-out split of `data` (`pratique evaluate`).

    Args:
        model: a `.pratique` file or a loaded `Model`.
        data: as `--data`: a dataset name (its test split), or a folder, a CSV or a file list
            (every image in it); a folder holding train/, val/ and test/ subfolders: its test/
            (else val/) folder.
        batch_size: images per batch.
        out: write the metrics as JSON here.
        report: True adds per-class scores and the confusion matrix to the result (as
            `Model.evaluate(report=True)`); a folder also writes report.json, report.md,
            confusion_matrix.csv and the PNGs there.

    Example:
        >>> evaluate("runs/train/best.pratique", "mnist5k")["accuracy"]
    """
    from .model import load

    model = load(model) if isinstance(model, (str, os.PathLike)) else model
    if _looks_like_path(data):  # every image of the folder/CSV/list, prepared as the model's inputs
        from ._eval_files import eval_files

        inputs, num_classes = eval_files(model, data, batch_size, _image_data)
    else:
        resolved = resolve_data(data, batch_size=batch_size)
        inputs, num_classes = resolved.eval_inputs(), resolved.num_classes
    n = getattr(model, "num_classes", None)
    if n is not None and n != num_classes:
        raise PratiqueError(f"The model predicts {n} classes but {data!r} has "
                            f"{num_classes}. Evaluate it on the data it was trained for.")
    if model.loss_fn is None:
        model.compile(loss="cross_entropy", metrics=["accuracy"])
    if report and report is not True:
        os.makedirs(report, exist_ok=True)
    logs = model.evaluate(*inputs, batch_size=batch_size, verbose=0, return_dict=True, report=report)
    if out:
        atomic_write(out, lambda f: f.write(json.dumps(logs, indent=2).encode()))
    return logs
