"""The learning-rate range test (fastai's `lr_find`, Smith 2015): loss vs an exponentially growing LR."""
from __future__ import annotations

import copy
import io
import math
from dataclasses import dataclass, field

from ..core.errors import PratiqueError
from ..core.io import atomic_write


@dataclass
class LRFinderResult:
    """What `lr_find` measured: `lrs`, smoothed `losses`, and two suggestions.

    `suggestion` is the LR where the smoothed loss falls fastest (fastai's "steep");
    `min_loss_lr / 10` is the classic rule of thumb, given as `valley`.
    """

    lrs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    suggestion: float = float("nan")
    valley: float = float("nan")
    plot: str | None = None


def _smoothed(raw: list[float], beta: float = 0.98) -> list[float]:
    avg, out = 0.0, []
    for i, value in enumerate(raw, 1):
        avg = beta * avg + (1 - beta) * value
        out.append(avg / (1 - beta ** i))  # debiased, as fastai does
    return out


def _suggest(lrs: list[float], losses: list[float]) -> tuple[float, float]:
    # skip the first and last points: the start is flat noise, the end is the blow-up
    lo, hi = max(len(lrs) // 10, 1), max(len(lrs) - 2, 2)
    logs = [math.log10(lr) for lr in lrs]
    grads = [(losses[i + 1] - losses[i - 1]) / (logs[i + 1] - logs[i - 1]) for i in range(lo, hi)]
    steep = lrs[lo + min(range(len(grads)), key=grads.__getitem__)] if grads else lrs[len(lrs) // 2]
    valley = lrs[min(range(len(losses)), key=losses.__getitem__)] / 10
    return steep, valley


def lr_find(model, x, y=None, start_lr: float = 1e-7, end_lr: float = 10.0, num_iter: int = 100,
            batch_size: int = 64, plot: str | None = "lr_find.png") -> LRFinderResult:
    """Train for up to `num_iter` batches with the LR growing from `start_lr` to `end_lr`
    geometrically; stop early when the smoothed loss exceeds 4x its minimum. The model's
    weights and optimizer state are restored afterwards.

    Args:
        model: a compiled `Model`.
        x, y: training data (as for `fit`).
        start_lr, end_lr: the LR range.
        num_iter: the number of batches (the data is cycled if it is shorter).
        batch_size: the batch size.
        plot: where to write a PNG of loss vs LR (None: no plot).

    Example:
        >>> result = model.lr_find(x, y)
        >>> model.compile(optimizer="adam", lr=result.suggestion)
    """
    trainer = model._require_compiled("lr_find")
    if not 0 < start_lr < end_lr or num_iter < 5:
        raise PratiqueError(f"lr_find needs 0 < start_lr < end_lr and num_iter >= 5. Received: "
                            f"start_lr={start_lr}, end_lr={end_lr}, num_iter={num_iter}")
    batches, _ = model._fit_batches(x, y, batch_size, None, 0.0, True, 0)
    saved_module = copy.deepcopy(model.module.state_dict())
    saved_opt = copy.deepcopy(model.optimizer.state_dict())
    module, optimizer = trainer.fabric.setup(model.module, model.optimizer)
    ratio = (end_lr / start_lr) ** (1 / (num_iter - 1))
    raw, lrs, best, avg = [], [], math.inf, 0.0
    module.train()
    try:
        step = 0
        while step < num_iter:
            for xb, yb in batches:
                lr = start_lr * ratio ** step
                for g in optimizer.param_groups:
                    g["lr"] = lr
                xb, yb = trainer._to_device(xb), yb.to(trainer.fabric.device)
                optimizer.zero_grad(set_to_none=True)
                loss = model.loss_fn(module(xb), yb)
                trainer.fabric.backward(loss)
                optimizer.step()
                raw.append(float(loss.detach()))
                lrs.append(lr)
                avg = 0.98 * avg + 0.02 * raw[-1]
                smooth = avg / (1 - 0.98 ** len(raw))
                best = min(best, smooth)
                step += 1
                if step >= num_iter or not math.isfinite(smooth) or smooth > 4 * best:
                    step = num_iter
                    break
    finally:
        model.module.load_state_dict(saved_module)
        model.optimizer.load_state_dict(saved_opt)
    losses = _smoothed(raw)
    n = len(losses) if math.isfinite(losses[-1]) else len(losses) - 1
    result = LRFinderResult(lrs[:n], losses[:n])
    result.suggestion, result.valley = _suggest(result.lrs, result.losses)
    if plot:
        result.plot = plot
        _plot(result, plot)
    return result


def _plot(result: LRFinderResult, path: str) -> None:
    from .. import _figure as plt  # bare Figures: the user's backend is never switched

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(result.lrs, result.losses, label="smoothed training loss")
    ax.axvline(result.suggestion, color="tab:red", ls="--", label=f"steepest: {result.suggestion:.2e}")
    ax.axvline(result.valley, color="tab:green", ls=":", label=f"min / 10: {result.valley:.2e}")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("loss")
    ax.set_title("Learning-rate range test (lr_find)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    atomic_write(path, lambda f: f.write(buf.getvalue()))
