"""Demo: fixed-step gradient descent on a parabola, an elongated bowl and a max of two bowls."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import _plot
from ..gradient_descent import bowl, diverged, gradient_descent, max_of_bowls, parabola

STEPS_1D = {"too small (0.05)": 0.05, "good (0.4)": 0.4, "too large (1.1)": 1.1}
STEPS_2D = {"too small (0.01)": 0.01, "good (0.08)": 0.08, "too large (0.21)": 0.21}


def run(out: Path) -> list[Path]:
    return [_one_d(out / "gd_1d.png"), _two_d(out / "gd_2d.png")]


def _one_d(path) -> Path:
    fig, axes = _plot.subplots(1, 3, size=4.0)
    xs = np.linspace(-2.5, 4.5, 300)
    for ax, (name, lr) in zip(axes[0], STEPS_1D.items()):
        p = gradient_descent(parabola.grad, 3.0, lr=lr, steps=15)[:, 0]
        ax.plot(xs, (xs - 1) ** 2, color="0.4", label="f(x) = (x − 1)²")
        ax.plot(p, (p - 1) ** 2, "o-", color="#d9591b", ms=4, label="iterates")
        state = "diverges" if diverged(p[:, None], parabola) else f"x₁₅ = {p[-1]:.3f}"
        ax.set(title=f"step {name}: {state}", xlabel="x", ylabel="f(x)", ylim=(-0.5, 12),
               xlim=(xs[0], xs[-1]))
        ax.legend(loc="upper right", fontsize=9)
    return _plot.save(fig, path)


def _two_d(path) -> Path:
    fig, axes = _plot.subplots(1, 3, size=5.2)
    axes_list = list(axes[0])
    # panel 1: bowl, small and large steps together; panel 2: bowl, good step; panel 3: the max
    _contour(axes_list[0], bowl, [(n, lr) for n, lr in STEPS_2D.items() if n != "good (0.08)"],
             (-2.0, 1.5), steps=30)
    _contour(axes_list[1], bowl, [("good (0.08)", 0.08)], (-2.0, 1.5), steps=30)
    _contour(axes_list[2], max_of_bowls, [("0.3", 0.3), ("0.05", 0.05)], (-0.9, 0.9), steps=30,
             window=1.0)
    axes_list[0].set_title("f = x² + 5y²: steps too small / too large", fontsize=11)
    axes_list[1].set_title("f = x² + 5y²: a good step", fontsize=11)
    axes_list[2].set_title("f = max((x−1)²+y², (x+1)²+y²)\nzig-zag across the kink x = 0",
                           fontsize=11)
    return _plot.save(fig, path)


def _contour(ax, objective, steps_by_name, x0, steps: int, window: float = 2.5):
    g = np.linspace(-window, window, 200)
    gx, gy = np.meshgrid(g, g)
    z = objective.f(np.stack([gx, gy], axis=-1))
    ax.contour(gx, gy, z, levels=20, cmap="Greys", linewidths=0.7)
    for (name, lr), color in zip(steps_by_name, ["#1f5fbf", "#d9591b"]):
        p = gradient_descent(objective.grad, x0, lr=lr, steps=steps)
        shown = p[np.all(np.abs(p) < window, axis=1)]  # a diverging path leaves the frame
        end = "diverges" if diverged(p, objective) else f"ends at ({p[-1, 0]:.2f}, {p[-1, 1]:.2f})"
        ax.plot(shown[:, 0], shown[:, 1], "o-", ms=3, color=color, label=f"step {name}: {end}")
    ax.plot(*objective.minimum, "k*", ms=12, label="minimum")
    ax.set(xlabel="x", ylabel="y", xlim=(-window, window), ylim=(-window, window))
    ax.xaxis.set_major_locator(MaxNLocator(5))  # at most 5 ticks: labels never overlap
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.legend(fontsize=9, loc="lower right", framealpha=0.9)
