"""The issue's "must show" on real data: one-digit anomaly AUC on mnist5k, the anomaly of
InternalBleeding16 found, denoising PSNR. The full recipes (bench/anomaly.py, figures in
bench/RESULTS.md) are `slow`; a smaller variant of each runs in the fast suite."""
import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import pratique as pq
from pratique.data.windows import sliding_windows


def _fit(name, x, y, epochs, lr=1e-3, **kwargs):
    torch.manual_seed(0)
    model = pq.Model(pq.models.create_model(name, **kwargs))
    model.compile(optimizer="adam", lr=lr, loss="mse")
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, seed=0)
    return model


def one_digit_auc(digit: int, epochs: int, n_test: int | None = None) -> float:
    """conv_autoencoder fit on the training images of `digit` only; ROC AUC of its scores
    separating the test images of that digit (normal) from all the others (anomalies)."""
    (x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
    xt, yt = xt[:n_test], yt[:n_test]
    model = _fit("conv_autoencoder", x[y == digit], x[y == digit], epochs)
    return roc_auc_score(yt != digit, pq.anomaly.score(model, xt))


def bleeding_peak(epochs: int, window: int = 64, stride: int = 1) -> tuple[int, int, int]:
    """(where the highest per-point score falls, first and last labelled anomalous point)."""
    (train, _), (test, is_anomaly) = pq.datasets.load_data("internalbleeding16")
    mu, sd = train.mean(), train.std()  # the normal signal's statistics, for both
    x, _ = sliding_windows((train - mu) / sd, window, stride=stride)  # (N, 1, window)
    model = _fit("conv1d_autoencoder", x, x, epochs, input_size=window)
    scores = pq.anomaly.score(model, (test - mu) / sd, per="point")
    lo, hi = np.flatnonzero(is_anomaly)[[0, -1]]
    return int(np.argmax(scores)), int(lo), int(hi)


def psnr(a, clean) -> float:
    """10 log10(1 / MSE) on the [0, 1] scale, all images together."""
    return float(10 * np.log10(1.0 / np.mean((np.asarray(a, np.float64) - clean) ** 2)))


def denoising_psnr(epochs: int, n_train: int, lr: float = 1e-3) -> tuple[float, float]:
    """(PSNR of the noisy test digits, PSNR of the autoencoder's outputs), against the clean."""
    (x, _), (xt, _) = pq.datasets.load_data("mnist5k")
    x = x[:n_train]
    model = _fit("conv_autoencoder", pq.data.add_noise(x, 0.3, seed=0), x, epochs, lr, latent_dim=128)
    noisy = pq.data.add_noise(xt, 0.3, seed=1)  # new noise on held-out digits
    clean = xt / 255.0
    return psnr(noisy / 255.0, clean), psnr(model.predict(noisy)[:, 0], clean)


@pytest.mark.slow
@pytest.mark.parametrize("digit", [0, 1, 7])
def test_one_digit_autoencoder_separates_its_digit_from_the_others(digit):
    assert one_digit_auc(digit, epochs=50) >= 0.95


def test_one_digit_auc_small():
    assert one_digit_auc(1, epochs=5, n_test=400) >= 0.9


@pytest.mark.slow
def test_internal_bleeding_peak_within_100_points_of_the_anomaly():
    peak, lo, hi = bleeding_peak(epochs=20)
    assert lo - 100 <= peak <= hi + 100  # the UCR anomaly archive's scoring rule


def test_internal_bleeding_peak_small():
    peak, lo, hi = bleeding_peak(epochs=3, stride=4)
    assert lo - 100 <= peak <= hi + 100


@pytest.mark.slow
def test_denoising_gains_5_db():
    noisy, denoised = denoising_psnr(epochs=10, n_train=4000)
    assert denoised >= noisy + 5.0


def test_denoising_gains_small():
    noisy, denoised = denoising_psnr(epochs=5, n_train=1000, lr=3e-3)
    assert denoised >= noisy + 1.0
