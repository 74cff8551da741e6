"""A NumPy multilayer perceptron with backpropagation written by hand.

Forward, layer l: z_l = a_{l-1} W_l + b_l, a_l = g(z_l) (the last layer is linear: scores).
Backward: the output error term δ_L = ∂L/∂z_L comes from the loss; then
δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ g'(z_l) for hidden layers, and ∂L/∂W_l = a_{l-1}ᵀ δ_l, ∂L/∂b_l = Σ δ_l.
"""
from __future__ import annotations

from itertools import pairwise

import numpy as np

from ..core.errors import PratiqueError, unknown_name

# activation name -> (g(z), g'(z) written from z and g(z))
ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a**2),
    "sigmoid": (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda z, a: a * (1.0 - a)),
    "identity": (lambda z: z, lambda z, a: np.ones_like(z)),
}


def _softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def mse_loss(scores, target):
    """Mean over the batch of ½‖s - t‖²; returns (loss, δ = ∂loss/∂scores). target: (N, K)."""
    diff = scores - target
    return 0.5 * np.sum(diff**2) / len(scores), diff / len(scores)


def cross_entropy_loss(scores, labels):
    """Softmax + negative log-likelihood, mean over the batch; δ = (softmax(s) - onehot(y)) / N."""
    n = len(scores)
    p = _softmax(scores)
    loss = -np.mean(np.log(p[np.arange(n), labels]))
    delta = p.copy()
    delta[np.arange(n), labels] -= 1.0
    return loss, delta / n


def hinge_loss(scores, labels, margin: float = 1.0):
    """Multi-class SVM hinge Σ_{j≠y} max(0, s_j - s_y + margin), mean over the batch."""
    n = len(scores)
    correct = scores[np.arange(n), labels][:, None]
    viol = scores - correct + margin  # (N, K)
    viol[np.arange(n), labels] = 0.0
    active = (viol > 0).astype(scores.dtype)
    delta = active.copy()
    delta[np.arange(n), labels] = -active.sum(axis=1)
    return np.sum(viol * active) / n, delta / n


LOSSES = {"mse": mse_loss, "cross_entropy": cross_entropy_loss, "hinge": hinge_loss}


class MLP:
    """A fully-connected network `sizes[0] -> ... -> sizes[-1]`, trained by hand-written backprop.

    Args:
        sizes: layer widths, input first, number of outputs last (`[2, 3]` is a linear model).
        activation: hidden activation, one of relu, tanh, sigmoid, identity.
        seed: seed of the weight initialization (He for relu, Xavier otherwise).

    Example:
        >>> from pratique.lab.toy_data import xor
        >>> x, y = xor(4)
        >>> net = MLP([2, 8, 2], activation="tanh", seed=0)
        >>> losses = net.fit(x, y, lr=0.5, steps=500)
        >>> net.predict(x).tolist()
        [0, 1, 1, 0]
    """

    def __init__(self, sizes, activation: str = "relu", seed: int = 0):
        if activation not in ACTIVATIONS:
            raise unknown_name("activation", activation, ACTIVATIONS)
        if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
            raise PratiqueError(f"MLP sizes must be at least [n_in, n_out], all >= 1. Received: {sizes}")
        rng = np.random.default_rng(seed)
        gain = 2.0 if activation == "relu" else 1.0
        self.sizes, self.activation = list(sizes), activation
        self.W = [rng.normal(size=(m, n)) * np.sqrt(gain / m) for m, n in pairwise(sizes)]
        self.b = [np.zeros(n) for n in sizes[1:]]

    def forward(self, x):
        """Scores (N, n_out); keeps the (z, a) of each layer for `backward`."""
        g = ACTIVATIONS[self.activation][0]
        a = np.asarray(x, dtype=float)
        self._cache = [(None, a)]
        for i, (w, b) in enumerate(zip(self.W, self.b)):
            z = a @ w + b
            a = z if i == len(self.W) - 1 else g(z)  # the output layer stays linear
            self._cache.append((z, a))
        return a

    def backward(self, delta):
        """From δ_L = ∂L/∂scores (N, n_out), return ([∂L/∂W_l], [∂L/∂b_l])."""
        dg = ACTIVATIONS[self.activation][1]
        grads_w, grads_b = [None] * len(self.W), [None] * len(self.W)
        for layer in reversed(range(len(self.W))):
            a_prev = self._cache[layer][1]
            grads_w[layer] = a_prev.T @ delta  # ∂L/∂W = aᵀ δ
            grads_b[layer] = delta.sum(axis=0)
            if layer > 0:
                z, a = self._cache[layer]
                delta = (delta @ self.W[layer].T) * dg(z, a)  # the hidden error term
        return grads_w, grads_b

    def loss_and_grads(self, x, y, loss: str = "cross_entropy", weight_decay: float = 0.0):
        """The loss (+ ½·weight_decay·Σ‖W‖²) and its gradients for one batch."""
        if loss not in LOSSES:
            raise unknown_name("loss", loss, LOSSES)
        value, delta = LOSSES[loss](self.forward(x), y)
        grads_w, grads_b = self.backward(delta)
        if weight_decay:
            value += 0.5 * weight_decay * sum(np.sum(w**2) for w in self.W)
            grads_w = [gw + weight_decay * w for gw, w in zip(grads_w, self.W)]
        return value, grads_w, grads_b

    def step(self, x, y, lr: float, loss: str = "cross_entropy", weight_decay: float = 0.0):
        """One step of full-batch gradient descent; returns the loss before the step."""
        value, grads_w, grads_b = self.loss_and_grads(x, y, loss, weight_decay)
        for w, gw, b, gb in zip(self.W, grads_w, self.b, grads_b):
            w -= lr * gw
            b -= lr * gb
        return float(value)

    def fit(self, x, y, lr: float = 0.5, steps: int = 1000, loss: str = "cross_entropy",
            weight_decay: float = 0.0):
        """Full-batch gradient descent for `steps` steps; returns the list of losses."""
        return [self.step(x, y, lr, loss, weight_decay) for _ in range(steps)]

    def predict(self, x):
        """Class indices (N,): the argmax of the scores."""
        return self.forward(x).argmax(axis=1)
