"""Demo: a formal neuron computes AND/OR; the perceptron separates blobs and fails on XOR."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .. import _plot
from ..perceptron import ConvergenceWarning, Perceptron, formal_neuron
from ..regions import plot_regions
from ..toy_data import blobs, to_signed, xor


def run(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    x_sep, y_sep = blobs(50, 2, seed=1, spread=0.35)
    x_xor, y_xor = xor(60, seed=0)
    fits = {"two blobs (separable)": (x_sep, y_sep), "XOR (not separable)": (x_xor, y_xor)}
    fig, axes = _plot.subplots(1, 3, size=4.2)
    lines = [_truth_tables()]
    for ax, (name, (x, y)) in zip(axes[0], fits.items()):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            p = Perceptron(lr=1.0, max_epochs=50).fit(x, to_signed(y))
        status = "converged" if p.converged_ else "did NOT converge"
        plot_regions(ax, lambda g, p=p: (p.predict(g) > 0).astype(int), x, y,
                     title=f"{name}\n{status}: {p.n_updates_} updates, {p.n_epochs_} epochs")
        axes[0, 2].plot(range(1, p.n_epochs_ + 1), p.errors_, "o-", ms=3, label=name)
        lines.append(f"{name}: {status} after {p.n_epochs_} epochs, {p.n_updates_} updates, "
                     f"w={np.round(p.w_, 3).tolist()}, b={p.b_:.3f}"
                     + (f"\n  warning: {caught[0].message}" if caught else ""))
    ax = axes[0, 2]
    ax.set(title="mistakes per epoch", xlabel="epoch", ylabel="mistakes (updates)")
    ax.legend()
    ax.grid(alpha=0.3)
    notes = out / "perceptron.txt"
    notes.write_text("\n".join(lines) + "\n")
    return [_plot.save(fig, out / "perceptron.png"), notes]


def _truth_tables() -> str:
    x = [[0, 0], [0, 1], [1, 0], [1, 1]]
    gates = {"AND": ([1, 1], -1.5), "OR": ([1, 1], -0.5), "NOT x1": ([-1, 0], 0.5)}
    rows = ["formal neuron (fires when w·x + b >= 0), inputs (0,0) (0,1) (1,0) (1,1):"]
    for name, (w, b) in gates.items():
        rows.append(f"  {name:<7} w={w}, b={b}: {formal_neuron(x, w, b).tolist()}")
    return "\n".join(rows)
