"""First-batch checks of a loss's inputs: the mistakes that train without an error but give a
different model (a softmax before `cross_entropy`, logits into a probability loss).

`Loss.__call__` runs `check_outputs` once (one host sync per fit); `Model.compile` runs
`check_head` on the module's last layer, which costs nothing.
"""
from __future__ import annotations

import warnings

import torch
from torch import nn

from ..core.errors import PratiqueError

# Keras' probability losses: rows of probabilities (a softmax) unless from_logits=True
_ROWS = ("categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence")
_ELEMENTS = ("binary_crossentropy", "bce")  # each output a probability (a sigmoid)
# softmax inside: a softmax output layer before them is a mistake (None: nn.CrossEntropyLoss())
_SOFTMAX_INSIDE = ("cross_entropy", "categorical_crossentropy", "sparse_categorical_crossentropy", None)


def _tolerance(x: torch.Tensor) -> float:
    return 1e-2 if x.dtype in (torch.float16, torch.bfloat16) else 1e-4


def _is_softmax(out: torch.Tensor) -> bool:
    return bool((out >= 0).all()) and bool(((out.float().sum(-1) - 1).abs() <= _tolerance(out)).all())


def _is_log_softmax(out: torch.Tensor) -> bool:
    return bool((out <= 0).all()) and bool((out.float().logsumexp(-1).abs() <= _tolerance(out)).all())


def check_outputs(loss, outputs: torch.Tensor, targets: torch.Tensor) -> None:
    """Refuse logits in a probability loss, and class labels the outputs have no column for;
    warn (once) about a softmax before a logits loss."""
    _check_labels(loss, outputs, targets)
    if loss.name in _ROWS and not loss.from_logits and outputs.dim() >= 2 and outputs.shape[-1] > 1:
        if not _is_softmax(outputs):
            raise _not_probabilities(loss.name, outputs, "rows of probabilities (each >= 0, "
                                     "each row summing to 1: a softmax output)", "nn.Softmax(dim=-1)",
                                     "cross_entropy")
    elif loss.name in _ELEMENTS and not loss.from_logits:
        if not bool(((outputs >= 0) & (outputs <= 1)).all()):
            raise _not_probabilities(loss.name, outputs, "probabilities in [0, 1] (a sigmoid output)",
                                     "nn.Sigmoid()", "bce_with_logits")
    elif _softmax_inside(loss) and not loss.warned and outputs.dim() == 2 and outputs.shape[-1] > 1:
        if _is_softmax(outputs):
            _warn_softmax(loss, "softmax")
        elif _is_log_softmax(outputs):
            _warn_softmax(loss, "log_softmax")


def _check_labels(loss, outputs: torch.Tensor, targets: torch.Tensor) -> None:
    """Integer class labels must index the output columns (torch's own error names neither the
    class count nor the fix)."""
    if loss.task != "classification" or outputs.dim() != 2 or targets.dim() != 1:
        return
    if targets.is_floating_point() or targets.numel() == 0:
        return
    low, high, c = int(targets.min()), int(targets.max()), outputs.shape[-1]
    if low < 0 or high >= c:
        bad = high if high >= c else low
        raise PratiqueError(
            f"Class label {bad} is out of range: the model has {c} outputs, so labels must be in "
            f"[0, {c - 1}]. Received labels from {low} to {high} in the first batch. Give the "
            f"model one output per class (num_classes={high + 1} if labels start at 0), or map "
            "labels that start at 1 to 0-based ones (y - 1).")


def _not_probabilities(name, outputs, expected, layer, logits_loss) -> PratiqueError:
    o = outputs.float()
    return PratiqueError(
        f"loss={name!r} takes {expected}, as in Keras, where from_logits=False is the default. "
        f"The model's outputs on the first batch are not: min {float(o.min()):.4g}, max "
        f"{float(o.max()):.4g}. If the model outputs logits (no final activation, the PyTorch "
        f"habit), use loss={logits_loss!r} or pq.losses.get({name!r}, from_logits=True); "
        f"otherwise end the model with {layer}.")


def _warn_softmax(loss, kind: str) -> None:
    loss.warned = True
    name = loss.name or "cross_entropy"
    if kind == "softmax":
        msg = (f"The model's outputs are already probabilities (a softmax), but loss={name!r} "
               "applies its own softmax to logits: training is slower and ends worse. Drop the "
               "final softmax layer (the loss includes it), or use loss='categorical_crossentropy' "
               "(Keras' meaning, probabilities in).")
    else:
        msg = (f"The model's outputs are log-probabilities (a log_softmax), and loss={name!r} "
               "applies log_softmax again (same value, wasted work). Use loss='nll' after a "
               "log_softmax, or drop the log_softmax layer.")
    warnings.warn(msg, UserWarning, stacklevel=4)


def _softmax_inside(loss) -> bool:
    return loss.task == "classification" and bool(loss.from_logits) and loss.name in _SOFTMAX_INSIDE


def last_layer(module: nn.Module) -> nn.Module:
    """The last module of a (nested) nn.Sequential; the module itself otherwise."""
    while isinstance(module, nn.Sequential) and len(module):
        module = module[-1]
    return module


def check_head(module: nn.Module, loss) -> None:
    """At compile: a final nn.Softmax / nn.LogSoftmax before a logits loss warns once."""
    if not _softmax_inside(loss):
        return
    last = last_layer(module)
    if isinstance(last, nn.Softmax):
        _warn_softmax(loss, "softmax")
    elif isinstance(last, nn.LogSoftmax):
        _warn_softmax(loss, "log_softmax")
