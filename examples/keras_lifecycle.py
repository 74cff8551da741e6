"""Keras' lifecycle on a torch.nn.Sequential; then what width, optimizer, activation change.

Run: python examples/keras_lifecycle.py [OUT_DIR]  (default runs/examples/keras_lifecycle/)"""
import os
import sys

import matplotlib.pyplot as plt
from torch import nn

import pratique as pq
from pratique.reports.curves import plot_history, save_figure

FAST = os.environ.get("PRATIQUE_FAST") == "1"
OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/examples/keras_lifecycle"
N, EPOCHS = (800, 2) if FAST else (4000, 5)  # fit holds out the last 10% of N for validation
(x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
pq.seed_everything(0)  # the initial weights; fit(seed=0) fixes the shuffling


def mlp(hidden=(128,), activation=nn.ReLU):  # Keras: Flatten, Dense(128, "relu"), Dense(10)
    layers, width = [nn.Flatten()], 28 * 28
    for h in hidden:
        layers, width = [*layers, nn.Linear(width, h), activation()], h
    return nn.Sequential(*layers, nn.Linear(width, 10))


def train(hidden=(128,), activation=nn.ReLU, optimizer="adam", lr=1e-3, verbose=0):
    model = pq.Model(mlp(hidden, activation))
    model.compile(optimizer=optimizer, lr=lr, loss="cross_entropy", metrics=["accuracy"])
    history = model.fit(x[:N], y[:N], epochs=EPOCHS, validation_split=0.1, seed=0, verbose=verbose)
    return model, history, model.evaluate(xt, yt, verbose=0)[1]  # Keras' [loss, accuracy]


# 1. The lifecycle: compile -> fit -> evaluate -> predict -> summary
model, history, acc = train(verbose=1)
model.summary()  # layers, output shapes, parameter counts
print("predicted:", model.predict(xt[:8]).argmax(axis=1), "true:", yt[:8])
save_figure(plot_history(history), f"{OUT}/curves.png")

# 2. One change at a time from the baseline (Flatten -> 128 relu -> 10, adam 1e-3)
SWEEP = {"hidden: 32": {"hidden": (32,)},
         "hidden: 256-128": {"hidden": (256, 128)},
         "optimizer: sgd 0.01": {"optimizer": "sgd", "lr": 1e-2},
         "optimizer: rmsprop": {"optimizer": "rmsprop"},
         "activation: sigmoid": {"activation": nn.Sigmoid},
         "activation: tanh": {"activation": nn.Tanh}}
rows = [("baseline: 128 relu adam", acc)]  # FAST: one variant per axis
rows += [(n, train(**SWEEP[n])[2]) for n in (list(SWEEP)[::2] if FAST else SWEEP)]
print(f"\n{'variant':<24}test accuracy\n" + "\n".join(f"{n:<24}{a:.4f}" for n, a in rows))

COLORS = {"baseline": "gray", "hidden": "C0", "optimizer": "C1", "activation": "C2"}
colors = [COLORS[n.split(":")[0]] for n, _ in rows]
fig, ax = plt.subplots(figsize=(8, 4), layout="tight")
ax.barh([n for n, _ in rows], [a for _, a in rows], color=colors)
ax.set(xlabel="test accuracy (1,000 held-out digits)", xlim=(min(a for _, a in rows) - 0.05, 1),
       title=f"One change at a time from the baseline ({EPOCHS} epochs on {N} digits)")
ax.invert_yaxis()
save_figure(fig, f"{OUT}/sweep.png")
print(f"test accuracy (Flatten -> 128 relu -> 10, adam): {acc:.4f}")
