import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pratique import PratiqueError
from pratique.lab import (
    conv2d_im2col,
    conv2d_loops,
    conv_output_size,
    conv_params,
    pool2d,
    receptive_field,
    sobel,
)

CASES = [  # (C_in, C_out, k, stride, padding, dilation, groups)
    (1, 2, 3, 1, 0, 1, 1), (3, 4, 3, 2, 1, 1, 1), (2, 3, (2, 3), 1, 2, 2, 1),
    (4, 6, 3, 2, 1, 1, 2), (4, 4, 3, 1, 1, 2, 4),
]


@pytest.mark.parametrize("c_in, c_out, k, stride, padding, dilation, groups", CASES)
def test_conv_by_hand_equals_torch(c_in, c_out, k, stride, padding, dilation, groups):
    rng = np.random.default_rng(0)
    kh, kw = (k, k) if isinstance(k, int) else k
    x = rng.normal(size=(2, c_in, 9, 8))
    w = rng.normal(size=(c_out, c_in // groups, kh, kw))
    b = rng.normal(size=c_out)
    ref = F.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=stride,
                   padding=padding, dilation=dilation, groups=groups).numpy()
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    np.testing.assert_allclose(conv2d_loops(x, w, b, **kwargs), ref, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(conv2d_im2col(x, w, b, **kwargs), ref, rtol=1e-10, atol=1e-10)


def test_output_size_and_params_against_torch():
    for n, k, s, p, d in [(28, 5, 1, 0, 1), (224, 7, 2, 3, 1), (32, 3, 2, 1, 1), (17, 3, 3, 2, 2)]:
        out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
        assert conv_output_size(n, k, s, p, d) == out.shape[-1]
    for c_in, c_out, k, g, bias in [(3, 64, 3, 1, True), (64, 64, 3, 64, False), (8, 16, (1, 5), 2, True)]:
        conv = torch.nn.Conv2d(c_in, c_out, k, groups=g, bias=bias)
        assert conv_params(c_in, c_out, k, g, bias) == sum(p.numel() for p in conv.parameters())
    with pytest.raises(PratiqueError, match="does not fit"):
        conv_output_size(2, 5)


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 2), (3, 1)])
def test_pooling_equals_torch(mode, kernel, stride):
    x = np.random.default_rng(1).normal(size=(2, 3, 7, 8))
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    ref = pool(torch.tensor(x), kernel, stride=stride).numpy()
    np.testing.assert_allclose(pool2d(x, kernel, stride, mode), ref, rtol=1e-12)


def test_receptive_field_equals_the_gradient_footprint():
    layers = [(3, 1), (3, 2), (3, 1, 2), (2, 2), (3, 1)]  # (kernel, stride[, dilation])
    x = torch.ones(1, 1, 64, 64, requires_grad=True)
    h = x
    for layer in layers:
        k, s, d = (tuple(layer) + (1,))[:3]
        h = F.conv2d(h, torch.ones(1, 1, k, k, dtype=h.dtype), stride=s, dilation=d)
    h[0, 0, h.shape[2] // 2, h.shape[3] // 2].backward()
    rows = np.nonzero(x.grad[0, 0].sum(dim=1).numpy())[0]  # input rows the output depends on
    assert receptive_field(layers)[-1]["rf"] == rows.max() - rows.min() + 1


def test_sobel_finds_a_vertical_edge():
    img = np.zeros((8, 8))
    img[:, 4:] = 1.0  # dark left half, bright right half
    gx, gy, mag = sobel(img)
    assert gx.shape == (6, 6) and np.all(gy == 0) and np.allclose(mag, np.abs(gx))
    assert set(np.nonzero(gx)[1]) == {2, 3} and gx.max() == 4.0
    ref = F.conv2d(torch.tensor(img)[None, None], torch.tensor([[[[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]]]],
                   dtype=torch.float64))
    np.testing.assert_allclose(gx, ref[0, 0].numpy())
