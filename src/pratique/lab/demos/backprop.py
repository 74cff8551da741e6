"""Demo: f(x0, x1) = (2x0 + 5x1)(3x0x1) as a graph with forward values and partials;
the NumPy MLP with hand-written backprop trained on XOR and on the spiral."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import _plot
from ..autograd import Value
from ..mlp import MLP
from ..regions import plot_regions
from ..toy_data import spiral, xor


def example_graph() -> Value:
    """The course's example at (x0, x1) = (2, 1), backward already run: grad (39, 84)."""
    x0, x1 = Value(2.0, "x0"), Value(1.0, "x1")
    a = 2 * x0 + 5 * x1
    a.label = "a"
    b = 3 * x0 * x1
    b.label = "b"
    f = a * b
    f.label = "f"
    f.backward()
    return f


def run(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    f = example_graph()
    notes = out / "graph_trace.txt"
    notes.write_text("f(x0, x1) = (2 x0 + 5 x1)(3 x0 x1) at (2, 1)\n" + f.trace() + "\n")
    return [_draw_graph(f, out / "graph.png"), _train(out / "mlp_training.png"), notes]


def _draw_graph(f: Value, path) -> Path:
    order = f.topological_order()
    depth = {}
    for n in order:  # longest path from an input: the column of the node
        depth[id(n)] = 1 + max((depth[id(c)] for c in n._prev), default=-1)
    columns: dict[int, list[Value]] = {}
    for n in order:
        columns.setdefault(depth[id(n)], []).append(n)
    pos = {id(n): (d, i - (len(col) - 1) / 2) for d, col in columns.items() for i, n in enumerate(col)}
    fig, axes = _plot.subplots(1, 1, size=6.5)
    ax = axes[0, 0]
    boxes = {}
    for n in order:
        head = n.label or (n._op if n._op != "const" else "const")
        op = f" ({n._op})" if n._op and n._op != "const" and n.label else ""
        boxes[id(n)] = ax.text(*pos[id(n)], f"{head}{op}\nvalue {n.data:g}\ngrad {n.grad:g}",
                               ha="center", va="center", fontsize=11, zorder=2,
                               bbox={"boxstyle": "round", "fc": "#fff6e0" if n._prev else "#e6f0ff"})
    for n in order:  # centre to centre, clipped to the two boxes: each arrow meets its boxes
        for c in n._prev:
            ax.annotate("", xy=pos[id(n)], xytext=pos[id(c)], zorder=1,
                        arrowprops={"arrowstyle": "-|>", "color": "0.45", "shrinkA": 1, "shrinkB": 1,
                                    "patchA": boxes[id(c)].get_bbox_patch(),
                                    "patchB": boxes[id(n)].get_bbox_patch()})
    ax.set_xlim(-0.6, max(columns) + 0.6)
    ax.set_ylim(-2.6, 2.6)
    ax.axis("off")
    ax.set_title("f = (2x0 + 5x1)(3x0x1) at (2, 1): forward value, backward ∂f/∂node\n"
                 "inputs in blue; ∂f/∂x0 = 39, ∂f/∂x1 = 84", fontsize=13)
    fig.set_size_inches(12, 6)
    return _plot.save(fig, path)


def _train(path) -> Path:
    fig, axes = _plot.subplots(1, 3, size=4.0)
    runs = {"XOR, 2-8-2 tanh": (xor(200, seed=0), MLP([2, 8, 2], "tanh", seed=0), 0.5),
            "spiral, 2-100-3 relu": (spiral(100, 3), MLP([2, 100, 3], "relu", seed=0), 1.0)}
    for ax, (name, ((x, y), net, lr)) in zip(axes[0][1:], runs.items()):
        losses = net.fit(x, y, lr=lr, steps=1500, weight_decay=1e-3)
        axes[0, 0].plot(losses, label=name)
        plot_regions(ax, net.predict, x, y,
                     title=f"{name}: train accuracy {np.mean(net.predict(x) == y):.0%}")
    axes[0, 0].set(title="cross-entropy loss (hand-written backprop)", xlabel="step",
                   ylabel="loss", yscale="log")
    axes[0, 0].legend()
    axes[0, 0].grid(alpha=0.3)
    return _plot.save(fig, path)
