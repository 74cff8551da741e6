"""EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, TensorBoard and CSVLogger in one fit.

Run: python examples/callbacks.py [OUT_DIR]   (default runs/examples/callbacks/)
Then: pratique tensorboard --logdir OUT_DIR/logs"""
import csv
import os
import sys
from itertools import pairwise

import matplotlib.pyplot as plt

import pratique as pq
from pratique.reports.curves import save_figure

cb = pq.callbacks  # Keras' callbacks, same names and arguments

FAST = os.environ.get("PRATIQUE_FAST") == "1"
OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/examples/callbacks"
N, EPOCHS = (300, 12) if FAST else (1500, 40)  # few digits: validation loss soon stops improving
(x, y), (xt, yt) = pq.datasets.load_data("mnist5k")

callbacks = [
    cb.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
    cb.ModelCheckpoint(f"{OUT}/best.pratique", monitor="val_accuracy", save_best_only=True),
    cb.ReduceLROnPlateau(monitor="val_loss", factor=0.3, patience=1, min_lr=1e-5),
    cb.TensorBoard(f"{OUT}/logs", write_images=not FAST),
    cb.CSVLogger(f"{OUT}/epochs.csv"),
]
model = pq.ImageClassifier("lenet5", seed=0)
model.compile(optimizer="adam", lr=3e-3, loss="cross_entropy", metrics=["accuracy"])
model.fit(x[:N], y[:N], epochs=EPOCHS, validation_data=(xt[:500], yt[:500]), callbacks=callbacks,
          seed=0, verbose=0)

stop, ckpt = callbacks[0], callbacks[1]
with open(f"{OUT}/epochs.csv") as f:  # CSVLogger: one row per epoch, the logs as columns
    rows = list(csv.DictReader(f))
epochs = [int(r["epoch"]) + 1 for r in rows]
lrs = [float(r["learning_rate"]) for r in rows]
ran = len(rows)
print(f"EarlyStopping: ran {ran} of {EPOCHS} epochs"
      + (f", stopped after epoch {stop.stopped_epoch + 1}" if stop.stopped_epoch else ", no stop")
      + f"; restored the weights of epoch {stop.best_epoch + 1} (val_loss {stop.best:.4f})")
print(f"ModelCheckpoint: best val_accuracy {ckpt.best:.4f} saved to {ckpt.filepath}")
print("ReduceLROnPlateau: learning rate per epoch", " ".join(f"{lr:.2g}" for lr in lrs))
print(f"TensorBoard: event files in {OUT}/logs; CSVLogger: {ran} rows in {OUT}/epochs.csv")

fig, ax = plt.subplots(figsize=(9, 4.5), layout="tight")
ax.plot(epochs, [float(r["val_loss"]) for r in rows], "o-", label="val_loss")
ax.plot(epochs, [float(r["loss"]) for r in rows], "o-", label="loss (train)")
ax.axvline(stop.best_epoch + 1, color="C2", ls="--", label="best epoch (restored, checkpointed)")
for e, (a, b) in enumerate(pairwise(lrs), start=2):
    if b < a:  # each row logs the LR its epoch trained with: the drop came after epoch e-1
        ax.axvline(e - 0.5, color="C3", ls=":", label=f"LR {a:.2g} -> {b:.2g}")
ax.set(xlabel="epoch", ylabel="cross-entropy loss", title="LeNet-5 with five callbacks")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
save_figure(fig, f"{OUT}/callbacks.png")
best = (pq.load(ckpt.filepath).predict(xt).argmax(1) == yt).mean()  # a loaded model predicts
print(f"epochs run: {ran} of {EPOCHS}, best checkpoint test accuracy: {best:.4f}")
