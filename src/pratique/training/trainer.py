"""The loop: fit / evaluate / predict on Lightning Fabric (devices, precision, strategies).

The trainer owns engineering (device placement, precision, channels_last, callbacks); the model
it trains owns the math (`module`, `loss_fn`, `optimizer`, `metrics`). It knows nothing of images:
it iterates any sized iterable of `(x, y)` batches.
"""
from __future__ import annotations

import time
from itertools import islice
from typing import TYPE_CHECKING

import torch

from . import _layout, ema, resume
from .callbacks import CallbackList, History
from .grad_steps import GradientSteps
from .interrupts import InterruptGuard, non_finite_loss

if TYPE_CHECKING:  # Lightning is imported when a Fabric is made, not by `import pratique`
    from lightning.fabric import Fabric

__all__ = ["PRECISIONS", "Trainer", "batch_logs", "input_error", "make_fabric", "metric_logs"]

PRECISIONS = ("32", "bf16-mixed", "16-mixed", "64")  # the names pratique documents (CLI choices)
_PRECISIONS = {"32": "32-true", "bf16-mixed": "bf16-mixed", "16-mixed": "16-mixed",
               "64": "64-true", "32-true": "32-true", "bf16": "bf16-mixed", "16": "16-mixed"}


def make_fabric(accelerator: str = "auto", devices="auto", precision: str = "32",
                strategy: str = "auto", num_nodes: int = 1) -> Fabric:
    """A Fabric for this machine; `precision` takes "32", "bf16-mixed", "16-mixed".

    With several processes (e.g. `devices=2, strategy="ddp"`) the processes are launched here:
    a script run with `python` re-runs itself once per extra device; under torchrun or SLURM
    the processes already exist and this only joins the process group (docs/distributed.md).
    """
    from lightning.fabric import Fabric
    from lightning.fabric.connector import _is_using_cli

    from ..core.errors import unknown_name
    from .checkpoint import check_strategy

    if precision not in _PRECISIONS:
        raise unknown_name("precision", precision, _PRECISIONS)
    check_strategy(strategy)  # also when `model.strategy` was set after construction (the CLI)
    fabric = Fabric(accelerator=accelerator, devices=devices, precision=_PRECISIONS[precision],
                    strategy=strategy, num_nodes=num_nodes)
    # a later Fabric in the same processes spawns nothing (LOCAL_RANK is set) and rejoins the group
    if fabric.world_size > 1 and not _is_using_cli():
        fabric.launch()
    return fabric


