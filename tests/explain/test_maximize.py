"""Activation maximization climbs its objective, with the DeepViz regularizers applied."""
import pytest
import torch

import pratique as pq
from pratique.explain import maximize, objective


@pytest.fixture(scope="module")
def lenet():
    return pq.ImageClassifier("lenet5", seed=0)


def _start(shape=(1, 28, 28)):
    """maximize()'s starting image for seed 0 (no normalization: centred on 0.5)."""
    g = torch.Generator().manual_seed(0)
    return (torch.randn((1, *shape), generator=g) * 0.01 + 0.5).clamp(0, 1)


@pytest.mark.parametrize("layer,channel,neuron", [("3", 5, None), (None, 7, None), ("3", 2, (4, 4)),
                                                  ("8", 11, None)])
def test_the_objective_increases_from_the_starting_image(lenet, layer, channel, neuron):
    img = maximize(lenet, layer=layer, channel=channel, neuron=neuron, steps=12, lr=0.05)
    assert img.shape == (1, 28, 28) and 0 <= img.min() and img.max() <= 1
    before = objective(lenet, _start(), layer, channel, neuron)
    after = objective(lenet, img[None], layer, channel, neuron)
    assert after > before + 0.01  # an ascent with a wrong sign would lower it


def test_zeroing_small_values_leaves_the_average_image_there(lenet):
    # value_pct=50: after the last step, the half of the pixels with the smallest |x - centre| is the centre
    img = maximize(lenet, layer="3", channel=0, steps=3, value_pct=50)
    assert (img == 0.5).float().mean() >= 0.5


def test_a_grid_of_every_class_is_drawn(lenet, tmp_path):
    fig = pq.explain.maximize_grid(lenet, steps=2, path=tmp_path / "classes.png")
    assert (tmp_path / "classes.png").stat().st_size > 0
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 10 and titles[0].startswith("class 0")


def test_errors(lenet):
    with pytest.raises(pq.PratiqueError, match="Unknown layer 'feature.3'"):
        maximize(lenet, layer="feature.3", steps=1)
    with pytest.raises(pq.PratiqueError, match="channel must be in"):
        maximize(lenet, layer="3", channel=99, steps=1)
    with pytest.raises(pq.PratiqueError, match="Unknown regularizer 'blur'.*Expected some of: l2"):
        maximize(lenet, steps=1, blur=2)


@pytest.mark.slow
def test_efficientnet_lite0_pretrained_channel_and_class():
    model = pq.ImageClassifier("efficientnet_lite0", pretrained=True)
    layer = next(n for n, _ in model.module.named_modules() if n.endswith("blocks.2"))
    pre = pq.explain.maximize(model, layer=layer, channel=3, steps=10)
    start = torch.as_tensor(model.preprocessing["mean"]).view(1, 3, 1, 1).expand(1, 3, 224, 224)
    assert objective(model, pre[None], layer, 3) > objective(model, start, layer, 3)
    img = pq.explain.maximize(model, channel=1, steps=10)  # class 1 (goldfish)
    assert objective(model, img[None], None, 1) > objective(model, start, None, 1)
