"""Model: Keras' compile / fit / evaluate / predict / summary / save over any `torch.nn.Module`."""
from __future__ import annotations

import contextlib
import time

import numpy as np
import torch
from torch import nn

from ..core.errors import PratiqueError
from ..core.io import atomic_write
from ..core.suggest import SuggestAttributes
from ..models.summary import Summary, summarize
from ..training import losses, optimizers, resume, schedules
from ..training import metrics as metrics_mod
from ..training._loss_checks import check_head
from ..training.callbacks import CallbackList, ProgbarLogger
from ..training.checkpoint import check_strategy, save_checkpoint
from ..training.grad_steps import check_accumulate, pop_clip
from ..training.trainer import Trainer, make_fabric
from . import _inputs
from ._artifact import read_model_file, write_model_file
from ._checks import (
    as_callbacks,
    check_image_data_fit,
    check_int,
    check_schedule_callbacks,
    check_validation_freq,
    check_verbose,
    steps_per_epoch_batches,
    warn_if_nothing_trains,
)
from ._compile import _build_optimizer, _group_lr, _learning_rate
from ._compiled import restore_compile, saved_compile, saved_settings
from ._embed import Embedding
from ._freeze import Freezing
from ._keras_batch import KerasBatchMethods
from ._recipes import Recipes
from ._weights_fit import check_state_fits, check_weights_fit


