"""Accuracy under attack, per epsilon, beside the same budget spent on random noise."""
from __future__ import annotations

import torch

from ..core.errors import PratiqueError
from ..explain._pixels import pixel_module, to_labels, to_pixels
from .fgsm import check_eps, fgsm, noise, pgd

EPS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)
ATTACKS = ("fgsm", "pgd")


def robustness(model, data, eps=EPS, methods=("fgsm",), batch_size: int = 256, limit: int | None = None):
    """Accuracy on clean, attacked and noised images, for each epsilon.

    Args:
        model: a `Model` / `ImageClassifier` or an nn.Module.
        data: `(x, y)` (x uint8, or floats in [0, 1]), an `ImageData` (its test split, else its
            validation split) or a dataset name ("mnist5k": its test split).
        eps: L-inf budgets, fractions of the pixel range [0, 1].
        methods: attacks among "fgsm" and "pgd" (10 steps of 2.5 eps / 10).
        batch_size: images per attacked batch.
        limit: attack only the first `limit` images.

    Returns:
        list of dicts, one per epsilon: {"eps", "fgsm", ["pgd"], "noise"} accuracies; "noise"
        is the control: random signs of the same L-inf norm (eps per pixel).

    Example:
        >>> for row in pq.attacks.robustness(model, (x_test, y_test), eps=[0, 0.1, 0.2]):
        ...     print(row)
    """
    eps = [check_eps(e) for e in eps]
    methods = check_attacks(methods)
    net = pixel_module(model)
    correct = {(e, m): 0 for e in eps for m in (*methods, "noise")}
    total = 0
    for xb, yb in _batches(model, data, batch_size, limit):
        total += len(yb)
        for e in eps:
            for m in (*methods, "noise"):
                if e == 0:  # every attack returns x itself at eps 0 (x + 0 * sign, clipped)
                    adv = xb
                else:
                    adv = noise(model, xb, e, seed=total) if m == "noise" else _ATTACK[m](model, xb, yb, e)
                with torch.no_grad():
                    correct[e, m] += int((net(adv).argmax(1) == yb).sum())
    if total == 0:
        raise PratiqueError("robustness got no images. Pass (x, y) arrays, an ImageData or a dataset name.")
    return [{"eps": e, **{m: correct[e, m] / total for m in (*methods, "noise")}} for e in eps]


_ATTACK = {"fgsm": fgsm, "pgd": pgd}


def check_attacks(methods) -> tuple[str, ...]:
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    bad = [m for m in methods if m not in ATTACKS]
    if bad or not methods:
        raise PratiqueError(f"Unknown attack {', '.join(map(repr, bad)) or '(none given)'}. "
                            f"Expected some of: {', '.join(ATTACKS)}.")
    return methods


def _batches(model, data, batch_size: int, limit: int | None):
    """(pixels (B, C, H, W) in [0, 1], labels (B,)) on the model's device."""
    if isinstance(data, str):
        from ..data.datasets import load_data

        data = load_data(data)[1]  # its test split
    if hasattr(data, "eval_batches"):  # an ImageData: normalized batches, brought back to pixels
        seen = 0
        for xb, yb in data.eval_batches():
            xb, yb = (xb, yb) if limit is None else (xb[:limit - seen], yb[:limit - seen])
            if not len(yb):
                return
            seen += len(yb)
            px = to_pixels(model, xb)
            yield px, to_labels(yb, len(px), px.device)
        return
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise PratiqueError(f"data must be (x, y), an ImageData or a dataset name. Received: {type(data).__name__}.")
    x, y = data
    n = len(x) if limit is None else min(limit, len(x))
    for i in range(0, n, batch_size):
        px = to_pixels(model, x[i:min(i + batch_size, n)])
        yield px, to_labels(y[i:min(i + batch_size, n)], len(px), px.device)
