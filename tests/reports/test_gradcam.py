import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from pratique import ImageClassifier
from pratique.reports.gradcam import grad_cam


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 5, 3, padding=1),
                         nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 3))


def test_matches_the_formula_computed_with_autograd():
    net = _net()
    x = torch.rand(1, 1, 8, 8)
    # default layer: the ReLU after the last conv (net[3]); layer="2" names the conv itself
    for layer, cut in [(None, 4), ("2", 3)]:
        cam, target, probs = grad_cam(net, x, target=2, layer=layer)
        a = net[:cut](x)
        a.retain_grad()
        net[cut:](a)[0, 2].backward()
        ref = F.relu((a.grad.mean(dim=(2, 3), keepdim=True) * a).sum(1, keepdim=True)).detach()
        ref = F.interpolate(ref, size=(8, 8), mode="bilinear", align_corners=False)[0, 0]
        assert target == 2 and torch.allclose(cam, ref / ref.max(), atol=1e-5)
        assert torch.allclose(probs, net(x)[0].softmax(0), atol=1e-6)


def test_points_at_the_evidence():
    # the class-1 score is the mean activation over the left half only
    conv = nn.Conv2d(1, 1, 1, bias=False)
    nn.init.ones_(conv.weight)

    class LeftHalf(nn.Module):
        def forward(self, a):
            s = a[:, 0, :, :4].mean(dim=(1, 2))
            return torch.stack([-s, s], dim=1)

    net = nn.Sequential(conv, LeftHalf())
    x = torch.ones(1, 1, 8, 8)
    x[..., :2] = 3.0  # a bright stripe on the far left
    cam, target, _ = grad_cam(net, x)
    assert target == 1
    assert cam[:, :2].mean() > cam[:, 4:].mean()


def test_explain_on_a_classifier_gives_a_titled_figure():
    clf = ImageClassifier("lenet5", seed=0)
    clf.classes = [f"digit {i}" for i in range(10)]
    image = np.random.default_rng(0).integers(0, 255, (28, 28), dtype=np.uint8)
    fig = clf.explain(image)
    title = fig.axes[1].get_title()
    assert title.startswith("Grad-CAM: digit ") and "p=" in title
    fig = clf.explain(image, target=3)
    assert fig.axes[1].get_title().startswith("Grad-CAM: digit 3")
