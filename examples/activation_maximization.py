"""Activation maximization (DeepViz) on a LeNet-5 trained on mnist5k: the input that drives each
class to its highest score, and the patterns the second convolution's channels look for.

Run: python examples/activation_maximization.py [OUT_DIR]   (default runs/examples/activation_maximization/)"""
import os
import sys

import torch

import pratique as pq

FAST = os.environ.get("PRATIQUE_FAST") == "1"
OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/examples/activation_maximization"
N, EPOCHS, STEPS = (1000, 2, 30) if FAST else (4000, 8, 200)
os.makedirs(OUT, exist_ok=True)

(x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
model = pq.ImageClassifier("lenet5", seed=0)
model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
model.fit(x[:N], y[:N], epochs=EPOCHS, batch_size=32, verbose=0, seed=0)

# every class (titles: the logit reached), then the 16 channels of the second conv, with the
# course's regularizers: L2 decay, a blur every 4 steps, small values zeroed
pq.explain.maximize_grid(model, steps=STEPS, path=os.path.join(OUT, "classes.png"))
pq.explain.maximize_grid(model, layer="3", steps=STEPS, value_pct=20, path=os.path.join(OUT, "conv2.png"))

images = torch.stack([pq.explain.maximize(model, channel=c, steps=STEPS) for c in range(10)])
logits = torch.stack([pq.explain.objective(model, images, None, c) for c in range(10)], 1)
p = logits.softmax(1).diagonal()  # each synthesized image's probability of its own class
print(f"lowest softmax probability of the 10 synthesized classes: {float(p.min()):.3f}")
