"""The lab's demos: `run_demo(name, out)` writes a demo's figures (PNG, GIF) and notes (TXT).

Each demo is one module here with a `run(out: Path) -> list[Path]` function.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from ...core.errors import unknown_name

DEMOS = {  # name -> (module, what it shows)
    "perceptron": ("perceptron", "formal neuron, Rosenblatt's perceptron: separable data vs XOR"),
    "gradient-descent": ("gradient_descent", "fixed-step descent in 1-D and 2-D, steps too small/too large"),
    "backprop": ("backprop", "a computation graph by hand (Value), NumPy MLP on XOR and the spiral"),
    "broadcasting": ("broadcasting", "the right-aligned broadcasting rule, dimension by dimension"),
    "regions": ("regions", "decision regions while training (GIF), width sweep, hinge margins"),
    "softmax": ("softmax", "naive softmax overflow vs max shift, log-softmax, entropy"),
    "convolution": ("convolution", "Sobel edges, conv arithmetic, pooling, receptive fields"),
}


def list_demos() -> dict[str, str]:
    """Demo name -> one line on what it shows."""
    return {name: about for name, (_, about) in DEMOS.items()}


def run_demo(name: str, out="lab_out") -> list[Path]:
    """Run demo `name`, writing its files under `out/<name>/`; returns the paths written.

    Example:
        >>> paths = run_demo("softmax", "/tmp/lab")  # doctest: +SKIP
    """
    if name not in DEMOS:
        raise unknown_name("lab demo", name, DEMOS)
    module = importlib.import_module(f"{__name__}.{DEMOS[name][0]}")
    return module.run(Path(out) / name)