class Model(Embedding, Freezing, KerasBatchMethods, Recipes, SuggestAttributes):
    """Keras' lifecycle on a PyTorch module (kept as `.module`).

    Args:
        module: any `torch.nn.Module` mapping a batch of inputs to outputs.
        accelerator: "auto", "cpu", "cuda", "mps".
        devices: devices to use ("auto" or a number); with more than one, one process each.
        strategy: "auto", "ddp", ... (Lightning Fabric's data-parallel strategies; FSDP and
            DeepSpeed are refused until checkpoints support them); data-parallel fits split
            each global batch of `batch_size` over the processes (docs/distributed.md).
        num_nodes: machines taking part (multi-node, under torchrun or SLURM).

    Example:
        >>> model = Model(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)))
        >>> model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
        >>> history = model.fit(x_train, y_train, epochs=5, validation_split=0.1)
        >>> model.evaluate(x_test, y_test)
    """

    task = "model"  # in the manifest: pq.load rebuilds the same kind (ImageClassifier: "classifier")

    def __init__(self, module: nn.Module, accelerator: str = "auto", devices="auto",
                 strategy: str = "auto", num_nodes: int = 1):
        if not isinstance(module, nn.Module):
            raise PratiqueError(f"Model wraps a torch.nn.Module. Received: {type(module).__name__}. "
                                "Pass a module, or use ImageClassifier('lenet5') to build one by name.")
        check_strategy(strategy)  # FSDP / DeepSpeed: checkpoints would hold rank 0's shard only
        self.module = module
        self.accelerator, self.devices = accelerator, devices
        self.strategy, self.num_nodes = strategy, num_nodes
        self.architecture: dict | None = None  # {"name": ..., "kwargs": ...} when built by name
        self.classes: list[str] | None = None
        self.preprocessing: dict = {}
        self.input_shape: tuple | None = None
        self.optimizer = None
        self.loss_fn = None
        self.metrics: list = []
        self.history = None
        self.epoch = 0
        self.stop_training = False
        self.schedule: str | None = None
        self.scheduler = None
        self._trainer: Trainer | None = None
        self._compile_args: dict | None = None
        self.terminate_on_nan = False  # checked per batch only when True (training/trainer.py)

    # -- compile -------------------------------------------------------------------------------
    def compile(self, optimizer="adam", lr: float | None = None, loss="cross_entropy",
                metrics=None, precision: str = "32", schedule=None,
                compile: bool = False, terminate_on_nan: bool = False, **optimizer_kwargs) -> Model:
        """Choose the optimizer, loss and metrics (names or objects); returns the model.

        Args:
            optimizer: "adam", "sgd", "adamw", "rmsprop", "adagrad", "adadelta", an optimizer
                class or `functools.partial` (called with the parameters, `lr` when given and
                `**optimizer_kwargs`, as torch would), or an optimizer built on `module.parameters()`.
            lr: the learning rate (also `learning_rate=`, Keras' and Flash's name); Keras' default
                for a name (0.01 for "sgd", else 1e-3), the class's own default for a class or partial.
            loss: "cross_entropy", "nll", "hinge", "mse", "l1", "bce", "bce_with_logits", Keras'
                names ("sparse_categorical_crossentropy", ...: probabilities in, as in Keras), a
                callable, or `pq.losses.get(name, **kwargs)` (e.g. `from_logits=True`).
            metrics: names ("accuracy", "mae", "top5_accuracy", "f1", ...), Metric objects or
                functions `f(y_true, y_pred)`; none by default, as in Keras (ImageClassifier: accuracy).
            precision: "32", "bf16-mixed" or "16-mixed" (GPU).
            schedule: per-batch LR schedule: None, "cosine", "onecycle", "step", "warmup", or
                `pq.schedules.get(name, **kwargs)`.
            compile: run the module through `torch.compile` for training (opt-in; the first
                batches pay the compilation).
            terminate_on_nan: stop before the update when the loss is NaN/inf, with an error
                naming the epoch and batch (the TerminateOnNaN callback stops quietly instead).
            **optimizer_kwargs: e.g. momentum=0.9, nesterov=True, weight_decay=1e-4;
                use_ema=True, ema_momentum=0.99 keep Keras' EMA of the weights (training/ema.py);
                Keras' clipnorm= (each parameter's gradient), global_clipnorm= (all together)
                or clipvalue= clip the gradients before each step (training/grad_steps.py).
        """
        settings = {k: v for k, v in optimizer_kwargs.items() if k != "learning_rate"}  # for the manifest
        self.gradient_clip = pop_clip(optimizer_kwargs)
        optimizers.check_name(optimizer)
        lr = _learning_rate(lr, optimizer_kwargs)
        self.schedule = schedules.get(schedule)
        self.terminate_on_nan = bool(terminate_on_nan)
        self.loss_fn = losses.get(loss)
        self._loss_name = loss if isinstance(loss, str) else None
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            metrics = [metrics]  # as Keras: metrics="accuracy" is one metric, not 8 letters
        self.metrics = [metrics_mod.get(m) for m in (metrics or ())]
        metrics_mod.bind(self.metrics, self.loss_fn)  # logits or probabilities; accuracy on a regression fails here
        check_head(self.module, self.loss_fn)  # a softmax before cross_entropy warns (once)
        self.optimizer = _build_optimizer(optimizer, self.module, lr, optimizer_kwargs)
        self._trainer = Trainer(make_fabric(self.accelerator, self.devices, precision,
                                                self.strategy, self.num_nodes))
        self._compiled = torch.compile(self.module) if compile else None
        self._compile_args = {"optimizer": optimizer if isinstance(optimizer, str) else None,
                              "lr": _group_lr(self.optimizer, lr), "loss": self.loss_fn.name,
                              "precision": precision, **saved_compile(self.loss_fn, metrics),
                              **saved_settings(settings, schedule, terminate_on_nan)}
        return self

    def _require_compiled(self, action: str) -> Trainer:
        if self._trainer is None:
            raise PratiqueError(f"The model must be compiled before {action}. Call "
                                "model.compile(optimizer='adam', loss='cross_entropy', metrics=['accuracy']) first.")
        return self._trainer

    # -- fit / evaluate / predict --------------------------------------------------------------
    def fit(self, x, y=None, epochs: int = 1, batch_size: int | None = None, validation_data=None,
            validation_split: float = 0.0, callbacks=None, shuffle: bool = True, verbose: int = 1,
            seed: int | None = None, initial_epoch: int = 0, class_weight=None, resume_from=None,
            validation_batch_size: int | None = None, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_freq=1, accumulate_grad_batches: int = 1):
        """Train for `epochs`; returns a `History` whose `.history` holds per-epoch lists.

        `x` may be a numpy array, a tensor, a tuple `(x, y)` or an `ImageData`. uint8 images are
        scaled to [0, 1]; (N, H, W) gets a channel axis. `validation_split` holds out the last
        fraction of the data (before shuffling), as Keras does. `seed` fixes the shuffling and
        dropout of this fit (torch, numpy and Python's random) and restores the global random
        state afterwards. `verbose`: 0 silent, 1 progress bar (one line per epoch when stdout
        is not a terminal), 2 one line per epoch. `class_weight`: a dict {class: weight} or
        "balanced" (n_samples / (n_classes * count)); it weights each sample's loss by its
        class, summed and divided by the batch size, as Keras does (torch's `weight=` divides by
        the sum of the weights instead: pass `pq.losses.get("cross_entropy",
        class_weight=...)` as the loss for that). `resume_from` (a
        `last.ckpt`) continues an interrupted fit exactly where it stopped: pass the same data
        and arguments as the first run. `validation_batch_size` (default: `batch_size`, as
        Keras) batches the validation data. `steps_per_epoch` cuts epochs of that many
        batches (an epoch continues where the last stopped, as in Keras 3);
        `validation_steps` validates on the first that many batches. `validation_freq` (Keras):
        validate every N-th epoch (an int), or at the epochs (from 1) of a list.
        `accumulate_grad_batches` (Lightning's) adds up the gradients of that many batches before
        each step.
        """
        accumulate = check_accumulate(accumulate_grad_batches)
        trainer = self._require_compiled("fit")
        check_int("epochs", epochs, 1)
        resume_state = None  # loaded now: a bad file fails before any work (training/resume.py)
        if resume_from is not None:
            resume_state = resume.load_resume_state(resume_from)
        callbacks = as_callbacks(callbacks)
        x, validation_data = _inputs.as_source(x, validation_data)  # a DataLoader; Keras' generators
        check_schedule_callbacks(self.schedule, callbacks)
        if validation_steps is not None:
            check_int("validation_steps", validation_steps, 1)
        check_validation_freq(validation_freq)
        if hasattr(x, "train_batches"):
            check_image_data_fit(x, y, batch_size, validation_data, validation_split, validation_batch_size)
        batch_size = 32 if batch_size is None else batch_size
        val_size = batch_size if validation_batch_size is None else validation_batch_size
        train, val = self._fit_batches(x, y, batch_size, validation_data, validation_split, shuffle, seed,
                                       val_size)
        if getattr(self, "_frozen_part", None) is not None:  # finetune's frozen epochs (tasks/_frozen.py)
            train, val = self._frozen_part.batches(self, train, val)
        warn_if_nothing_trains(self.module)
        if steps_per_epoch is not None:
            train = steps_per_epoch_batches(train, steps_per_epoch, resume_from)
        if verbose:
            callbacks.append(ProgbarLogger(verbose))
        per_epoch = -(-len(train) // accumulate)  # optimizer steps: the schedule counts these
        self.scheduler = None if self.optimizer is None else schedules.build(
            self.schedule, self.optimizer, (epochs - initial_epoch) * per_epoch, per_epoch)
        loss_fn = self.loss_fn
        if class_weight is not None:
            self.loss_fn = self._weighted_loss(class_weight, train)
        try:
            with _seeded(seed):
                self.history = trainer.fit(self, train, epochs, val, callbacks, initial_epoch, accumulate,
                                           verbose, validation_steps, validation_freq, resume_state)
        finally:
            self.loss_fn = loss_fn
            if self.scheduler is not None:  # the next fit starts from the compiled rates again
                for g in self.optimizer.param_groups:
                    g["lr"] = g.get("initial_lr", g["lr"])
        return self.history

    def _weighted_loss(self, class_weight, train):
        from ..training.class_weight import compute_class_weight, keras_weighted

        if self._loss_name not in ("cross_entropy", "nll"):
            raise PratiqueError("class_weight needs a named classification loss ('cross_entropy' or "
                                f"'nll'). Received loss={self._loss_name or 'a callable'}; weight "
                                "your own loss instead.")
        weights = compute_class_weight(class_weight, getattr(train, "y", None))
        return keras_weighted(self.loss_fn, weights)  # Keras' weighting, not torch's weight=

    def _fit_batches(self, x, y, batch_size, validation_data, validation_split, shuffle, seed,
                     val_size: int | None = None):
        if hasattr(x, "train_batches"):  # an ImageData
            self.classes = list(x.classes) if x.classes is not None else self.classes
            self.preprocessing = dict(getattr(x, "preprocessing", {}))
            if self.preprocessing.get("input_shape"):
                self.input_shape = tuple(self.preprocessing["input_shape"])
            return x.train_batches(seed=seed), x.val_batches()
        x, y = _inputs.as_xy(x, y, self)
        if y is None:
            raise PratiqueError("fit needs targets: pass y, a tuple (x, y) or an ImageData.")
        if not 0.0 <= validation_split < 1.0:
            raise PratiqueError(f"validation_split must be in [0, 1). Received: {validation_split!r}")
        self._remember_inputs(x)
        val_size = batch_size if val_size is None else val_size
        val = None
        if validation_data is not None:
            xv, yv = _inputs.as_xy(validation_data, None, self, what="validation_data")
            val = _inputs.batches(xv, yv, val_size, preprocessing=self.preprocessing)
        elif validation_split:
            cut = _inputs.validation_cut(len(x), validation_split)
            x, y, xv, yv = x[:cut], y[:cut], x[cut:], y[cut:]
            val = _inputs.batches(xv, yv, val_size, preprocessing=self.preprocessing)
        return _inputs.batches(x, y, batch_size, shuffle, seed, self.preprocessing), val

    def adapt_normalization(self, x) -> Model:
        """Compute exact per-channel mean/std of `x` (like Keras' `Normalization.adapt`); every
        later fit/evaluate/predict normalizes with them, and `save` stores them in the manifest."""
        x, _ = _inputs.as_xy(x, None, self)
        self.preprocessing["mean"], self.preprocessing["std"] = _inputs.channel_stats(x)
        return self

    def _remember_inputs(self, x: torch.Tensor) -> None:
        self.input_shape = tuple(x.shape[1:])
        self.preprocessing.setdefault("input_shape", list(self.input_shape))
        self.preprocessing.setdefault("scale", 1 / 255 if x.dtype == torch.uint8 else 1.0)

    def evaluate(self, x, y=None, batch_size: int = 256, verbose: int = 1, report=False,
                 callbacks=None, return_dict: bool = False, steps: int | None = None,
                 split: str | None = None):
        """Mean loss and metrics on held-out data, as Keras returns them: the loss alone with no
        metrics, else the list `[loss, *metrics]` in compile order (`test_loss, test_acc =
        model.evaluate(x, y)`); with `return_dict=True` a dict `{"loss": ..., "accuracy": ...}`.

        `x` may be arrays, a tuple `(x, y)` or an `ImageData` (its test split, else its
        validation split; `split="train"`, `"val"` or `"test"` picks one, unaugmented).
        `steps` evaluates the first `steps` batches only (Keras). `callbacks` (a Callback or a
        list) get Keras' on_test_begin/end and on_test_batch_begin/end.
        `report=True` returns the evaluation report instead (a dict: loss, metrics, top-k,
        per-class P/R/F1, confusion matrix, see `pratique.reports.evaluation_report`);
        `report="dir"` also writes it there with its PNGs."""
        trainer = self._require_compiled("evaluate")
        if steps is not None:
            check_int("steps", steps, 1)
        x = _inputs.as_source(x)[0]
        batches = self._eval_batches(x, y, batch_size, split)
        cbs = self._callback_list(callbacks, {"epochs": 1, "verbose": verbose,
                                              "steps": _count(batches, steps)})
        logs = trainer.evaluate(self, batches, cbs, steps=steps)
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if report:
            from ..reports.model_report import report_model

            return report_model(self, batches, logs, None if report is True else report)
        if return_dict:
            return logs
        values = list(logs.values())  # loss first, then each metric in compile order
        return values[0] if len(values) == 1 else values

    def _eval_batches(self, x, y, batch_size, split):
        if hasattr(x, "eval_batches"):  # an ImageData: its test split, else its validation split
            batches = x.eval_batches(split) if split is not None else x.eval_batches()
            if batches is None:
                raise PratiqueError("This ImageData has neither a test nor a validation split to "
                                    "evaluate on. Build it with val_split=0.2 or a test folder, "
                                    "or pass split='train'.")
            return batches
        if split is not None:
            raise PratiqueError(f"split= picks a split of an ImageData. Received split={split!r} with "
                                f"{type(x).__name__} inputs. Pass the arrays of that split instead.")
        x, y = _inputs.as_xy(x, y, self)
        if y is None:
            raise PratiqueError("evaluate needs targets: pass y, a tuple (x, y) or an ImageData.")
        return _inputs.batches(x, y, batch_size, preprocessing=self.preprocessing)

    def predict(self, x, batch_size: int = 256, callbacks=None, verbose=0) -> np.ndarray:
        """The module's outputs (e.g. logits) for `x`, as a numpy array.

        `callbacks` (a Callback or a list) get Keras' on_predict_begin/end and
        on_predict_batch_begin/end (whose logs hold the batch's `outputs`). `verbose`: 0 silent
        (the default here; Keras' "auto" shows a bar), 1, 2 or "auto" print one line when done,
        `4/4 - 0.0s - 2ms/step`, as Keras' finished bar reads."""
        check_verbose(verbose)
        cbs = self._callback_list(callbacks)  # a wrong callback fails before any work
        trainer = self._trainer or Trainer(make_fabric(self.accelerator, self.devices, "32",
                                                                 self.strategy, self.num_nodes))
        x, _ = _inputs.as_xy(_inputs.one_input(x, "predict"), None, self)
        batches = _inputs.batches(x, None, batch_size, preprocessing=self.preprocessing)
        if cbs is not None:
            cbs.set_params({"epochs": 1, "steps": len(batches), "verbose": verbose})
        t0 = time.perf_counter()
        out = trainer.predict(self.module, batches, cbs, owner=self).numpy()
        _print_steps(verbose, len(batches), t0)
        return out

    def _callback_list(self, callbacks, params=None) -> CallbackList | None:
        """The CallbackList for an evaluate or predict call; None (no hook calls) without callbacks."""
        callbacks = as_callbacks(callbacks)
        if not callbacks:
            return None
        return CallbackList(callbacks, self, params)

    # -- inspection ----------------------------------------------------------------------------
    def summary(self, input_shape=None, print_fn=print) -> Summary:
        """Print a Keras-style table of layers, output shapes and parameter counts; return it."""
        shape = tuple(input_shape) if input_shape is not None else self.input_shape
        result = summarize(self.module, shape)
        if print_fn is not None:
            print_fn(str(result))
        return result

    def count_params(self) -> int:
        return sum(p.numel() for p in self.module.parameters())

    # -- persistence ---------------------------------------------------------------------------
    def manifest(self) -> dict:
        return {"task": self.task, "architecture": self.architecture, "classes": self.classes,
                "preprocessing": self.preprocessing,
                "input_shape": list(self.input_shape) if self.input_shape else None,
                "compile": self._compile_args,
                "metrics": {k: v[-1] for k, v in self.history.history.items()} if self.history else {}}

    def save(self, path) -> None:
        """Save to a `.pratique` file (weights as safetensors + a JSON manifest), atomically."""
        write_model_file(path, self.module.state_dict(), self.manifest())

    def save_weights(self, path) -> None:
        """Save only the weights, as a `.safetensors` file, atomically."""
        from safetensors.torch import save

        state = {k: v.detach().cpu().contiguous() for k, v in self.module.state_dict().items()}
        atomic_write(path, lambda f: f.write(save(state)))

    def save_checkpoint(self, path, extra: dict | None = None) -> None:
        """A training checkpoint for `fit(..., resume_from=path)`; atomic, previous kept as .prev."""
        save_checkpoint({**resume.capture_now(self, self._trainer), **(extra or {})}, path)

    def load_checkpoint(self, path) -> dict:
        """Load weights, optimizer, scheduler and epoch from a checkpoint (safely); returns it."""
        state = resume.load_resume_state(path)
        resume.restore_state(self, state)
        return state


def _count(batches, steps: int | None) -> int | None:
    """How many batches an evaluate runs (Keras' `params["steps"]`): None when unknown."""
    n = len(batches) if hasattr(batches, "__len__") else None
    return steps if n is None else min(n, steps or n)


def _print_steps(verbose, steps: int, t0: float) -> None:
    """predict's one line when verbose: Keras' last progress-bar line, without the bar."""
    if verbose:
        took = time.perf_counter() - t0
        print(f"{steps}/{steps} - {took:.1f}s - {1000 * took / max(steps, 1):.0f}ms/step", flush=True)


@contextlib.contextmanager
def _seeded(seed: int | None):
    if seed is None:
        yield
        return
    import random

    py_state, np_state = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=None if torch.cuda.is_available() else []):
            torch.manual_seed(seed)
            random.seed(seed)
            np.random.seed(seed % 2**32)
            yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)


