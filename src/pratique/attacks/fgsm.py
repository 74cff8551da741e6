"""FGSM and PGD (Goodfellow et al. 2015; Madry et al. 2018) from `captum.robust`, in pixel space.

Epsilon is a fraction of the pixel range [0, 1] whatever the model's normalization: Captum
perturbs pixels, the model's mean/std are applied inside (`PixelModule`), and the result is
clipped to [0, 1]. The loss is cross-entropy on the logits, one per image (not their mean, which
would scale each gradient by 1/N towards Captum's zero threshold: where |gradient| <= 1e-6
Captum leaves the pixel as it is).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..core.errors import PratiqueError
from ..explain._pixels import pixel_module, quiet_captum, to_labels, to_pixels


def check_eps(eps, what: str = "eps") -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 <= eps <= 1:
        raise PratiqueError(f"{what} must be a number in [0, 1] (a fraction of the pixel range). "
                            f"Received: {what}={eps!r}. For 8/255 write 8 / 255.")
    return float(eps)


def _loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits, y, reduction="none")  # (N,): Captum differentiates each


def fgsm(model, x, y, eps: float, targeted: bool = False) -> torch.Tensor:
    """Adversarial images by the fast gradient sign method: x + eps * sign(grad of the loss),
    clipped to [0, 1] (targeted: x - eps * sign(grad of the loss of the target class `y`)).

    Args:
        model: a `Model` / `ImageClassifier` (its normalization applied inside) or an nn.Module.
        x: images (N, C, H, W), (N, H, W) or (N, H, W, C): uint8, or floats in [0, 1].
        y: true labels (untargeted) or target classes (targeted): one per image, or one int.
        eps: L-inf budget, a fraction of the pixel range (0.1 = 25.5 grey levels).
        targeted: move towards class `y` instead of away from it.

    Returns:
        float32 pixels (N, C, H, W) in [0, 1].

    Example:
        >>> x_adv = pq.attacks.fgsm(model, x_test[:8], y_test[:8], eps=0.1)
    """
    from captum.robust import FGSM

    eps = check_eps(eps)
    net = pixel_module(model)
    x = to_pixels(model, x)
    y = to_labels(y, len(x), x.device)
    attack = FGSM(net, loss_func=_loss, lower_bound=0.0, upper_bound=1.0)
    with quiet_captum():
        return attack.perturb(x, eps, y, targeted=targeted).detach()


def pgd(model, x, y, eps: float, steps: int = 10, step_size: float | None = None,
        targeted: bool = False, random_start: bool = False) -> torch.Tensor:
    """Adversarial images by projected gradient descent: `steps` FGSM steps of `step_size`
    (default 2.5 * eps / steps, Madry et al.), each projected back into the L-inf ball of
    radius eps around x and into [0, 1]. Arguments as `fgsm`; `random_start` begins at a
    uniform random point of the ball (seed it with torch.manual_seed).

    Example:
        >>> x_adv = pq.attacks.pgd(model, x_test[:8], y_test[:8], eps=0.1, steps=20)
    """
    from captum.robust import PGD

    eps = check_eps(eps)
    if not isinstance(steps, int) or steps < 1:
        raise PratiqueError(f"steps must be a positive int. Received: steps={steps!r}")
    step_size = 2.5 * eps / steps if step_size is None else check_eps(step_size, "step_size")
    net = pixel_module(model)
    x = to_pixels(model, x)
    y = to_labels(y, len(x), x.device)
    attack = PGD(net, loss_func=_loss, lower_bound=0.0, upper_bound=1.0)
    with quiet_captum():
        return attack.perturb(x, eps, step_size, steps, y, targeted=targeted,
                              random_start=random_start).detach()


def noise(model, x, eps: float, seed: int = 0) -> torch.Tensor:
    """The control: x + eps * random signs, clipped to [0, 1] — the L-inf (and L2) norm of an
    FGSM perturbation, in a random direction."""
    eps = check_eps(eps)
    x = to_pixels(model, x)
    g = torch.Generator().manual_seed(seed)
    signs = torch.randint(0, 2, x.shape, generator=g).to(x.device, x.dtype) * 2 - 1
    return (x + eps * signs).clamp(0, 1)
