"""Folder training from scratch through the decoded-image cache vs the same images as a tensor.

2,000 PNGs (mnist5k digits resized to 64x64, written to a temp folder), a LeNet-5-style CNN for
64x64 inputs, batch 64, Adam, normalize=True, 4 epochs. Each variant is a fresh process (a real
run: nothing decoded or checked before it starts), alternating within each round:

  tensor   the same uint8 images as an in-memory tensor (`ImageData.from_numpy`)
  memory   cache="memory": the pipeline before this cache (files decoded once per run, in RAM)
  none     cache=None: the files decoded again every epoch (DataLoader workers)
  cold     cache="disk" into an empty cache folder: a first run, which writes the cache
  warm     cache="disk" again: a later run, reading what `cold` wrote

"start" is building the ImageData (file check, decode, statistics) plus the first epoch;
"img/s" is the median speed of the epochs after the first.

    python bench/cache.py [--rounds 3] [--images 2000] [--epochs 4] [--augment standard]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

VARIANTS = ("tensor", "memory", "none", "cold", "warm")


def machine_line() -> str:
    import torch

    with open("/proc/cpuinfo") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if "model name" in ln), "?")
    return (f"{platform.node()} | {cpu} | {os.cpu_count()} CPUs, {torch.get_num_threads()} threads | "
            f"torch {torch.__version__} | python {platform.python_version()}")


def write_folder(root: str, n: int, size: int = 64) -> np.ndarray:
    """n mnist5k digits as size x size grayscale PNGs in class folders; their decoded uint8 (N, 1, H, W)."""
    from PIL import Image

    import pratique as pq
    from pratique.data.preprocess import Preprocessing

    (x, y), _ = pq.datasets.load_data("mnist5k")
    read, paths = Preprocessing({"color_mode": "grayscale", "image_size": [size, size]}).read, []
    for i in range(n):
        d = os.path.join(root, str(int(y[i])))
        os.makedirs(d, exist_ok=True)
        paths.append(os.path.join(d, f"{i:05d}.png"))
        Image.fromarray(x[i]).resize((size, size), Image.BILINEAR).save(paths[-1])
    order = sorted(range(n), key=lambda i: paths[i])  # the folder's order, as from_folders lists it
    return np.stack([read(paths[i]).numpy() for i in order]), np.array([int(y[i]) for i in order])


def cnn():
    from torch import nn

    return nn.Sequential(  # LeNet-5's layers, for 1x64x64
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),   # (6, 60, 60) -> (6, 30, 30)
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),  # (16, 26, 26) -> (16, 13, 13)
        nn.Flatten(), nn.Linear(16 * 13 * 13, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def child(variant: str, root: str, cache_dir: str, epochs: int, augment) -> dict:
    """One run; prints {"build": s, "epochs": [s, ...], "n": images}."""
    import torch

    import pratique as pq

    torch.manual_seed(0)
    t0 = time.perf_counter()
    if variant == "tensor":
        arrays = np.load(os.path.join(root, "..", "decoded.npz"))
        data = pq.ImageData.from_numpy(arrays["x"], arrays["y"], augment=augment, batch_size=64)
    else:
        cache = {"memory": "memory", "none": None}.get(variant, "disk")
        data = pq.ImageData.from_folders(root, augment=augment, cache=cache, cache_dir=cache_dir,
                                         batch_size=64, verbose=0)
    build = time.perf_counter() - t0
    times = []

    class Timer(pq.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t)

    model = pq.Model(cnn()).compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.fit(data, epochs=epochs, verbose=0, callbacks=[Timer()], seed=0)
    if variant == "warm" and not data.cache_info["hit"]:
        raise SystemExit("warm run did not find the cache")
    return {"build": build, "epochs": times, "n": len(data)}


def run(variant, root, cache_dir, epochs, augment) -> dict:
    args = [sys.executable, __file__, "--child", variant, "--root", root, "--cache-dir", cache_dir,
            "--epochs", str(epochs)] + (["--augment", augment] if augment else [])
    out = subprocess.run(args, capture_output=True, text=True, check=False,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    if out.returncode:
        raise SystemExit(f"{variant} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--augment", default=None)
    ap.add_argument("--child")
    ap.add_argument("--root")
    ap.add_argument("--cache-dir")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child, a.root, a.cache_dir, a.epochs, a.augment)))
        return
    print(machine_line())
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    results = {v: {"start": [], "rate": []} for v in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        x, y = write_folder(os.path.join(tmp, "digits"), a.images)
        np.savez(os.path.join(tmp, "decoded.npz"), x=x, y=y)
        for r in range(a.rounds):
            cache_dir = os.path.join(tmp, f"cache{r}")  # empty: `cold` writes it, `warm` reads it
            k = r % 4
            order = [*("tensor", "memory", "none", "cold")[k:], *("tensor", "memory", "none", "cold")[:k]]
            order.insert(order.index("cold") + 1, "warm")
            for v in order:
                got = run(v, os.path.join(tmp, "digits"), cache_dir, a.epochs, a.augment)
                results[v]["start"].append(got["build"] + got["epochs"][0])
                results[v]["rate"] += [got["n"] / t for t in got["epochs"][1:]]
                print(f"  round {r + 1} {v:6s} build {got['build']:6.2f}s  epochs "
                      + " ".join(f"{t:.2f}" for t in got["epochs"]), flush=True)
    med = {v: (statistics.median(d["start"]), statistics.median(d["rate"])) for v, d in results.items()}
    print(f"\n{a.images} PNGs 64x64, {a.epochs} epochs, augment={a.augment}, {a.rounds} rounds (medians)")
    print("variant   start s (build + epoch 1)   img/s epochs 2+")
    for v, (s, rate) in med.items():
        print(f"{v:8s}  {s:10.2f}                  {rate:9.0f}")
    tensor_rate, today = med["tensor"][1], med["memory"][0]
    print(f"epochs 2+, disk cache / in-memory tensor: cold run {med['cold'][1] / tensor_rate:.2f}x, "
          f"warm run {med['warm'][1] / tensor_rate:.2f}x   (goal >= 0.85x)")
    print(f"start, cold disk cache / today's pipeline (memory): {med['cold'][0] / today:.2f}x   (goal <= 1.0x); "
          f"/ cache=None: {med['cold'][0] / med['none'][0]:.2f}x; warm / today's: {med['warm'][0] / today:.2f}x")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
