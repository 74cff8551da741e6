"""Regenerate docs/img/floors.png, the floors of docs/architecture.md: python docs/make_floors_png.py

The floors are read from pyproject.toml's import-linter contract, so the picture is the rule.
"""
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after choosing the backend
from matplotlib.patches import FancyBboxPatch

ROOT = Path(__file__).resolve().parents[1]
WHAT = {  # what lives on each floor, in a few words
    "cli": "one file per command, thin over the API",
    "serve": "HTTP API and page (FastAPI)",
    "attacks": "FGSM, PGD, robustness (Captum)",
    "explain": "attributions, activation maximization (Captum)",
    "tasks": "Model, ImageClassifier, fine-tuning,\nfeature caching, LR finder, predict, export, runs",
    "config": "TrainConfig (the run recipe)",
    "training": "the loop on Fabric, callbacks, losses,\nmetrics, optimizers, schedules, checkpoints",
    "reports": "plots and evaluation reports",
    "lab": "from-scratch perceptron, MLP, autograd",
    "models": "registry, classic nets, timm zoo,\npretrained weights, summary",
    "data": "sources, decode, Preprocessing,\nloaders, ImageData, named datasets",
    "core": "errors, atomic writes, seeding, lazy names, Registry",
}
COLOURS = ["#4e79a7", "#f28e2b", "#bab0ac", "#e15759", "#76b7b2", "#59a14f", "#9c755f"]


def floors() -> list[list[str]]:
    text = (ROOT / "pyproject.toml").read_text()  # tomllib is Python 3.11+; the list is plain
    block = re.search(r"^layers = \[(.*?)^\]", text, re.DOTALL | re.MULTILINE).group(1)
    layers = re.findall(r'"([^"]+)"', block)
    return [[room.strip().removeprefix("pratique.") for room in floor.split("|")] for floor in layers]


def draw(path: Path) -> None:
    rows = floors()
    fig, ax = plt.subplots(figsize=(10, 1.15 * len(rows) + 0.9))
    width, height, gap = 8.0, 0.8, 0.35
    for i, rooms in enumerate(rows):
        y = (len(rows) - 1 - i) * (height + gap)
        room_w = (width - 0.2 * (len(rooms) - 1)) / len(rooms)
        for j, room in enumerate(rooms):
            x = j * (room_w + 0.2)
            ax.add_patch(FancyBboxPatch((x, y), room_w, height, boxstyle="round,pad=0.02,rounding_size=0.08",
                                        fc=COLOURS[i % len(COLOURS)], ec="black", lw=1.0, alpha=0.9))
            ax.text(x + 0.12, y + height - 0.14, room, ha="left", va="top", fontsize=12,
                    fontweight="bold", color="white")
            ax.text(x + room_w - 0.1, y + height / 2 - 0.06, WHAT.get(room, ""), ha="right", va="center",
                    fontsize=8.2, color="white")
        if i + 1 < len(rows):
            ax.annotate("", xy=(width + 0.35, y - gap + 0.03), xytext=(width + 0.35, y + height / 2),
                        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.4})
    top = (len(rows) - 1) * (height + gap) + height
    ax.text(width + 0.8, top / 2, "imports point\ndown only", rotation=90, ha="center", va="center",
            fontsize=10)
    ax.set_xlim(-0.2, width + 1.05)
    ax.set_ylim(-0.2, top + 0.45)
    ax.set_title("pratique's floors: a module imports from its floor or below; rooms split by a "
                 "gap never import each other\n(import-linter contract in pyproject.toml, checked by "
                 "tests/test_layers.py)", fontsize=9.5)
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    draw(ROOT / "docs" / "img" / "floors.png")
