"""Adversarial training (Goodfellow et al. 2015, section 6): train on a mix of clean images and
their adversarials, each made against the weights of the moment."""
from __future__ import annotations

import torch

from ..core.errors import PratiqueError
from ..explain._pixels import _preprocessing
from ..training.callbacks.base import Callback
from .fgsm import check_eps, fgsm, pgd
from .robustness import check_attacks


class AdversarialTraining(Callback):
    """Replace a fraction `ratio` of every training batch by its adversarial (FGSM or PGD at
    `eps`, in pixel space [0, 1], the model's normalization respected).

    The first `round(ratio * batch)` images of each (shuffled) batch are attacked with the
    current weights; labels stay the true ones. Validation and evaluation see clean images.

    Args:
        eps: L-inf budget, a fraction of the pixel range (0.1 = 25.5 grey levels).
        method: "fgsm" or "pgd" (10 steps of 2.5 eps / 10).
        ratio: fraction of each batch replaced, in (0, 1].

    Example:
        >>> model.fit(x, y, epochs=8, callbacks=[pq.attacks.AdversarialTraining(eps=0.2)])
        >>> pq.attacks.robustness(model, (x_test, y_test), eps=[0, 0.1, 0.2])
    """

    def __init__(self, eps: float = 0.1, method: str = "fgsm", ratio: float = 0.5):
        self.eps = check_eps(eps)
        (self.method,) = check_attacks(method)
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0 < ratio <= 1:
            raise PratiqueError(f"ratio must be a number in (0, 1]: the fraction of each batch "
                                f"replaced by adversarials. Received: ratio={ratio!r}. Try 0.5.")
        self.ratio = float(ratio)

    def transform_train_batch(self, x: torch.Tensor, y: torch.Tensor):
        k = round(self.ratio * len(x))
        if k == 0 or self.eps == 0:
            return x, y
        pre = _preprocessing(self.model)
        mean, std = _stats(pre, x)
        pixels = x[:k].float() if mean is None else x[:k].float() * std + mean  # (k, C, H, W) in [0, 1]
        module = self.model.module
        was_training = module.training  # the attack runs in eval mode (pixel_module): put it back
        try:
            attack = fgsm if self.method == "fgsm" else pgd
            adv = attack(self.model, pixels.clamp(0, 1), y[:k], self.eps)
        finally:
            module.train(was_training)
        out = x.clone()  # keeps x's dtype and memory layout
        out[:k] = adv if mean is None else (adv - mean) / std
        return out, y


def _stats(pre, x: torch.Tensor):
    """The normalization's mean and std as (1, C, 1, 1) on x's device, or (None, None)."""
    if pre.mean is None:
        return None, None
    return (pre.mean.view(1, -1, 1, 1).to(x.device), pre.std.view(1, -1, 1, 1).to(x.device))
