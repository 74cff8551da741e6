"""Flash-style transfer learning: class folders -> pretrained efficientnet_lite0 -> finetune ->
predict on files -> save -> load -> the same predictions. Offline: the ImageNet weights are bundled.

Run: python examples/transfer_learning.py [OUT_DIR]   (default runs/examples/transfer_learning/)"""
import glob
import os
import sys
import tempfile

import numpy as np
import torch

import pratique as pq
from pratique.reports.curves import plot_history, save_figure

FAST = os.environ.get("PRATIQUE_FAST") == "1"
OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/examples/transfer_learning"
N, SIZE, EPOCHS = (30, 64, 3) if FAST else (100, 96, 4)  # images per class, pixels, epochs
root = tempfile.mkdtemp()
pq.datasets.write_shapes_folder(root, n_per_class=N, image_size=SIZE, seed=0)  # root/<class>/*.png

model = pq.ImageClassifier("efficientnet_lite0", pretrained=True, num_classes=3, seed=0)
pre = model.preprocessing  # the backbone was trained on inputs normalized with these stats
data = pq.ImageData.from_folders(root, val_split=0.2, image_size=SIZE, color_mode="rgb",
                                 batch_size=16, normalize=(pre["mean"], pre["std"]))
print(f"classes {data.classes}; normalization {pre['mean'][0]}, {pre['std'][0]}")
model.compile(optimizer="adam", lr=1e-2, loss="cross_entropy", metrics=["accuracy"])
# "freeze": only the new 3-class head trains; the ImageNet backbone (and its BatchNorm) stay as is
history = model.finetune(data, epochs=EPOCHS, strategy="freeze", seed=0, verbose=0)
save_figure(plot_history(history), f"{OUT}/curves.png")
_, acc = model.evaluate(data, verbose=0)

# Predict on image files: decode to uint8, predict() applies the saved normalization once.
files = sorted(glob.glob(f"{root}/*/*.png"))[:: max(1, 3 * N // 6)]
images = torch.stack([pq.data.decode_image(f, "rgb") for f in files])  # uint8 (6, 3, SIZE, SIZE)
labels = model.predict(images, output="labels")
for f, label in zip(files, labels):
    print(f"{os.path.relpath(f, root):<22} -> {label}")
# load_images_for_prediction returns the *normalized* batch: feed it to the module (predict() knows it)
x = pq.data.load_images_for_prediction(files, model.preprocessing)
with torch.no_grad():
    direct = model.module.eval()(x).numpy()
print("same logits via load_images_for_prediction:", np.allclose(direct, model.predict(images),
                                                                  atol=1e-4))

model.save(f"{OUT}/shapes.pratique")
again = pq.load(f"{OUT}/shapes.pratique")
same = bool((again.predict(images, output="labels") == labels).all())
print(f"reloaded: classes {again.classes}, same predictions: {same}")
print(f"validation accuracy (efficientnet_lite0, frozen backbone, {EPOCHS} epoch(s)): {acc:.4f}")