class Trainer:
    """Runs epochs of a model's `module`, `loss_fn`, `optimizer` and `metrics` over batches."""

    def __init__(self, fabric: Fabric, channels_last: bool = True):
        self.fabric = fabric
        self.channels_last = channels_last
        self._cl = False  # inputs go channels-last: only once the module's first batch showed it safe
        self.run = resume.IDLE  # the fit in progress' resume engine (training/resume.py)
        self.train_seconds = 0.0  # the last epoch's training pass (History.timing)

    def _to_device(self, x):
        if self.fabric.device.type != "cpu":
            x = x.to(self.fabric.device, non_blocking=True)
        if self._cl and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def _prepare(self, module) -> None:
        """Convolutions run faster on channels-last weights and inputs (CPU oneDNN and GPU), for
        modules whose first batch showed the same outputs both ways (training/_layout.py)."""
        self._cl = bool(self.channels_last and _layout.decided(module))
        if self._cl:
            module.to(memory_format=torch.channels_last)

    def _layout(self, module, x):
        """At a module's first batch: decide its layout once, and lay `x` out to match."""
        if self.channels_last and x.dim() == 4:
            self._cl = _layout.choose(module, x, self.fabric.autocast)
            x = x.contiguous(memory_format=torch.channels_last if self._cl else torch.contiguous_format)
        return x

    def fit(self, model, train, epochs: int, val=None, callbacks=(), initial_epoch: int = 0,
            accumulate_grad_batches: int = 1, verbose: int = 0, validation_steps: int | None = None,
            validation_freq=1, resume_state: dict | None = None) -> History:
        """Train `model` for `epochs` over the batches `train`; validate on `val` (its first
        `validation_steps` batches) at the epochs `validation_freq` names. Steps every
        `accumulate_grad_batches` batches, gradients clipped per `model.gradient_clip`.
        `resume_state`: a loaded checkpoint to continue from (training/resume.py).

        Callbacks may move the start: `BackupAndRestore` raises `model.initial_epoch` on resume.
        """
        self.run = resume.FitRun(model, epochs, resume_state)  # the resume engine, for this call
        try:
            with InterruptGuard(self.run.on_signal):  # SIGINT/SIGTERM, for this call only
                history = self._fit(model, train, epochs, val, callbacks, initial_epoch,
                                    accumulate_grad_batches, verbose, validation_steps, validation_freq)
        finally:
            run, self.run = self.run, resume.IDLE
        run.finish()
        return history

    def _fit(self, model, train, epochs, val, callbacks, initial_epoch, accumulate_grad_batches,
             verbose, validation_steps, validation_freq) -> History:
        history = History()
        self._accumulate = accumulate_grad_batches
        if self.fabric.world_size > 1:  # shard the data, keep file-writing callbacks on rank 0
            callbacks = self._distribute(train, val, callbacks)
        params = {"epochs": epochs, "steps": len(train) if hasattr(train, "__len__") else None,
                  "verbose": verbose, "do_validation": val is not None}
        cbs = CallbackList([*callbacks, history], model, params)  # last, as in Keras: it sees every key
        self._prepare(model.module)
        module = getattr(model, "_compiled", None) or model.module
        if model.optimizer is None:  # a module without parameters: nothing to optimize
            module, optimizer = self.fabric.setup(module), None
        else:
            module, optimizer = self.fabric.setup(module, model.optimizer)
        model.stop_training = False
        run = self.run
        model.initial_epoch = run.start(self, train, cbs, initial_epoch)  # resume.py: restore a checkpoint
        cbs.on_train_begin({})
        self._probe = True  # the first batch's forward names both shapes if they do not fit
        logs: dict = {}
        for epoch in range(model.initial_epoch, epochs):
            started = time.perf_counter()
            module.train()
            cbs.on_epoch_begin(epoch, {})
            logs = self._train_epoch(model, module, optimizer, train, cbs)
            if val is not None and should_validate(epoch, validation_freq):
                logs.update({f"val_{k}": v for k, v in self.evaluate(model, val, cbs, validation_steps).items()})
            model.epoch = epoch + 1
            try:
                cbs.on_epoch_end(epoch, logs)
            except Exception:  # the epoch is done: a failing callback must not lose its backup
                run.epoch_end(logs)
                raise
            run.epoch_end(logs)  # resume.py: epoch-boundary or emergency checkpoint
            history.record_time(time.perf_counter() - started, self.train_seconds, model.last_throughput)
            if model.stop_training:
                break
        ema.finalize(model.optimizer)  # use_ema: the model keeps the averages (Keras, before on_train_end)
        cbs.on_train_end(logs)
        return history

    def _distribute(self, train, val, callbacks) -> list:
        """Each rank takes its part of every global batch, in the order rank 0 draws; callbacks
        that write files (`rank_zero_only`) run on rank 0 only, the others everywhere (the logs
        they see are reduced over ranks, so e.g. EarlyStopping decides the same on each)."""
        from ..core.errors import PratiqueError

        f = self.fabric
        if not hasattr(train, "shard"):
            raise PratiqueError(f"Training on {f.world_size} processes needs batches that can be "
                                f"sharded (arrays, tensors or an ImageData). Received: {type(train).__name__}.")
        train.generator.set_state(f.broadcast(train.generator.get_state(), src=0))
        train.shard(f.global_rank, f.world_size)
        if f.is_global_zero:
            return list(callbacks)
        return [cb for cb in callbacks if not getattr(cb, "rank_zero_only", False)]

    def _reduce(self, loss_sum, seen: int, metrics) -> tuple[torch.Tensor, int]:
        """Sums over ranks of the epoch's loss sum, sample count and metric states."""
        f = self.fabric
        total = f.all_reduce(torch.stack([loss_sum.detach().double().reshape(()),
                                          torch.tensor(float(seen), dtype=torch.float64,
                                                       device=loss_sum.device)]), reduce_op="sum")
        for m in metrics:
            m.sync(f)
        return total[0], int(total[1])

    def _train_epoch(self, model, module, optimizer, batches, cbs) -> dict:
        loss_fn, metrics, scheduler = model.loss_fn, model.metrics, model.scheduler
        for m in metrics:
            m.reset()
        run = self.run
        start, loss_sum, seen = run.begin_epoch(self.fabric.device)  # resumed epoch: its sums
        check_finite = cbs.checks_finite_loss or getattr(model, "terminate_on_nan", False)
        update = optimizer is not None and any(p.requires_grad for p in model.module.parameters())
        steps = GradientSteps(self.fabric, module, optimizer, len(batches) if hasattr(batches, "__len__") else 0,
                              getattr(self, "_accumulate", 1),
                              getattr(model, "gradient_clip", None))
        t0 = time.perf_counter()
        # each flag is read once: a hook nobody overrides costs nothing per batch
        begin, end = cbs.wants("on_train_batch_begin"), cbs.wants("on_train_batch_end")
        floats, outputs = cbs.wants_floats("on_train_batch_end"), cbs.wants_outputs("on_train_batch_end")
        transforms = getattr(cbs, "batch_transforms", ())
        for i, (x, y) in enumerate(batches, start):
            if begin:
                cbs.on_train_batch_begin(i, {})
            x, y = self._to_device(x), y.to(self.fabric.device, non_blocking=True)
            for transform in transforms:  # a callback's transform_train_batch (adversarial training)
                x, y = transform(x, y)
            if self._probe:  # the first batch decides the layout (channels-last only where safe)
                x = self._layout(model.module, x)
            if update and steps.begins(i):
                optimizer.zero_grad(set_to_none=True)
            with torch.set_grad_enabled(update):
                out = self._first_forward(module, x, model.module) if self._probe else module(x)
                loss = loss_fn(out, y)
            if check_finite and not bool(torch.isfinite(loss.detach())):  # one sync, asked for
                if not cbs.checks_finite_loss:  # compile(terminate_on_nan=True): stop with an error
                    raise non_finite_loss(loss, model.epoch, i, run.last_saved)
                run.invalid_loss()  # this epoch's last.ckpt is not written
                cbs.on_invalid_loss(i, loss.detach())  # TerminateOnNaN: stop as Keras does
                model.stop_training = True
                break
            if update and steps.backward_and_step(i, loss):
                if scheduler is not None:
                    scheduler.step()
            with torch.no_grad():
                n = y.shape[0]
                loss_sum += loss.detach() * n
                seen += n
                for m in metrics:
                    m.update(out.detach(), y)
            if end:  # Keras' batch logs: the epoch's mean loss so far and running metrics, as
                # floats (a device sync) unless every callback that asks reads tensors
                logs = batch_logs(model, loss_sum, seen, n, floats)
                if outputs:  # asked for (`wants_outputs`): references, no copy
                    logs.update(outputs=out.detach(), targets=y)
                cbs.on_train_batch_end(i, logs)
            if run.hook is not None:  # periodic last.ckpt, or a SIGINT/SIGTERM to honour
                run.hook(i, loss_sum, seen)
            if model.stop_training:
                break
        if self.fabric.world_size > 1:
            loss_sum, seen = self._reduce(loss_sum, seen, metrics)
        logs = {"loss": float(loss_sum) / max(seen, 1) if seen else float("nan")}
        logs.update(metric_logs(metrics))
        self.train_seconds = time.perf_counter() - t0
        model.last_throughput = seen / max(self.train_seconds, 1e-9)
        return logs

    def _first_forward(self, module, x, plain):
        """The first batch's forward: a shape the module cannot take fails with both shapes
        named, and the buffers (BatchNorm statistics) it may have moved are put back. No extra
        forward: a model that counts its calls sees one per batch, as in Keras."""
        self._probe = False
        saved = [(b, b.detach().clone()) for b in plain.buffers()]
        try:
            return module(x)
        except RuntimeError as e:
            if isinstance(e, torch.OutOfMemoryError):
                raise
            with torch.no_grad():
                for b, value in saved:
                    b.copy_(value)
            raise input_error(plain, x, e) from None

    @torch.no_grad()
    def evaluate(self, model, batches, cbs=None, steps: int | None = None) -> dict:
        """Mean loss and each metric over `batches` (the first `steps` of them), in eval mode."""
        module = model.module.to(self.fabric.device)
        self._prepare(module)  # the same layout as in fit: identical numbers before and after a save
        was_training = module.training
        module.eval()
        world = self.fabric.world_size
        shard = (getattr(batches, "rank", 0), getattr(batches, "world_size", 1))
        if world > 1 and hasattr(batches, "shard"):  # each rank its part, for this call only
            batches.shard(self.fabric.global_rank, world)
        for m in model.metrics:
            m.reset()
        loss_sum = torch.zeros((), device=self.fabric.device)
        seen = 0
        if cbs is not None:
            cbs.on_test_begin({})
        hooks = cbs is not None and (cbs.wants("on_test_batch_begin") or cbs.wants("on_test_batch_end"))
        floats = hooks and cbs.wants_floats("on_test_batch_end")
        outputs = hooks and cbs.wants_outputs("on_test_batch_end")
        model.stop_evaluating = False  # a callback may set it (Keras): the batches so far count
        for i, (x, y) in enumerate(islice(batches, steps)):
            if hooks:
                cbs.on_test_batch_begin(i, {})
            x, y = self._to_device(x.to(self.fabric.device)), y.to(self.fabric.device)
            if i == 0:
                x = self._layout(module, x)
            with self.fabric.autocast():
                out = module(x)
            n, out32 = y.shape[0], out.float()
            loss_sum += model.loss_fn(out32, y) * n
            seen += n
            for m in model.metrics:
                m.update(out, y)
            if hooks:
                logs = batch_logs(model, loss_sum, seen, n, floats)
                if outputs:  # asked for (`wants_outputs`): references, no copy
                    logs.update(outputs=out32, targets=y)
                cbs.on_test_batch_end(i, logs)
            if model.stop_evaluating:
                break
        module.train(was_training)
        if world > 1 and hasattr(batches, "shard"):
            batches.shard(*shard)
            loss_sum, seen = self._reduce(loss_sum, seen, model.metrics)
        logs = {"loss": float(loss_sum) / max(seen, 1)}
        logs.update(metric_logs(model.metrics))
        if cbs is not None:
            cbs.on_test_end(logs)
        return logs

    @torch.no_grad()
    def predict(self, module, batches, cbs=None, owner=None) -> torch.Tensor:
        """Concatenated outputs of `module` over the `x` of each batch, on the CPU; a callback
        may stop early by setting `owner.stop_predicting` (Keras)."""
        module = module.to(self.fabric.device)
        self._prepare(module)
        was_training = module.training
        module.eval()
        outs = []
        if owner is not None:
            owner.stop_predicting = False
        if cbs is not None:
            cbs.on_predict_begin({})
        for i, (x, _) in enumerate(batches):
            if cbs is not None:
                cbs.on_predict_batch_begin(i, {})
            x = self._to_device(x.to(self.fabric.device))
            if i == 0:
                x = self._layout(module, x)
            with self.fabric.autocast():
                outs.append(module(x).float().cpu())
            if cbs is not None:
                cbs.on_predict_batch_end(i, {"outputs": outs[-1]})
            if owner is not None and owner.stop_predicting:
                break
        module.train(was_training)
        result = torch.cat(outs) if outs else torch.empty(0)
        if cbs is not None:
            cbs.on_predict_end({"outputs": result})
        return result


