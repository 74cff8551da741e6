"""The formal neuron (McCulloch-Pitts) and Rosenblatt's perceptron, primal form."""
from __future__ import annotations

import warnings

import numpy as np

from ..core.errors import PratiqueError


class ConvergenceWarning(UserWarning):
    """An iterative lab algorithm stopped at its limit without converging."""


def formal_neuron(x, w, b: float = 0.0) -> np.ndarray:
    """A McCulloch-Pitts neuron: fires (1) when the weighted sum w·x + b is >= 0, else 0.

    Args:
        x: inputs, shape (d,) or (N, d).
        w: weights, shape (d,).
        b: bias (minus the threshold).

    Example:
        >>> formal_neuron([[0, 0], [0, 1], [1, 0], [1, 1]], w=[1, 1], b=-1.5).tolist()  # AND
        [0, 0, 0, 1]
    """
    return (np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) + b >= 0).astype(np.int64)


class Perceptron:
    """Rosenblatt's perceptron, primal algorithm, labels in {-1, +1}.

    On each mistake (y (w·x + b) <= 0): `w += lr * y * x` and `b += lr * y * R**2`, with
    R = max ‖x‖ (the form whose number of updates Novikoff's theorem bounds by (R/γ)²).
    It stops after an epoch without mistakes (`converged_ = True`) or at `max_epochs`, then
    warns that it did not converge, which is what happens on XOR.

    Args:
        lr: learning rate η.
        max_epochs: passes over the data before giving up.

    Example:
        >>> p = Perceptron().fit([[2, 1], [1, 3], [-1, -2], [-2, -1]], [1, 1, -1, -1])
        >>> p.converged_, p.predict([[3, 3], [-3, -3]]).tolist()
        (True, [1, -1])
    """

    def __init__(self, lr: float = 1.0, max_epochs: int = 100):
        if lr <= 0 or max_epochs < 1:
            raise PratiqueError(f"Perceptron needs lr > 0 and max_epochs >= 1. "
                                f"Received: lr={lr}, max_epochs={max_epochs}")
        self.lr = lr
        self.max_epochs = max_epochs

    def fit(self, x, y) -> Perceptron:
        """Run the algorithm on `x` (N, d) and labels `y` (N,) in {-1, +1}; returns self."""
        x, y = np.asarray(x, dtype=float), np.asarray(y)
        if x.ndim != 2 or len(x) != len(y):
            raise PratiqueError(f"Perceptron.fit expects x of shape (N, d) and y of shape (N,). "
                                f"Received: x {x.shape}, y {y.shape}")
        if not np.isin(y, (-1, 1)).all():
            raise PratiqueError(f"Perceptron labels must be -1 or +1. Received: "
                                f"{sorted(set(np.unique(y).tolist()))}. Map {{0, 1}} labels "
                                f"with pratique.lab.to_signed(y).")
        r2 = float(np.max(np.sum(x**2, axis=1)))
        self.w_, self.b_ = np.zeros(x.shape[1]), 0.0
        self.n_updates_, self.converged_, self.errors_ = 0, False, []
        for _ in range(self.max_epochs):
            mistakes = 0
            for xi, yi in zip(x, y):
                if yi * (xi @ self.w_ + self.b_) <= 0:
                    self.w_ += self.lr * yi * xi
                    self.b_ += self.lr * yi * r2
                    mistakes += 1
            self.n_updates_ += mistakes
            self.errors_.append(mistakes)  # mistakes per epoch: the learning curve
            if mistakes == 0:
                self.converged_ = True
                break
        self.n_epochs_ = len(self.errors_)
        if not self.converged_:
            warnings.warn(f"Perceptron did not converge in {self.max_epochs} epochs "
                          f"({self.errors_[-1]} mistakes in the last one): the data are "
                          f"probably not linearly separable (like XOR).",
                          ConvergenceWarning, stacklevel=2)
        return self

    def decision_function(self, x) -> np.ndarray:
        """The signed score w·x + b, shape (N,)."""
        if not hasattr(self, "w_"):
            raise PratiqueError("This Perceptron is not fitted yet: call fit(x, y) first.")
        return np.asarray(x, dtype=float) @ self.w_ + self.b_

    def predict(self, x) -> np.ndarray:
        """Labels in {-1, +1}, shape (N,) (a score of exactly 0 counts as +1)."""
        return np.where(self.decision_function(x) >= 0, 1, -1)
