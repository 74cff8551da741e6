"""Autoencoders on real data: one-digit anomaly detection on mnist5k (ROC AUC per digit), the
anomaly of InternalBleeding16 (where the highest score falls), denoising PSNR.

    PYTHONPATH=src python bench/autoencoders.py                       # the recipes of the docs
    PYTHONPATH=src python bench/autoencoders.py --pictures docs/img   # and the docs' pictures

Recipes (docs/autoencoders.md): conv_autoencoder (latent 32), Adam 1e-3, batch 32, 50 epochs on
the training images of one digit; conv1d_autoencoder on windows of 64 (stride 1) of the normal
signal, z-scored with its own mean and std, 20 epochs; denoising: conv_autoencoder (latent 128),
10 epochs on 4,000 digits with Gaussian noise of std 0.3, tested on new noise over the 1,000
test digits. Prints a Markdown summary for bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import torch

import pratique as pq
from pratique.data.windows import sliding_windows
from pratique.reports import save_figure


def fit(name, x, y, epochs, **kwargs):
    torch.manual_seed(0)
    model = pq.Model(pq.models.create_model(name, **kwargs)).compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, seed=0)
    return model


def one_digit(digit, epochs, pictures):
    (x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
    model = fit("conv_autoencoder", x[y == digit], x[y == digit], epochs)
    scores = pq.anomaly.score(model, xt)
    if pictures and digit == 1:
        fig = pq.anomaly.plot_roc(scores, yt != digit, title="Autoencoder fit on 1s only:\n"
                                  "test 1s (normal) vs the other digits")
        save_figure(fig, os.path.join(pictures, "autoencoder_roc.png"))
    return pq.anomaly.roc_auc(scores, yt != digit)


def bleeding(epochs, window, pictures):
    (train, _), (test, is_anomaly) = pq.datasets.load_data("internalbleeding16")
    mu, sd = train.mean(), train.std()
    x, _ = sliding_windows((train - mu) / sd, window)
    model = fit("conv1d_autoencoder", x, x, epochs, input_size=window)
    t = pq.anomaly.threshold(pq.anomaly.score(model, (train - mu) / sd, per="point"), 0.99)
    scores = pq.anomaly.score(model, (test - mu) / sd, per="point")
    if pictures:
        fig = pq.anomaly.plot_signal_scores(test, scores, is_anomaly, threshold=t, zoom=600,
                                            title="InternalBleeding16: test signal and per-point "
                                                  "reconstruction error")
        save_figure(fig, os.path.join(pictures, "autoencoder_signal_scores.png"))
    lo, hi = np.flatnonzero(is_anomaly)[[0, -1]]
    return int(np.argmax(scores)), int(lo), int(hi), int((scores > t).sum())


def psnr(a, clean):
    return float(10 * np.log10(1.0 / np.mean((np.asarray(a, np.float64) - clean) ** 2)))


def denoising(epochs, n_train, pictures):
    (x, _), (xt, _) = pq.datasets.load_data("mnist5k")
    x = x[:n_train]
    model = fit("conv_autoencoder", pq.data.add_noise(x, 0.3, seed=0), x, epochs, latent_dim=128)
    noisy = pq.data.add_noise(xt, 0.3, seed=1)
    out = model.predict(noisy)[:, 0]
    if pictures:
        fig = pq.anomaly.plot_reconstructions({"noisy": noisy, "denoised": out, "clean": xt}, n=10,
                                              psnr_of="clean", title="Denoising autoencoder, "
                                              "held-out digits (PSNR against the clean digit)")
        save_figure(fig, os.path.join(pictures, "autoencoder_denoising.png"))
    return psnr(noisy / 255.0, xt / 255.0), psnr(out, xt / 255.0)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--digits", default="0,1,2,3,4,5,6,7,8,9")
    p.add_argument("--epochs", type=int, default=50, help="one-digit autoencoders")
    p.add_argument("--signal-epochs", type=int, default=20)
    p.add_argument("--window", type=int, default=64)
    p.add_argument("--denoise-epochs", type=int, default=10)
    p.add_argument("--pictures", default=None, help="write the docs' PNGs into this folder")
    args = p.parse_args()
    print(f"Machine: {platform.node() or 'vm'} | {platform.processor() or platform.machine()} | "
          f"{torch.get_num_threads()} threads | torch {torch.__version__} | python {platform.python_version()}")
    t0 = time.time()
    aucs = {int(d): one_digit(int(d), args.epochs, args.pictures) for d in args.digits.split(",")}
    print(f"\none digit, conv_autoencoder, {args.epochs} epochs: ROC AUC, that digit's test images "
          "vs all others")
    print("| digit | " + " | ".join(map(str, aucs)) + " |")
    print("|---" * (len(aucs) + 1) + "|")
    print("| AUC | " + " | ".join(f"{a:.3f}" for a in aucs.values()) + " |")
    short = [d for d, a in aucs.items() if a < 0.95]
    print(f"below 0.95: {short or 'none'}")
    peak, lo, hi, flagged = bleeding(args.signal_epochs, args.window, args.pictures)
    verdict = "within" if lo - 100 <= peak <= hi + 100 else "NOT within"
    print(f"\nInternalBleeding16: highest score at {peak}, labelled anomaly {lo}-{hi}: {verdict} 100 "
          f"points (distance {max(lo - peak, peak - hi, 0)}); {flagged} points above the 0.99 "
          "quantile of the training signal's scores")
    noisy, denoised = denoising(args.denoise_epochs, 4000, args.pictures)
    print(f"\ndenoising (std 0.3): noisy {noisy:.2f} dB, denoised {denoised:.2f} dB, gain "
          f"{denoised - noisy:+.2f} dB (goal >= +5)")
    print(f"\ntotal {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
