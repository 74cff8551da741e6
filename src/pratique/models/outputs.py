"""What a classifier's outputs are, and how they become class probabilities.

A softmax over one column is 1.0 for every sample, and a softmax over outputs that already are
probabilities flattens them: both answer with a confident, wrong class and no error. So every
place that turns outputs into probabilities or labels (predict, the CLI, reports, exports) asks
here, once, what the outputs are:

- "logits": a softmax over the classes; one column (a binary head) gets a sigmoid.
- "probabilities": as they are (a final Softmax or Sigmoid layer, or a probability loss such as
  Keras' `binary_crossentropy` / `categorical_crossentropy`).
- "log_probabilities": exp (a final LogSoftmax, or loss="nll").

One column means binary: the probabilities become two columns (N, 2), `[1 - p, p]`, so class 1
is the positive class, as Keras' `predict > 0.5` reads it.
"""
from __future__ import annotations

import torch
from torch import nn

__all__ = ["KINDS", "output_kind", "probabilities"]

KINDS = ("logits", "probabilities", "log_probabilities")


def _last_layer(module: nn.Module) -> nn.Module | None:
    """The last layer of an `nn.Sequential` (nested ones followed down); None for any other
    module, whose forward order its attributes do not tell."""
    while isinstance(module, nn.Sequential) and len(module):
        module = module[-1]
    return module if not isinstance(module, nn.Sequential) else None


def output_kind(module: nn.Module | None, loss=None) -> str:
    """"logits", "probabilities" or "log_probabilities" for `module`'s outputs, from its final
    layer, else from the compiled `loss` (its `name` and `from_logits`); "logits" otherwise."""
    last = _last_layer(module) if module is not None else None
    if isinstance(last, (nn.Softmax, nn.Sigmoid)):
        return "probabilities"
    if isinstance(last, nn.LogSoftmax):
        return "log_probabilities"
    if getattr(loss, "name", None) == "nll":
        return "log_probabilities"
    if getattr(loss, "from_logits", None) is False:
        return "probabilities"
    return "logits"


def probabilities(outputs: torch.Tensor, kind: str = "logits") -> torch.Tensor:
    """Class probabilities (N, C) from outputs (N, C), (N, 1) or (N,) of the given kind;
    binary outputs give (N, 2) = [1 - p, p]."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}. Received: {kind!r}")
    x = torch.as_tensor(outputs).float()
    if x.dim() == 1:
        x = x.unsqueeze(-1)  # (N,) -> (N, 1): one binary output per sample
    if kind == "log_probabilities":
        p = x.exp()
    elif kind == "probabilities":
        p = x
    else:
        p = x.sigmoid() if x.shape[-1] == 1 else x.softmax(dim=-1)
    return torch.cat([1 - p, p], dim=-1) if p.shape[-1] == 1 else p
