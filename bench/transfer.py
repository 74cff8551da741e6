"""Transfer learning offline: pretrained (bundled ImageNet) efficientnet_lite0 vs the same network
from scratch, same data, same budget, on a subset of mnist5k resized to RGB.

    PYTHONPATH=src python bench/transfer.py --n-train 1000 --size 64 --epochs 3

Prints one line per run and a Markdown table for bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch
import torch.nn.functional as F

import pratique as pq


def rgb_resized(x: np.ndarray, size: int) -> np.ndarray:
    """(N, 28, 28) uint8 digits -> (N, 3, size, size) uint8, bilinear, grey copied to RGB."""
    t = torch.from_numpy(x).float().unsqueeze(1)
    t = F.interpolate(t, size=(size, size), mode="bilinear", align_corners=False)
    return t.round().clamp(0, 255).to(torch.uint8).expand(-1, 3, -1, -1).contiguous().numpy()


def run(pretrained: bool, data, args) -> dict:
    (x, y), (xt, yt) = data
    clf = pq.ImageClassifier("efficientnet_lite0", num_classes=10, pretrained=pretrained,
                             seed=args.seed)
    clf.preprocessing.update(mean=[0.5] * 3, std=[0.5] * 3)  # the same inputs for both runs
    clf.compile(optimizer="adam", lr=args.lr)
    start = time.perf_counter()
    history = clf.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, verbose=0, seed=args.seed)
    seconds = time.perf_counter() - start
    logs = clf.evaluate(xt, yt, verbose=0, return_dict=True)
    return {"pretrained": pretrained, "train_loss": history.history["loss"][-1],
            "test_accuracy": logs["accuracy"], "test_loss": logs["loss"], "fit_s": seconds}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-train", type=int, default=1000)
    p.add_argument("--n-test", type=int, default=1000)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    (x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
    data = ((rgb_resized(x[:args.n_train], args.size), y[:args.n_train]),
            (rgb_resized(xt[:args.n_test], args.size), yt[:args.n_test]))
    results = [run(True, data, args), run(False, data, args)]
    for r in results:
        print(r)
    print(f"\nmachine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads, "
          f"torch {torch.__version__}, CPU")
    print("| start | train loss | test loss | test accuracy | fit time (s) |")
    print("|---|---|---|---|---|")
    for r in results:
        name = "pretrained (bundled ImageNet)" if r["pretrained"] else "from scratch"
        print(f"| {name} | {r['train_loss']:.3f} | {r['test_loss']:.3f} | "
              f"{r['test_accuracy']:.3f} | {r['fit_s']:.0f} |")


if __name__ == "__main__":
    main()
