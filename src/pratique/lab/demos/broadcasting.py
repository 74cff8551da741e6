"""Demo: shapes broadcast (or clash) dimension by dimension, right-aligned."""
from __future__ import annotations

from pathlib import Path

from .. import _plot
from ..broadcasting import explain_broadcast

EXAMPLES = [((8, 1, 6, 1), (7, 1, 5)), ((3,), (4, 1)), ((256, 256, 3), (3,)),
            ((5, 4), (4, 5)), ((2, 1, 3), (4, 3, 3))]


def explain_all() -> str:
    blocks = []
    for a, b in EXAMPLES:
        try:
            text = explain_broadcast(a, b)
        except ValueError as e:
            text = f"ERROR: {e}"
        blocks.append(f"a{a} op b{b}\n{text}")
    return "\n\n".join(blocks)


def run(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    text = explain_all()
    notes = out / "broadcasting.txt"
    notes.write_text(text + "\n")
    fig, axes = _plot.subplots(1, 1, size=8)
    ax = axes[0, 0]
    ax.axis("off")
    ax.text(0, 1, text.replace(". Aligned", ".\nAligned").replace(" Fix:", "\nFix:"),
            family="monospace", fontsize=9.5, va="top", transform=ax.transAxes)
    ax.set_title("Broadcasting: align shapes on the right; sizes must be equal or 1", fontsize=11)
    fig.set_size_inches(9.5, 7)
    return [_plot.save(fig, out / "broadcasting.png"), notes]
