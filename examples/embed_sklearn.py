"""Features for other models: `model.embed(x)` -> numpy (N, D), then scikit-learn trains on them.

Two sources of features for mnist5k: a conv_autoencoder fit without labels (its 32-D latent
code) and a LeNet-5 classifier (the 84 features its last layer takes). A LogisticRegression
is trained on each, and on the raw pixels for comparison.

Run: python examples/embed_sklearn.py [OUT_DIR]   (nothing is written; OUT_DIR is accepted)"""
import os

import numpy as np
from sklearn.linear_model import LogisticRegression

import pratique as pq

FAST = os.environ.get("PRATIQUE_FAST") == "1"
N, EPOCHS = (1000, 2) if FAST else (4000, 15)  # training digits, epochs of each network
(x, y), (x_test, y_test) = pq.datasets.load_data("mnist5k")
x, y = x[:N], y[:N]

# Unsupervised: the autoencoder never sees a label
autoencoder = pq.Model(pq.models.create_model("conv_autoencoder", latent_dim=32))
autoencoder.compile(optimizer="adam", loss="mse").fit(x, x, epochs=EPOCHS, batch_size=32,
                                                        seed=0, verbose=0)
# Supervised: a classifier's features before its head
lenet = pq.ImageClassifier("lenet5", num_classes=10, seed=0).compile(optimizer="adam")
lenet.fit(x, y, epochs=EPOCHS, batch_size=32, seed=0, verbose=0)


def logistic_accuracy(train: np.ndarray, test: np.ndarray) -> float:
    clf = LogisticRegression(max_iter=2000).fit(train, y)
    return clf.score(test, y_test)


pixels = logistic_accuracy(x.reshape(len(x), -1) / 255.0, x_test.reshape(len(x_test), -1) / 255.0)
codes = logistic_accuracy(autoencoder.embed(x), autoencoder.embed(x_test))
features = lenet.embed(x)
print(f"embeddings: autoencoder {autoencoder.embed(x[:1]).shape[1]}-D, lenet5 {features.shape[1]}-D")
print(f"logistic regression on raw pixels (784-D): {pixels:.4f}")
print(f"logistic regression on lenet5 features: {logistic_accuracy(features, lenet.embed(x_test)):.4f}")
print(f"logistic regression test accuracy on conv_autoencoder codes (32-D, no labels): {codes:.4f}")
