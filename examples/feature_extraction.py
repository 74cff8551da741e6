"""Feature extraction: embed the images once with a frozen pretrained backbone, then train a
small MLP on the embeddings (seconds, not minutes). Offline: the ImageNet weights are bundled.

Run: python examples/feature_extraction.py [OUT_DIR]   (default runs/examples/feature_extraction/)"""
import os
import sys
import tempfile

import matplotlib.pyplot as plt
import torch
from torch import nn

import pratique as pq
from pratique.reports.curves import save_figure
from pratique.training.split import split_backbone_head

FAST = os.environ.get("PRATIQUE_FAST") == "1"
OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/examples/feature_extraction"
N, SIZE, EPOCHS = (30, 64, 30) if FAST else (100, 96, 60)  # images per class, pixels, MLP epochs
root = pq.datasets.write_shapes_folder(tempfile.mkdtemp(), n_per_class=N, image_size=SIZE)
backbone = pq.ImageClassifier("efficientnet_lite0", pretrained=True, num_classes=3)
pre = backbone.preprocessing
data = pq.ImageData.from_folders(root, val_split=0.2, image_size=SIZE, color_mode="rgb",
                                 normalize=(pre["mean"], pre["std"]))

split = split_backbone_head(backbone.module)  # backbone = everything before the classifier
backbone.module.eval()
with torch.no_grad():  # one pass over the images; the MLP then never touches a pixel
    f_train, y_train = map(torch.cat, zip(*[(split.embed(x), y) for x, y in data.train_batches()]))
    f_val, y_val = map(torch.cat, zip(*[(split.embed(x), y) for x, y in data.val_batches()]))
print(f"embeddings: train {tuple(f_train.shape)}, validation {tuple(f_val.shape)}")

mlp = pq.Model(nn.Sequential(nn.Linear(f_train.shape[1], 64), nn.ReLU(), nn.Dropout(0.3),
                             nn.Linear(64, data.num_classes)))
mlp.compile(optimizer="adam", lr=1e-3, loss="cross_entropy", metrics=["accuracy"])
mlp.fit(f_train, y_train, epochs=EPOCHS, batch_size=16, seed=0, verbose=0)
_, acc = mlp.evaluate(f_val, y_val, verbose=0)

# The same workflow built in: finetune(strategy="features") caches the embeddings on disk
backbone.compile(optimizer="adam", lr=1e-3, loss="cross_entropy", metrics=["accuracy"])
backbone.finetune(data, epochs=EPOCHS, strategy="features", cache_dir=tempfile.mkdtemp(),
                  seed=0, verbose=0)
print(f"finetune(strategy='features'): val accuracy {backbone.evaluate(data, verbose=0)[1]:.4f}")

# Why a small model suffices: the classes already separate in the backbone's feature space
_, _, v = torch.pca_lowrank(f_train, q=2)
xy = (f_train - f_train.mean(0)) @ v
fig, ax = plt.subplots(figsize=(7, 5), layout="tight")
for c, name in enumerate(data.classes):
    ax.scatter(*xy[y_train == c].T, s=18, label=name)
ax.set(xlabel="principal component 1", ylabel="principal component 2",
       title=f"efficientnet_lite0 embeddings ({f_train.shape[1]}-D) of the training shapes, PCA")
ax.legend(title="class")
save_figure(fig, f"{OUT}/embeddings_pca.png")
print(f"validation accuracy (MLP on frozen efficientnet_lite0 features): {acc:.4f}")
