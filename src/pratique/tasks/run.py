"""`train(config)`: the whole `pratique train` run, as one public function."""
from __future__ import annotations

import os

from .._errors import PratiqueError
from .._seed import seed_everything
from ..config import TrainConfig
from ..data.datasets import dataset_info, load_data
from ..models.registry import get_model_card
from ..training.callbacks import CSVLogger, ModelCheckpoint, TensorBoard
from ..training.checkpoint import atomic_write
from ..training.resume import ResumeCheckpoint
from .classifier import ImageClassifier


def next_run_dir(project: str, name: str, exist_ok: bool = False) -> str:
    """`project/name`, or `name2`, `name3`... when it exists (Ultralytics' rule); never reused
    unless `exist_ok`, so nothing a previous run wrote is overwritten."""
    path = os.path.join(project, name)
    if exist_ok:
        return path
    n = 2
    while os.path.exists(path):
        path = os.path.join(project, f"{name}{n}")
        n += 1
    return path


def train(config: TrainConfig | None = None, **overrides) -> dict:
    """Train a model as `pratique train` does and write its run directory.

    The run directory holds config.yaml, metrics.csv, TensorBoard events, best.pratique,
    last.ckpt, curves.png and the held-out evaluation (report.json, report.md,
    confusion_matrix.png, ...). Returns {"run_dir", "history", "test": {...}, "model"}.

    Example:
        >>> result = train(model="lenet5", data="mnist5k", epochs=5)
        >>> result["test"]["accuracy"]
    """
    config = TrainConfig.from_dict({**(config.to_dict() if config else {}), **overrides})
    info = dataset_info(config.data)  # unknown names fail here, before any work
    get_model_card(config.model)
    if config.epochs < 1 or config.batch_size < 1:
        raise PratiqueError(f"epochs and batch_size must be >= 1. Received: epochs={config.epochs}, "
                            f"batch_size={config.batch_size}")
    seed_everything(config.seed)
    (x, y), (xt, yt) = load_data(config.data)
    in_channels = 1 if x.ndim == 3 else x.shape[-1]
    num_classes = len(info["classes"]) if info["classes"] else int(y.max()) + 1
    model = ImageClassifier(config.model, num_classes=num_classes, in_channels=in_channels,
                            pretrained=config.pretrained, seed=config.seed)
    model.classes = info["classes"]
    model.devices, model.strategy, model.num_nodes = config.devices, config.strategy, config.num_nodes
    model.compile(optimizer=config.optimizer, lr=config.lr, schedule=config.schedule)
    model.adapt_normalization(x)

    fabric = model._trainer.fabric  # data-parallel: one run directory, rank 0 names and writes it
    zero = fabric.is_global_zero
    run_dir = fabric.broadcast(next_run_dir(config.project, config.name, config.exist_ok) if zero else None)
    if zero:
        os.makedirs(run_dir, exist_ok=True)
        atomic_write(os.path.join(run_dir, "config.yaml"), lambda f: f.write(config.to_yaml().encode()))
        print(f"run directory: {run_dir}")
    callbacks = [
        CSVLogger(os.path.join(run_dir, "metrics.csv")),
        TensorBoard(run_dir, histogram_freq=1, hparams={k: v for k, v in config.to_dict().items()
                                                        if k not in ("project", "name", "exist_ok")}),
        ModelCheckpoint(os.path.join(run_dir, "best.pratique"), monitor="val_accuracy",
                        save_best_only=True),
        ResumeCheckpoint(os.path.join(run_dir, "last.ckpt")),  # exact resume + SIGINT/SIGTERM
    ]
    history = model.fit(x, y, epochs=config.epochs, batch_size=config.batch_size,
                        validation_split=config.validation_split, callbacks=callbacks, seed=config.seed)
    # report.json/.md, confusion_matrix.csv/.png, class_scores.png, top_losses.png
    test = model.evaluate(xt, yt, verbose=0, report=run_dir if zero else False)
    if zero:
        from ..reports.curves import plot_history, save_figure

        save_figure(plot_history(history), os.path.join(run_dir, "curves.png"))
        print(f"held-out accuracy: {test['accuracy']:.4f}")
    return {"run_dir": run_dir, "history": history, "test": test, "model": model}
