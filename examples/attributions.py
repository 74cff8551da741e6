"""Attributions from Captum (saliency, integrated gradients, occlusion, Grad-CAM, guided
backprop) for test digits of a LeNet-5 trained on mnist5k: one grid per digit.

Run: python examples/attributions.py [OUT_DIR]   (default runs/examples/attributions/)"""
import os
import sys

import pratique as pq

FAST = os.environ.get("PRATIQUE_FAST") == "1"
OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/examples/attributions"
N, EPOCHS = (600, 1) if FAST else (4000, 8)
os.makedirs(OUT, exist_ok=True)

(x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
model = pq.ImageClassifier("lenet5", seed=0)
model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
model.fit(x[:N], y[:N], epochs=EPOCHS, batch_size=32, verbose=0, seed=0)

for i in range(3):  # image, one panel per method, predicted and true class in the titles
    pq.explain.plot_attributions(model, xt[i], label=yt[i], path=os.path.join(OUT, f"digit_{i}.png"))
a = pq.explain.attributions(model, xt[0], methods=("saliency", "occlusion"))
share = float(a["saliency"].abs().flatten().topk(78).values.sum() / a["saliency"].abs().sum())
print(f"saliency in the top 10% of pixels of digit 0 (class {int(a['target'])}): {share:.3f}")
