import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pratique.lab import MLP, spiral, xor

TORCH_ACT = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
             "identity": lambda z: z}


def _torch_loss(loss, scores, y, n_out):
    if loss == "cross_entropy":
        return F.cross_entropy(scores, y)
    if loss == "mse":
        return 0.5 * ((scores - F.one_hot(y, n_out).double()) ** 2).sum() / len(y)
    # torch's multi-margin loss averages over classes too: ours is the sum, so × n_out
    return F.multi_margin_loss(scores, y, margin=1.0) * n_out


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse", "hinge"])
def test_backprop_equals_torch_autograd(activation, loss):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 3)), rng.integers(0, 4, size=16)
    net = MLP([3, 7, 5, 4], activation=activation, seed=1)
    target = np.eye(4)[y] if loss == "mse" else y
    value, grads_w, grads_b = net.loss_and_grads(x, target, loss, weight_decay=0.01)

    ws = [torch.tensor(w, requires_grad=True) for w in net.W]
    bs = [torch.tensor(b, requires_grad=True) for b in net.b]
    a = torch.tensor(x)
    for i, (w, b) in enumerate(zip(ws, bs)):
        a = a @ w + b
        a = a if i == len(ws) - 1 else TORCH_ACT[activation](a)
    ref = _torch_loss(loss, a, torch.tensor(y), 4) + 0.005 * sum((w**2).sum() for w in ws)
    ref.backward()
    assert value == pytest.approx(ref.item(), rel=1e-10)
    for ours, t in zip(grads_w + grads_b, ws + bs):
        np.testing.assert_allclose(ours, t.grad.numpy(), rtol=1e-8, atol=1e-8)


def test_mlp_learns_xor():
    x, y = xor(4)
    net = MLP([2, 8, 2], activation="tanh", seed=0)
    losses = net.fit(x, y, lr=0.5, steps=500)
    assert losses[-1] < 0.05 < losses[0]
    assert (net.predict(x) == y).all()


def test_mlp_learns_the_spiral():
    x, y = spiral(60, 3)
    net = MLP([2, 64, 3], activation="relu", seed=0)
    net.fit(x, y, lr=1.0, steps=800, weight_decay=1e-3)
    assert np.mean(net.predict(x) == y) > 0.9  # a linear model gets about 50%
