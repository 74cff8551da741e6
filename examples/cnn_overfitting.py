"""Overfitting on few digits, and what dropout and augmentation do to the train-validation gap.

Run: python examples/cnn_overfitting.py [OUT_DIR]   (default runs/examples/cnn_overfitting/)"""
import os
import sys

import matplotlib.pyplot as plt
from torch import nn

import pratique as pq
from pratique.reports.curves import plot_history, save_figure

FAST = os.environ.get("PRATIQUE_FAST") == "1"
OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/examples/cnn_overfitting"
N, EPOCHS = (300, 3) if FAST else (1000, 30)  # few training digits, many epochs: room to overfit
(x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
xv, yv = (xt[:300], yt[:300]) if FAST else (xt, yt)


def cnn(dropout: float) -> nn.Module:
    """Two conv 3x3 + max-pool blocks and a 128-unit dense layer; dropout after each part."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(),  # (32, 11, 11)
        nn.MaxPool2d(2), nn.Dropout(dropout / 2), nn.Flatten(),                            # (32 * 5 * 5,)
        nn.Linear(32 * 5 * 5, 128), nn.ReLU(), nn.Dropout(dropout), nn.Linear(128, 10),
    )


# Small random rotations, shifts and zooms (no flips: a mirrored 2 is no digit)
SHIFTS = {"rotation_range": 10, "width_shift_range": 0.1, "height_shift_range": 0.1, "zoom_range": 0.1}
histories, gaps = {}, {}
RUNS = [("no dropout", 0.0, None), ("dropout 0.5", 0.5, None), ("dropout + augmentation", 0.5, SHIFTS)]
for label, p, augment in RUNS:
    pq.seed_everything(0)  # the same initial weights for every run
    model = pq.Model(cnn(p))
    model.compile(optimizer="adam", lr=1e-3, loss="cross_entropy", metrics=["accuracy"])
    data = pq.ImageData.from_numpy(x[:N], y[:N], validation_data=(xv, yv), augment=augment, seed=0)
    h = model.fit(data, epochs=EPOCHS, verbose=0).history
    histories[label] = h
    gaps[label] = h["accuracy"][-1] - h["val_accuracy"][-1]
    save_figure(plot_history(h), f"{OUT}/curves_{label.replace(' + ', '_').replace(' ', '_')}.png")
    print(f"{label:<22} train acc {h['accuracy'][-1]:.3f}  val acc {h['val_accuracy'][-1]:.3f}  "
          f"val loss min {min(h['val_loss']):.3f} -> last {h['val_loss'][-1]:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="tight")
for i, (label, h) in enumerate(histories.items()):
    epochs = range(1, EPOCHS + 1)
    for ax, key in zip(axes, ["loss", "accuracy"]):
        ax.plot(epochs, h[key], "-", color=f"C{i}", label=f"{label}: train")
        ax.plot(epochs, h[f"val_{key}"], "--", color=f"C{i}", label=f"{label}: validation")
for ax, key in zip(axes, ["loss", "accuracy"]):
    ax.set(title=f"{key.capitalize()}: train (solid) vs validation (dashed)", xlabel="epoch",
           ylabel=key)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    ax.xaxis.get_major_locator().set_params(integer=True)
fig.suptitle(f"A CNN on {N} digits: the train-validation gap without and with dropout, augmentation")
save_figure(fig, f"{OUT}/overfitting_gap.png")
print("train-val accuracy gap: " + ", ".join(f"{label} {gap:.3f}" for label, gap in gaps.items()))