def _load_strict(module: nn.Module, state: dict, path) -> None:
    """Load every tensor or none: report missing, unexpected and mis-shaped keys together."""
    own = module.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [f"{k}: file {tuple(state[k].shape)} vs model {tuple(v.shape)}"
              for k, v in own.items() if k in state and state[k].shape != v.shape]
    if missing or unexpected or shapes:
        raise PratiqueError(
            f"Weights in {str(path)!r} do not match the model: missing keys {missing[:10]}, "
            f"unexpected keys {unexpected[:10]}, shape mismatches {shapes[:10]}. Pass the module "
            "the file was saved from.")
    module.load_state_dict(state, strict=True)


def load(path, module: nn.Module | None = None) -> Model:
    """Load a `.pratique` file. Models built by name are rebuilt from the manifest; for any other
    module pass an instance of it as `module` and its weights are loaded strictly."""
    state, manifest = read_model_file(path)
    arch = manifest.get("architecture")
    if module is None and arch is None:
        raise PratiqueError(
            f"{path!r} holds weights of a custom module, which cannot be rebuilt from a file. "
            "Pass it: pq.load(path, module=MyNet()).")
    if manifest.get("task") == "forecaster":  # its own builders and checks (tasks/forecast.py)
        from .forecast import build_for_load

        model = build_for_load(path, manifest, state, module)
    elif module is None:
        from .classifier import ImageClassifier

        check_weights_fit(path, arch, state)  # built on the meta device: a misfit allocates nothing
        model: Model = ImageClassifier(arch["name"], **arch["kwargs"])
    else:
        check_state_fits(path, module, state)  # dtypes too: never cast silently
        if manifest.get("task") == "classifier":  # a classifier on the user's module stays one
            from .classifier import ImageClassifier

            model = ImageClassifier(module)
        else:
            model = Model(module)
        model.architecture = arch
    _load_strict(model.module, state, path)
    model.classes = manifest.get("classes")
    model.preprocessing = manifest.get("preprocessing") or {}
    shape = manifest.get("input_shape")
    model.input_shape = tuple(shape) if shape else None
    restore_compile(model, manifest.get("compile"))
    return model
