"""TensorBoard: scalars, graph, histograms, hparams and pictures of a fit, as event files."""
from __future__ import annotations

import os
import time
import warnings

from ._profiler import BatchProfiler
from ._running import running_metrics
from .base import Callback


class TensorBoard(Callback):
    """Write logs for TensorBoard (`pratique tensorboard --logdir DIR`), Keras' arguments.

    Writes, per epoch: the losses and metrics (`epoch/<name>/train`, `epoch/<name>/val`),
    `epoch/learning_rate` and `epoch/images_per_second`; per batch when `update_freq` asks:
    `batch/loss`, each compiled metric's running value this epoch (`batch/accuracy`, computed at
    the written batches only) and `batch/learning_rate`; the model graph once; weight and
    gradient histograms every `histogram_freq` epochs; at the end of the fit, the run's
    hyper-parameters with its final metrics (the HPARAMS tab compares runs side by side) and,
    once, pictures: a training batch as the network saw it (after augmentation), the validation
    confusion matrix and the misclassified validation samples with the highest loss.

    Args:
        log_dir: where the event files go; train and validation scalars share one run.
        histogram_freq: every how many epochs to write weight and gradient histograms (0: never);
            a frozen weight (requires_grad=False) is drawn once, not again while it stays frozen.
        write_graph: write the model graph (traced once on the first training batch).
        write_images: write the pictures above, once per fit.
        write_steps_per_second: also write `epoch/steps_per_second` (and
            `batch/steps_per_second` at the batches `update_freq` writes).
        update_freq: "epoch" (default), "batch", or an int: write batch scalars every N batches.
        profile_batch: profile a training batch (an int, counted from 1 over the whole fit) or
            a range `(start, stop)` with `torch.profiler`; the trace goes to
            `log_dir/plugins/profile/` (TensorBoard's PROFILE tab, torch-tb-profiler). 0: off.
        hparams: the hyper-parameters to record (default: optimizer, lr, loss, epochs...).

    Example:
        >>> model.fit(x, y, validation_split=0.1, callbacks=[TensorBoard("runs/logs", histogram_freq=1)])
    """

    rank_zero_only = True  # writes files or prints: rank 0 only when data-parallel
    float_batch_logs = False  # the loss is read at the written steps only

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=True,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 hparams: dict | None = None):
        from ...core.errors import PratiqueError

        if isinstance(histogram_freq, str):  # the old signature was (log_dir, update_freq)
            histogram_freq, update_freq = 0, histogram_freq
        self.profile_batch = BatchProfiler.check(profile_batch)
        self.write_steps_per_second = bool(write_steps_per_second)
        if update_freq not in ("epoch", "batch") and not (isinstance(update_freq, int) and update_freq > 0):
            raise PratiqueError("update_freq must be 'epoch', 'batch' or a positive int. "
                                f"Received: update_freq={update_freq!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq, self.write_graph = int(histogram_freq), write_graph
        self.write_images, self.update_freq, self.hparams = write_images, update_freq, hparams
        self.batch_every = 1 if update_freq == "batch" else (0 if update_freq == "epoch" else update_freq)
        if write_images:  # the validation batches' outputs and targets: confusion matrix, top losses
            self.wants_outputs, self.on_test_batch_end = True, self._on_test_batch_end
        if self.batch_every or self.profile_batch or self.write_steps_per_second:
            # the loop skips batch hooks that no callback overrides; only this class does
            self.__class__ = _TensorBoardPerBatch
        self.writer = None
        self._step = 0
        self._val = self._first_batch = self._val_hook = None

    def state_dict(self) -> dict:
        return {"step": self._step}

    def load_state_dict(self, state: dict) -> None:
        self._step = state.get("step", 0)

    def on_train_begin(self, logs=None):
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(self.log_dir)
        self._profiler = BatchProfiler(self.log_dir, *self.profile_batch) if self.profile_batch else None
        self._batches = 0
        self._first_batch = self._val = None
        self._frozen_drawn: set[str] = set()  # frozen parameters whose histogram is written
        self._graph_pending = self.write_graph
        if self.write_graph or self.write_images:
            self._hook = self.model.module.register_forward_pre_hook(self._capture_first_batch)

    def _capture_first_batch(self, module, args):
        if not module.training or not self._model_input(args[0]):  # the trainer's input check, or
            return  # a frozen backbone's computed-once outputs (finetune), not the model's inputs
        self._first_batch = args[0].detach()[:16].cpu()
        self._hook.remove()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_t0, self._epoch_batches = time.perf_counter(), self._batches

    def on_epoch_end(self, epoch, logs=None):
        w = self.writer
        if self.write_steps_per_second:
            steps = self._batches - self._epoch_batches
            w.add_scalar("epoch/steps_per_second", steps / max(time.perf_counter() - self._epoch_t0, 1e-9), epoch)
        for k, v in (logs or {}).items():
            w.add_scalar(f"epoch/{k[4:]}/val" if k.startswith("val_") else f"epoch/{k}/train", v, epoch)
        if self.model.optimizer is not None:
            w.add_scalar("epoch/learning_rate", self.model.optimizer.param_groups[0]["lr"], epoch)
        if getattr(self.model, "last_throughput", None):
            w.add_scalar("epoch/images_per_second", self.model.last_throughput, epoch)
        if self.histogram_freq and (epoch + 1) % self.histogram_freq == 0:
            self._histograms(epoch)
        if self._graph_pending and self._first_batch is not None:
            self._graph_pending = False  # once per fit
            self._graph()
        w.flush()

    def _histograms(self, epoch: int) -> None:
        for name, p in self.model.module.named_parameters():
            if not p.requires_grad and name in self._frozen_drawn:
                continue  # a frozen weight: the histogram drawn before, a second per epoch saved
            self.writer.add_histogram(f"weights/{name}", p.detach().float().cpu(), epoch)
            (self._frozen_drawn.discard if p.requires_grad else self._frozen_drawn.add)(name)
            if p.grad is not None:
                self.writer.add_histogram(f"gradients/{name}", p.grad.detach().float().cpu(), epoch)

    def _graph(self) -> None:
        module = self.model.module
        try:
            param = next(module.parameters())
            with warnings.catch_warnings():  # torch.jit.trace's deprecation notice, every fit
                warnings.simplefilter("ignore", FutureWarning)
                self.writer.add_graph(module, self._first_batch[:1].to(param.device, param.dtype))
        except Exception as e:  # noqa: BLE001  (an untraceable graph must not stop training)
            warnings.warn(f"TensorBoard could not trace the model graph: {e}", stacklevel=2)

    # -- the validation pass: the batch logs carry (outputs, targets) for us (`wants_outputs`);
    # -- the inputs come from a forward pre-hook on the module, for the top-loss pictures
    def on_test_begin(self, logs=None):
        if not self.write_images or self.writer is None:
            return
        from ...models.outputs import output_kind
        from ...reports.top_losses import TopLosses

        self._remove_val_hook()  # a validation pass that raised never removed it
        kind = output_kind(self.model.module, self.model.loss_fn)  # probabilities are not softmaxed again
        self._val = {"cm": None, "top": TopLosses(12, kind), "x": None}
        self._val_hook = self.model.module.register_forward_pre_hook(
            lambda _m, args: self._val.__setitem__("x", args[0] if self._model_input(args[0]) else None))

    def _model_input(self, x) -> bool:
        """False for (N, D) vectors given to a model of images: embeddings, not its inputs."""
        shape = getattr(self.model, "input_shape", None)
        return not (getattr(x, "dim", None) and x.dim() == 2 and shape is not None and len(shape) > 1)

    def _on_test_batch_end(self, batch, logs=None):
        v = self._val
        if v is None or self._val_hook is None or "outputs" not in (logs or {}):
            return
        from ...reports.evaluation import confusion_matrix

        out, y = logs["outputs"], logs["targets"]
        if out.dim() == 2 and out.shape[1] == 1 and y.numel() == len(out):  # binary: 2 classes
            threshold = 0.0 if getattr(self.model.loss_fn, "from_logits", None) else 0.5
            cm = confusion_matrix(y.reshape(-1).round().long().cpu(),
                                  (out.reshape(-1) > threshold).long().cpu(), 2)
            v["cm"] = cm if v["cm"] is None else v["cm"] + cm
        elif out.dim() == 2 and y.dim() == 1 and not y.is_floating_point():
            cm = confusion_matrix(y.cpu(), out.argmax(1).cpu(), out.shape[1])
            v["cm"] = cm if v["cm"] is None else v["cm"] + cm
            if v["x"] is not None and len(v["x"]) == len(y):
                v["top"].update(v["x"], out, y)

    def on_test_end(self, logs=None):
        self._remove_val_hook()

    def _remove_val_hook(self) -> None:
        if self._val_hook is not None:
            self._val_hook.remove()
            self._val_hook = None

    def on_train_end(self, logs=None):
        if self._profiler is not None:
            self._profiler.close()  # a fit shorter than the range: write what was traced
        if self.writer is None:
            return
        self._write_hparams(logs or {})
        if self.write_images:
            self._write_images()
        self.writer.close()

    def _write_hparams(self, logs: dict) -> None:
        from torch.utils.tensorboard.summary import hparams

        model = self.model
        params = self.hparams or {**{k: v for k, v in (getattr(model, "_compile_args", None) or {}).items()},
                                  "epochs": self.params.get("epochs"),
                                  "model": (model.architecture or {}).get("name", type(model.module).__name__)}
        params = {k: v if isinstance(v, (bool, int, float, str)) else str(v) for k, v in params.items()}
        metrics = {f"hparams/{k}": float(v) for k, v in logs.items() if isinstance(v, (int, float))}
        for summary in hparams(params, metrics):
            self.writer.file_writer.add_summary(summary)
        for k, v in metrics.items():  # the HPARAMS tab reads each metric from a scalar of its tag
            self.writer.add_scalar(k, v, self.model.epoch)

    def _write_images(self) -> None:
        from ...reports.confusion import plot_confusion_matrix
        from ...reports.top_losses import plot_top_losses

        step, classes = self.model.epoch, self.model.classes
        if self._first_batch is not None and self._first_batch.dim() == 4:
            x = self._first_batch.float()
            lo = x.amin(dim=(1, 2, 3), keepdim=True)
            hi = x.amax(dim=(1, 2, 3), keepdim=True)
            self.writer.add_images("images/train_batch", (x - lo) / (hi - lo).clamp(min=1e-12), step)
        if self._val and self._val["cm"] is not None:
            fig = plot_confusion_matrix(self._val["cm"], classes, title="Validation confusion matrix")
            self.writer.add_figure("images/confusion_matrix", fig, step)
            images, y, probs = self._val["top"].result()  # none kept when the inputs were embeddings
            wrong = probs.argmax(1) != y if probs is not None else None
            if wrong is not None and wrong.any() and images.dim() >= 3:
                fig = plot_top_losses(images[wrong], y[wrong], probs[wrong], classes,
                                      title="Misclassified, highest loss first")
                self.writer.add_figure("images/misclassified", fig, step)


class _TensorBoardPerBatch(TensorBoard):
    """TensorBoard with batch scalars (chosen by `update_freq`)."""

    def on_train_batch_begin(self, batch, logs=None):
        self._batches += 1
        self._batch_t0 = time.perf_counter()
        if self._profiler is not None:
            self._profiler.batch_begin(self._batches)

    def on_train_batch_end(self, batch, logs=None):
        if self._profiler is not None:
            self._profiler.batch_end(self._batches)
        if not self.batch_every:
            return
        self._step += 1
        if self.write_steps_per_second and self._step % self.batch_every == 0:
            self.writer.add_scalar("batch/steps_per_second",
                                   1.0 / max(time.perf_counter() - self._batch_t0, 1e-9), self._step)
        if self._step % self.batch_every == 0:
            # the loop hands the loss only: the metrics' running values are computed here, at
            # the written steps (a sync each), never on the batches in between
            values = {k: v for k, v in (logs or {}).items() if k not in ("size", "outputs", "targets")}
            values.update({k: v for k, v in running_metrics(self.model).items() if k not in values})
            for k, v in values.items():
                self.writer.add_scalar(f"batch/{k}", v, self._step)
            if self.model.optimizer is not None:
                self.writer.add_scalar("batch/learning_rate",
                                       self.model.optimizer.param_groups[0]["lr"], self._step)

