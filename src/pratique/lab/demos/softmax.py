"""Demo: naive softmax overflows in float32 past ~88.7; the max shift and log-softmax do not."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import _plot
from ..softmax import (
    FLOAT32_EXP_LIMIT,
    cross_entropy,
    entropy,
    log_softmax,
    nll_loss,
    softmax,
    softmax_naive,
)

DISTRIBUTIONS = {"certain [1, 0, 0, 0]": [1, 0, 0, 0], "fair coin [.5, .5, 0, 0]": [0.5, 0.5, 0, 0],
                 "skewed [.7, .1, .1, .1]": [0.7, 0.1, 0.1, 0.1], "uniform [.25 ×4]": [0.25] * 4}
MODEL_Q = [0.6, 0.2, 0.1, 0.1]  # a model's prediction, to measure each p against


def table() -> str:
    rows = [f"float32 exp overflows past log(max float32) = {FLOAT32_EXP_LIMIT:.4f}"]
    for t in (10.0, 88.0, 89.0, 1000.0):
        x = np.float32([t, 0.0, -t])
        rows.append(f"logits [{t:g}, 0, -{t:g}]: naive {softmax_naive(x)}, shifted {softmax(x)}, "
                    f"log-softmax {log_softmax(x)}, NLL(label 1) {nll_loss(log_softmax(x[None]), [1]):.4g}")
    for name, p in DISTRIBUTIONS.items():
        rows.append(f"{name}: H(p) = {entropy(p):.3f} bits, "
                    f"H(p, q={MODEL_Q}) = {cross_entropy(p, MODEL_Q):.3f} bits")
    return "\n".join(rows)


def run(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    notes = out / "softmax.txt"
    notes.write_text(table() + "\n")
    fig, axes = _plot.subplots(1, 3, size=4.3)
    t = np.linspace(0, 120, 481, dtype=np.float32)
    logits = np.stack([t, np.zeros_like(t), -t], axis=1)  # (481, 3) float32
    ax = axes[0, 0]
    ax.plot(t, softmax(logits)[:, 0], lw=3, color="#2a9d2a", label="max-shifted softmax")
    ax.plot(t, softmax_naive(logits)[:, 0], "--", color="#d9591b", lw=2,
            label="naive softmax (nan past the line)")
    _limit(ax, 0.5)
    ax.set(title="p₀ of softmax([t, 0, −t]), float32", xlabel="t", ylabel="p₀", ylim=(-0.05, 1.1))
    ax.legend(fontsize=8, loc="lower right")
    ax = axes[0, 1]
    with np.errstate(divide="ignore"):
        ax.plot(t, np.log(softmax(logits)[:, 1]), lw=3, color="#d9591b",
                label="log(softmax): −inf once p₁ underflows")
    ax.plot(t, log_softmax(logits)[:, 1], "--", color="#2a9d2a", lw=2, label="log_softmax: exactly −t")
    _limit(ax, -60)
    ax.set(title="log p₁ (the NLL of label 1 is −log p₁)", xlabel="t", ylabel="log p₁")
    ax.legend(fontsize=8, loc="lower left")
    ax = axes[0, 2]
    names = list(DISTRIBUTIONS)
    pos = np.arange(len(names))
    ax.bar(pos - 0.2, [entropy(DISTRIBUTIONS[n]) for n in names], 0.4, label="entropy H(p)")
    ax.bar(pos + 0.2, [cross_entropy(DISTRIBUTIONS[n], MODEL_Q) for n in names], 0.4,
           label=f"cross-entropy H(p, q), q={MODEL_Q}")
    ax.set_xticks(pos, names, rotation=20, fontsize=7)
    ax.set(title="entropy and cross-entropy", ylabel="bits")
    ax.legend(fontsize=7)
    return [_plot.save(fig, out / "softmax.png"), notes]


def _limit(ax, y):
    ax.axvline(FLOAT32_EXP_LIMIT, color="k", lw=0.8)
    ax.text(FLOAT32_EXP_LIMIT + 1, y, f"exp overflows\nat {FLOAT32_EXP_LIMIT:.1f}", fontsize=8)
