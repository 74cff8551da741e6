"""Gradient descent with a fixed step on R → R and R² → R, trajectory returned.

Three objectives, each with its gradient written by hand (the tests check them against torch):
- `parabola`: f(x) = (x - 1)², minimum at 1; steps below 1 converge, above 1 diverge.
- `bowl`: f(x, y) = x² + 5y², an elongated bowl; the step limit is 2/10 = 0.2 (from the y axis).
- `max_of_bowls`: f(x, y) = max((x - 1)² + y², (x + 1)² + y²), whose minimum (0, 0) sits on
  the kink x = 0; the gradient jumps there, and a fixed step zig-zags across it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..core.errors import PratiqueError


@dataclass(frozen=True)
class Objective:
    """A function to minimize: f (vectorized over the last axis), its gradient and its minimizer."""

    name: str
    f: Callable
    grad: Callable
    minimum: tuple


def _max_of_bowls(p):
    x, y = p[..., 0], p[..., 1]
    return np.maximum((x - 1) ** 2 + y**2, (x + 1) ** 2 + y**2)


def _max_of_bowls_grad(p):
    x, y = p[..., 0], p[..., 1]
    right = (x - 1) ** 2 >= (x + 1) ** 2  # the first bowl is the active one (x <= 0)
    return np.stack([np.where(right, 2 * (x - 1), 2 * (x + 1)), 2 * y], axis=-1)


parabola = Objective("parabola", lambda p: (p[..., 0] - 1) ** 2,
                     lambda p: 2 * (p - 1), (1.0,))
bowl = Objective("bowl", lambda p: p[..., 0] ** 2 + 5 * p[..., 1] ** 2,
                 lambda p: p * np.array([2.0, 10.0]), (0.0, 0.0))
max_of_bowls = Objective("max_of_bowls", _max_of_bowls, _max_of_bowls_grad, (0.0, 0.0))
OBJECTIVES = {o.name: o for o in (parabola, bowl, max_of_bowls)}


def gradient_descent(grad: Callable, x0, lr: float, steps: int = 50, max_norm: float = 1e6):
    """Iterate x ← x − lr·∇f(x) from `x0`; returns the trajectory, shape (k + 1, d).

    Stops early when ‖x‖ exceeds `max_norm` (divergence), so a too-large step returns a
    short trajectory that ends far away rather than infinities.

    Args:
        grad: ∇f, taking and returning arrays of shape (d,).
        x0: the starting point (a number for R → R, or a sequence of d numbers).
        lr: the fixed step size.
        steps: the number of steps.
        max_norm: stop once the iterate's norm passes this.

    Example:
        >>> path = gradient_descent(parabola.grad, 3.0, lr=0.25, steps=20)
        >>> path.shape, round(float(path[-1, 0]), 4)
        ((21, 1), 1.0)
    """
    if lr <= 0 or steps < 0:
        raise PratiqueError(f"gradient_descent needs lr > 0 and steps >= 0. "
                            f"Received: lr={lr}, steps={steps}")
    x = np.atleast_1d(np.asarray(x0, dtype=float)).copy()
    path = [x.copy()]
    for _ in range(steps):
        x = x - lr * grad(x)
        path.append(x.copy())
        if not np.all(np.isfinite(x)) or np.linalg.norm(x) > max_norm:
            break
    return np.array(path)


def diverged(path, objective: Objective, tol: float = 1.0) -> bool:
    """Whether a trajectory ended farther from the minimizer than it started (by `tol`×)."""
    m = np.asarray(objective.minimum)
    start, end = np.linalg.norm(path[0] - m), np.linalg.norm(path[-1] - m)
    return bool(not np.isfinite(end) or end > tol * start)
