"""Grad-CAM (Selvaraju et al., 2017): where in the image a convolutional network looked (Captum's LayerGradCam)."""
from __future__ import annotations

import torch
from torch import nn

from ..core.errors import PratiqueError
from ._images import show, to_display
from ._inputs import last_conv_block, module_and_batch
from .curves import plt


def grad_cam(module: nn.Module, x: torch.Tensor, target: int | None = None, layer: str | None = None):
    """Grad-CAM heat map of one input batch `x` (1, C, H, W).

    The heat map is ReLU(sum_k w_k A_k) with w_k the spatial mean of d(score)/dA_k, A the
    output of `layer` (default: the last Conv2d, or the activation right after it), upsampled to (H, W) and scaled to [0, 1].

    Returns:
        (heatmap (H, W), target class, probabilities (num_classes,)).
    """
    _, conv = (layer, dict(module.named_modules()).get(layer)) if layer else last_conv_block(module)
    if conv is None:
        raise PratiqueError(f"Grad-CAM needs a convolutional layer. Received layer={layer!r}; "
                            "the model has no Conv2d of that name (or none at all).")
    from captum.attr import LayerAttribution, LayerGradCam

    was_training = module.training
    try:
        module.eval()
        with torch.no_grad():
            logits = module(x)
        target = int(logits[0].argmax()) if target is None else int(target)
        with torch.enable_grad():  # Captum's LayerGradCam: ReLU(sum_k mean(dS/dA_k) A_k)
            cam = LayerGradCam(module, conv).attribute(x.detach().requires_grad_(True),
                                                       target=target, relu_attributions=True)
    finally:
        module.train(was_training)
    cam = LayerAttribution.interpolate(cam.detach().sum(1, keepdim=True), tuple(x.shape[-2:]), "bilinear")[0, 0]
    cam = cam / cam.max() if cam.max() > 0 else cam
    return cam.cpu(), target, logits.detach()[0].softmax(dim=0).cpu()


def explain(model, image, target: int | None = None, layer: str | None = None):
    """A figure: the image, and the Grad-CAM heat map over it for `target` (default: the
    predicted class). `model.explain(image)` calls this.

    Example:
        >>> fig = explain(model, x_test[0])
    """
    module, x = module_and_batch(model, image)
    cam, target, probs = grad_cam(module, x, target, layer)
    classes = getattr(model, "classes", None)
    name = classes[target] if classes else str(target)
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(6.5, 3.6))
    show(a0, x[0], "input")
    a1.imshow(to_display(x[0]), cmap="gray")
    overlay = a1.imshow(cam.numpy(), cmap="jet", alpha=0.45, vmin=0, vmax=1)
    fig.colorbar(overlay, ax=a1, fraction=0.046, pad=0.04, label="importance")
    a1.set_xticks([])
    a1.set_yticks([])
    a1.set_title(f"Grad-CAM: {name} (p={float(probs[target]):.2f})", fontsize=10)
    fig.tight_layout()
    return fig
