"""A picture of an attack: originals, perturbations (amplified) and adversarials, with predictions."""
from __future__ import annotations

import torch

from ..explain._pixels import pixel_module, to_labels, to_pixels
from .fgsm import check_eps, fgsm, pgd
from .robustness import check_attacks


def plot_adversarials(model, x, y, eps: float = 0.1, method: str = "fgsm", n: int = 8, path=None):
    """A figure (saved as PNG to `path` when given) of the first `n` images in three rows: the
    originals, the perturbations (x_adv - x, blue -eps, white 0, red +eps)
    and the adversarials, each titled with its prediction (green right, red wrong).

    Example:
        >>> pq.attacks.plot_adversarials(model, x_test, y_test, eps=0.1, path="fgsm.png")
    """
    from ..reports.curves import plt, save_figure

    eps = check_eps(eps)
    (method,) = check_attacks(method)
    x = to_pixels(model, x[:n])
    y = to_labels(y[:n], len(x), x.device)
    adv = (fgsm if method == "fgsm" else pgd)(model, x, y, eps)
    net = pixel_module(model)
    with torch.no_grad():
        p_clean, p_adv = net(x).softmax(1), net(adv).softmax(1)
    names = getattr(model, "classes", None) or [str(i) for i in range(p_clean.shape[1])]
    fig, axes = plt.subplots(3, len(x), figsize=(1.5 * len(x), 5.2), squeeze=False)
    delta = ((adv - x) / (2 * eps) + 0.5).clamp(0, 1) if eps > 0 else torch.full_like(x, 0.5)
    for i in range(len(x)):
        for row, (img, probs) in enumerate([(x[i], p_clean[i]), (None, None), (adv[i], p_adv[i])]):
            ax = axes[row, i]
            if img is None:
                ax.imshow(delta[i].permute(1, 2, 0).squeeze(-1).cpu().numpy(), cmap="seismic", vmin=0, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
                continue
            pred = int(probs.argmax())
            ok = pred == int(y[i])
            _show_pixels(ax, img, f"{names[pred]} ({float(probs[pred]):.2f})", "green" if ok else "red")
    axes[0, 0].set_ylabel("original", fontsize=9)
    axes[1, 0].set_ylabel(f"perturbation\n(±{eps:g}, amplified)", fontsize=9)
    axes[2, 0].set_ylabel(f"{method.upper()} eps={eps:g}", fontsize=9)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def _show_pixels(ax, img: torch.Tensor, title: str, color: str) -> None:
    """Pixels as they are (no min-max stretch, which would hide a small perturbation)."""
    a = img.detach().cpu().permute(1, 2, 0)
    ax.imshow(a[..., 0] if a.shape[-1] == 1 else a, cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9, color=color)