def should_validate(epoch: int, freq) -> bool:
    """Keras' `validation_freq`: an int N validates every N-th epoch (counted from 1), a list
    the epochs it names."""
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq


def input_error(module, x, error: RuntimeError):
    """The error for inputs `module` cannot take: both shapes named, and torch's words."""
    from ..core.errors import PratiqueError

    first = next((m for m in module.modules()
                  if hasattr(m, "in_channels") or hasattr(m, "in_features")), None)
    wants = (f" Its first layer is {first}, which takes "
             + (f"{first.in_channels} channels." if hasattr(first, "in_channels")
                else f"{first.in_features} input features.")) if first is not None else ""
    return PratiqueError(
        f"The model cannot take inputs of shape {tuple(x.shape[1:])} (per sample).{wants} "
        f"torch said: {str(error).splitlines()[0][:300]}. Pass inputs shaped as the model "
        "expects (e.g. images with as many channels as in_channels).")


def batch_logs(model, loss_sum, seen: int, n: int, floats: bool) -> dict:
    """A batch's logs: with `floats`, Keras' (the epoch's mean loss so far and each running
    metric, as Python floats: one device sync); else the loss as a tensor, read when needed."""
    if not floats:
        return {"loss": loss_sum / max(seen, 1), "size": n}
    from .callbacks._running import running_metrics

    return {"loss": float(loss_sum) / max(seen, 1), **running_metrics(model), "size": n}


def metric_logs(metrics) -> dict:
    """{name: value} of every metric; a metric may return a dict (e.g. per-class values)."""
    logs: dict = {}
    for m in metrics:
        value = m.compute()
        if isinstance(value, dict):
            logs.update(value)
        else:
            logs[m.name] = value
    return logs
