"""The classics: the literature's output shapes at every stage, parameter counts done by hand."""
import pytest
import torch
from torch import nn

from pratique import PratiqueError
from pratique.models import create_model
from pratique.models.activations import get_activation, list_activations


def _stages(module: nn.Sequential, shape) -> list[tuple]:
    """Output shape (without batch) after every conv, pool, flatten and linear layer."""
    x, out = torch.zeros(1, *shape), []
    for layer in module:
        x = layer(x)
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d, nn.Flatten, nn.Linear)):
            out.append(tuple(x.shape[1:]))
    return out


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_lenet5_on_32x32_matches_the_paper():
    m = create_model("lenet5", input_size=32, activation="tanh", pool="avg")
    assert _stages(m, (1, 32, 32)) == [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (400,),
                                       (120,), (84,), (10,)]
    # conv 6*(25+1) + conv 16*(6*25+1) + 120*(400+1) + 84*(120+1) + 10*(84+1)
    assert _count(m) == 156 + 2416 + 48120 + 10164 + 850 == 61706


def test_lenet5_on_28x28_pads_to_the_same_shapes():
    m = create_model("lenet5")  # the default: 28x28 MNIST, relu, max-pool
    assert _stages(m, (1, 28, 28))[:2] == [(6, 28, 28), (6, 14, 14)]
    assert _count(m) == 61706


def test_lenet1_shapes_and_params():
    m = create_model("lenet1", activation="tanh", pool="avg")
    assert _stages(m, (1, 28, 28)) == [(4, 24, 24), (4, 12, 12), (12, 8, 8), (12, 4, 4), (192,), (10,)]
    assert _count(m) == 4 * 26 + 12 * (4 * 25 + 1) + 10 * (192 + 1) == 3246


def test_lenet4_shapes_and_params():
    m = create_model("lenet4", input_size=32)
    assert _stages(m, (1, 32, 32)) == [(4, 28, 28), (4, 14, 14), (16, 10, 10), (16, 5, 5), (400,),
                                       (120,), (10,)]
    assert _count(m) == 104 + 16 * (4 * 25 + 1) + 120 * 401 + 10 * 121 == 51050


def test_course_cnns_params():
    assert _stages(create_model("cnn_mnist"), (1, 28, 28))[:4] == [(32, 26, 26), (32, 13, 13),
                                                                    (64, 11, 11), (64, 5, 5)]
    assert _count(create_model("cnn_mnist")) == 320 + 18496 + 128 * 1601 + 10 * 129 == 225_034
    # the Keras CIFAR-10 example's printed total
    assert _count(create_model("cnn_cifar10")) == 896 + 9248 + 18496 + 36928 + 512 * 2305 + 5130
    assert _count(create_model("cnn_cifar10")) == 1_250_858


def test_perceptron_and_mlp_params():
    assert _count(create_model("perceptron")) == 10 * (784 + 1)
    assert _count(create_model("mlp", hidden=(32, 16), in_channels=3, input_size=8)) == (
        32 * (192 + 1) + 16 * 33 + 10 * 17)


def test_lenet_options_are_checked():
    with pytest.raises(PratiqueError, match="input_size 28 or 32"):
        create_model("lenet5", input_size=64)
    with pytest.raises(PratiqueError, match="Did you mean 'max'"):
        create_model("lenet4", pool="maxx")
    with pytest.raises(PratiqueError, match="Did you mean 'tanh'"):
        create_model("lenet1", activation="tanhh")
    avg = create_model("lenet5", pool="avg", activation="tanh")
    assert isinstance(avg[2], nn.AvgPool2d) and isinstance(avg[1], nn.Tanh)


def test_activation_values():
    x = torch.tensor([-2.0, -0.25, 0.0, 0.25, 2.0])
    expected = {
        "step": [0, 0, 0, 1, 1], "sign": [-1, -1, 0, 1, 1], "linear": x.tolist(),
        "piecewise_linear": [0, 0.25, 0.5, 0.75, 1], "relu": [0, 0, 0, 0.25, 2],
        "sigmoid": torch.sigmoid(x).tolist(), "tanh": torch.tanh(x).tolist(),
    }
    for name, values in expected.items():
        torch.testing.assert_close(get_activation(name)(x), torch.tensor(values, dtype=torch.float32))
    assert {"gelu", "silu", "elu", "leaky_relu", "mish"} <= set(list_activations())


@pytest.mark.parametrize("name", ["step", "sign"])
def test_step_and_sign_have_zero_gradient(name):
    x = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    get_activation(name)(x).sum().backward()
    assert torch.equal(x.grad, torch.zeros(3))


def test_every_activation_runs_backward():
    for name in list_activations():
        x = torch.linspace(-2, 2, 9, requires_grad=True)
        get_activation(name)(x).sum().backward()
        assert x.grad is not None and torch.isfinite(x.grad).all(), name
