import numpy as np
import pytest
import torch

from pratique import PratiqueError
from pratique.lab import OBJECTIVES, gradient_descent
from pratique.lab.gradient_descent import bowl, diverged, max_of_bowls, parabola

TORCH_F = {"parabola": lambda p: (p[0] - 1) ** 2, "bowl": lambda p: p[0] ** 2 + 5 * p[1] ** 2,
           "max_of_bowls": lambda p: torch.maximum((p[0] - 1) ** 2 + p[1] ** 2,
                                                   (p[0] + 1) ** 2 + p[1] ** 2)}


@pytest.mark.parametrize("name", list(OBJECTIVES))
def test_gradients_match_torch(name):
    obj = OBJECTIVES[name]
    dim = len(obj.minimum)
    for point in np.random.default_rng(0).normal(size=(10, dim)):
        t = torch.tensor(point, requires_grad=True)
        value = TORCH_F[name](t)
        value.backward()
        assert obj.f(point) == pytest.approx(value.item())
        np.testing.assert_allclose(obj.grad(point), t.grad.numpy(), rtol=1e-12)


def test_step_sizes_on_the_parabola():
    # x_{k+1} - 1 = (1 - 2 lr)(x_k - 1): converges iff 0 < lr < 1
    small = gradient_descent(parabola.grad, 3.0, lr=0.01, steps=20)
    good = gradient_descent(parabola.grad, 3.0, lr=0.4, steps=20)
    large = gradient_descent(parabola.grad, 3.0, lr=1.1, steps=20)
    assert small.shape == (21, 1)
    np.testing.assert_allclose(small[-1, 0] - 1, 2 * 0.98**20)
    assert abs(good[-1, 0] - 1) < 1e-6
    assert diverged(large, parabola) and not diverged(good, parabola)


def test_bowl_step_limit_and_stop_on_divergence():
    assert not diverged(gradient_descent(bowl.grad, (1.0, 1.0), lr=0.19, steps=200), bowl)
    path = gradient_descent(bowl.grad, (1.0, 1.0), lr=0.25, steps=10_000)
    assert diverged(path, bowl) and len(path) < 10_001  # stopped once past max_norm


def test_fixed_step_zigzags_on_the_max():
    path = gradient_descent(max_of_bowls.grad, (-0.9, 0.9), lr=0.3, steps=40)
    signs = np.sign(path[-10:, 0])
    assert (signs[1:] != signs[:-1]).all()  # crosses the kink x = 0 at every step
    assert abs(path[-1, 1]) < 1e-6


def test_rejects_bad_step():
    with pytest.raises(PratiqueError, match="lr > 0"):
        gradient_descent(parabola.grad, 0.0, lr=-1)
