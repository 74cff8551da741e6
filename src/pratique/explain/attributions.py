"""Attributions from Captum: which pixels made the model say what it said.

pratique adds no math: each method is Captum's own call on the model behind its
normalization (`PixelModule`), with the image in pixel space [0, 1].
"""
from __future__ import annotations

import torch

from ..core.errors import PratiqueError
from ._pixels import find_layer, pixel_module, quiet_captum, to_pixels

METHODS = ("saliency", "integrated_gradients", "occlusion", "gradcam", "guided_backprop")


def check_methods(methods) -> tuple[str, ...]:
    """The method names, validated: unknown names raise, listing the valid ones."""
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    bad = [m for m in methods if m not in METHODS]
    if bad or not methods:
        raise PratiqueError(f"Unknown attribution method {', '.join(map(repr, bad)) or '(none given)'}. "
                            f"Expected some of: {', '.join(METHODS)}.")
    return methods


def attributions(model, image, target: int | None = None, methods=METHODS, layer: str | None = None):
    """Attributions of one image for `target` (default: the predicted class), from Captum.

    Methods: "saliency" (|d score / d pixel|), "integrated_gradients" (50 steps from a black
    image), "occlusion" (a black patch of about 1/7 of the side, moved by half of it),
    "gradcam" (LayerGradCam on `layer`, default the last conv block, upsampled bilinearly to
    the image) and "guided_backprop".

    Args:
        model: a `Model` / `ImageClassifier` (its normalization is applied) or an nn.Module.
        image: one image: (H, W), (C, H, W) or (H, W, C); uint8, or floats in [0, 1]; or a file.
        target: the class explained (default: the predicted one).
        methods: names from `pq.explain.METHODS`.
        layer: the layer Grad-CAM reads (a name from `module.named_modules()`).

    Returns:
        dict: method -> attribution (C, H, W) ((1, H, W) for gradcam), plus "target" (int),
        "probabilities" (num_classes,) and "image" (C, H, W) pixels.

    Example:
        >>> a = pq.explain.attributions(model, x_test[0], methods=("saliency", "gradcam"))
        >>> a["saliency"].shape, a["target"]
    """
    methods = check_methods(methods)
    net = pixel_module(model)
    grad_layer = _gradcam_layer(net.module, layer) if "gradcam" in methods else None
    x = _one_image(model, image)
    with torch.no_grad():
        probs = net(x)[0].softmax(0)
    target = int(probs.argmax()) if target is None else int(target)
    if not 0 <= target < probs.numel():
        raise PratiqueError(f"target must be a class index in [0, {probs.numel() - 1}]. Received: {target}")
    out = {"target": target, "probabilities": probs.cpu(), "image": x[0].detach().cpu()}
    with quiet_captum():
        for m in methods:
            out[m] = _attribute(m, net, x, target, grad_layer)[0].detach().cpu()
    return out


def _one_image(model, image) -> torch.Tensor:
    if isinstance(image, (str, bytes)) or hasattr(image, "__fspath__"):
        return to_pixels(model, image, "image")
    image = torch.as_tensor(image) if not hasattr(image, "shape") else image
    if image.ndim not in (2, 3):
        raise PratiqueError(f"image must be one image (H, W), (C, H, W) or (H, W, C). Received shape "
                            f"{tuple(image.shape)}; for a batch, call once per image.")
    return to_pixels(model, image[None], "image")


def _gradcam_layer(module, layer):
    from ..reports._inputs import last_conv_block

    if layer is None:
        _, found = last_conv_block(module)
        if found is None:
            raise PratiqueError("Grad-CAM needs a convolutional layer, and this model has no Conv2d. "
                                "Leave 'gradcam' out of methods.")
        return found
    return find_layer(module, layer)


def _attribute(method: str, net, x: torch.Tensor, target: int, grad_layer) -> torch.Tensor:
    from captum import attr

    if method == "saliency":
        return attr.Saliency(net).attribute(x, target=target)
    if method == "integrated_gradients":
        return attr.IntegratedGradients(net).attribute(x, baselines=torch.zeros_like(x), target=target)
    if method == "occlusion":
        window, stride = occlusion_window(x.shape)
        return attr.Occlusion(net).attribute(x, sliding_window_shapes=window, strides=stride,
                                             baselines=0.0, target=target, perturbations_per_eval=64)
    if method == "gradcam":
        cam = attr.LayerGradCam(net, grad_layer).attribute(x, target=target, relu_attributions=True)
        return attr.LayerAttribution.interpolate(cam, tuple(x.shape[-2:]), "bilinear")
    return attr.GuidedBackprop(net).attribute(x, target=target)


def occlusion_window(shape) -> tuple[tuple, tuple]:
    """(window, strides) for Occlusion on images (N, C, H, W): all channels, a square of about
    1/7 of the shorter side (4 px on 28, 32 on 224), moved by half of it."""
    c, h, w = shape[1:]
    side = max(2, round(min(h, w) / 7))
    return (c, side, side), (c, max(1, side // 2), max(1, side // 2))
