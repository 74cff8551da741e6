"""Each attribution is Captum's own call on the model behind its normalization (no math added)."""
import numpy as np
import pytest
import torch
from captum import attr
from torch import nn

import pratique as pq
from pratique.explain.attributions import occlusion_window

MEAN, STD = [0.2, 0.4, 0.6], [0.3, 0.2, 0.25]


def _model():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 6, 3, padding=1),
                        nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3))
    model = pq.Model(net)
    model.preprocessing = {"mean": MEAN, "std": STD}
    model.input_shape = (3, 12, 12)
    return model


class _Reference(nn.Module):
    """The course's way: normalize, then the network (written apart from pratique's PixelModule)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net((x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1))


def _captum(method, ref, x, target):
    if method == "saliency":
        return attr.Saliency(ref).attribute(x, target=target)
    if method == "integrated_gradients":
        return attr.IntegratedGradients(ref).attribute(x, baselines=x * 0, target=target)
    if method == "occlusion":
        window, strides = occlusion_window(x.shape)
        return attr.Occlusion(ref).attribute(x, sliding_window_shapes=window, strides=strides,
                                             baselines=0.0, target=target)
    if method == "gradcam":  # the last conv block: the ReLU after the second conv
        cam = attr.LayerGradCam(ref, ref.net[3]).attribute(x, target=target, relu_attributions=True)
        return attr.LayerAttribution.interpolate(cam, (12, 12), "bilinear")
    return attr.GuidedBackprop(ref).attribute(x, target=target)


@pytest.mark.parametrize("method", pq.explain.METHODS)
def test_each_method_equals_captums_call_on_the_normalized_model(method):
    model = _model()
    image = np.random.default_rng(0).integers(0, 256, (12, 12, 3), dtype=np.uint8)  # channels-last uint8
    x = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
    ours = pq.explain.attributions(model, image, target=1, methods=(method,))
    ref = _captum(method, _Reference(model.module).eval(), x, 1)[0]
    assert ours["target"] == 1 and ours[method].shape == ref.shape
    assert ref.abs().max() > 0
    torch.testing.assert_close(ours[method], ref, atol=1e-5, rtol=1e-4)


def test_default_target_is_the_predicted_class_and_probabilities_are_the_models():
    model = _model()
    image = torch.rand(3, 12, 12)
    a = pq.explain.attributions(model, image, methods="saliency")
    probs = _Reference(model.module).eval()(image[None])[0].softmax(0)
    torch.testing.assert_close(a["probabilities"], probs, atol=1e-6, rtol=1e-5)
    assert a["target"] == int(probs.argmax())


def test_errors_name_the_valid_choices():
    model = _model()
    with pytest.raises(pq.PratiqueError, match="Expected some of: saliency, integrated_gradients"):
        pq.explain.attributions(model, torch.rand(3, 12, 12), methods=("saliency", "lime"))
    with pytest.raises(pq.PratiqueError, match="Unknown layer 'net.9'.*Expected one of: 0, 1, 2"):
        pq.explain.attributions(model, torch.rand(3, 12, 12), methods="gradcam", layer="net.9")
    with pytest.raises(pq.PratiqueError, match=r"pixel space.*\[0, 1\]"):
        pq.explain.attributions(model, torch.randn(3, 12, 12) * 3, methods="saliency")


def test_the_grid_png_is_written_with_the_predicted_and_true_class(tmp_path):
    model = _model()
    model.classes = ["cat", "dog", "owl"]
    path = tmp_path / "grid.png"
    fig = pq.explain.plot_attributions(model, torch.rand(3, 12, 12), label=2,
                                       methods=("saliency", "gradcam"), path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(fig.axes) == 3
    title = fig.axes[0].get_title()
    assert title.startswith("pred ") and "true owl" in title
