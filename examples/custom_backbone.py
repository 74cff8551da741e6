"""Register your own architecture with @pq.models.register_model and use it by name.

Run: python examples/custom_backbone.py [OUT_DIR]   (default runs/examples/custom_backbone/)"""
import os
import sys

from torch import nn

import pratique as pq
from pratique.reports.curves import plot_history, save_figure

FAST = os.environ.get("PRATIQUE_FAST") == "1"
OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/examples/custom_backbone"
N, EPOCHS = (800, 2) if FAST else (4000, 5)


@pq.models.register_model("tiny_convnet", input_size=(1, 28, 28), tags=("example",))
def tiny_convnet(num_classes=10, in_channels=1, width=16, dropout=0.0):
    """Two conv blocks and a linear head: a small CNN for 28x28 digits."""
    return nn.Sequential(
        nn.Conv2d(in_channels, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
        nn.MaxPool2d(2),                                                 # (width, 14, 14)
        nn.Conv2d(width, 2 * width, 3, padding=1), nn.BatchNorm2d(2 * width), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(),                                   # (2 * width * 7 * 7,)
        nn.Dropout(dropout), nn.Linear(2 * width * 7 * 7, num_classes),
    )


# The name now works everywhere a built-in name does
print("registered:", "tiny_convnet" in pq.models.list_models(), pq.models.list_models("tiny*"))
print("card:", pq.models.get_model_card("tiny_convnet").description)
module = pq.models.create_model("tiny_convnet", num_classes=10, width=8)  # a plain nn.Module
print("create_model params:", sum(p.numel() for p in module.parameters()))

(x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
model = pq.ImageClassifier("tiny_convnet", num_classes=10, width=16, seed=0)
model.compile(optimizer="adam", lr=3e-3, loss="cross_entropy", metrics=["accuracy"])
model.summary()
history = model.fit(x[:N], y[:N], epochs=EPOCHS, batch_size=32, validation_split=0.1, seed=0)
_, acc = model.evaluate(xt, yt, verbose=0)
save_figure(plot_history(history), f"{OUT}/curves.png")

# Saved by name: the manifest records "tiny_convnet" and its kwargs, so loading rebuilds it
# (in any process that has registered the name, e.g. by importing this module).
model.save(f"{OUT}/tiny_convnet.pratique")
again = pq.load(f"{OUT}/tiny_convnet.pratique")
same = (again.predict(xt[:64]).argmax(1) == model.predict(xt[:64]).argmax(1)).all()
print(f"reloaded {again.architecture}: same predictions: {same}")
print(f"test accuracy (tiny_convnet, {EPOCHS} epochs on {N} digits): {acc:.4f}")
