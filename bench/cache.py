"""Folder training from scratch through the decoded-image cache vs the same images as a tensor.

2,000 PNGs (mnist5k digits resized to 64x64, written to a temp folder), a LeNet-5-style CNN for
64x64 inputs, batch 64, Adam, normalize=True. Variants:

  tensor   the same uint8 images as an in-memory tensor (`ImageData.from_numpy`)
  memory   cache="memory": the pipeline before this cache (files decoded once per run, in RAM)
  none     cache=None: the files decoded again every epoch (DataLoader workers)
  cold     cache="disk" into an empty cache folder: a first run, which writes the cache
  warm     cache="disk" again: a later run, reading what `cold` wrote

1. Epochs after the first: one process holds tensor, disk (the cache `cold` wrote), memory and
   none, and trains each one epoch in turn, round after round (so a busy spell of a shared
   machine falls on all of them); the median images/s of each.
2. Start of a run (building the ImageData: file check, decode, statistics; plus the first epoch):
   each variant a fresh process (nothing decoded or checked before), alternating, medians.

    python bench/cache.py [--rounds 6] [--starts 3] [--images 2000] [--augment standard]
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

import pratique as pq

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


class Timer(pq.callbacks.Callback):
    """Epoch times: wall, and this process's CPU time (a busy shared machine moves the first
    a lot, the second little; DataLoader workers' CPU is not in it)."""

    def __init__(self):
        self.times, self.cpu = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.t, self.c = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.t)
        self.cpu.append(time.process_time() - self.c)


def build(variant: str, root: str, cache_dir: str, augment):
    if variant == "tensor":
        arrays = np.load(os.path.join(root, "..", "decoded.npz"))
        return pq.ImageData.from_numpy(arrays["x"], arrays["y"], augment=augment, batch_size=64)
    cache = {"memory": "memory", "none": None}.get(variant, "disk")
    return pq.ImageData.from_folders(root, augment=augment, cache=cache, cache_dir=cache_dir,
                                     batch_size=64, verbose=0)


def model():
    import torch

    torch.manual_seed(0)
    return pq.Model(cnn()).compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])


def child(variant: str, root: str, cache_dir: str, augment) -> dict:
    """A fresh run: build the ImageData and train one epoch; {"build": s, "epoch": s}."""
    t0 = time.perf_counter()
    data = build(variant, root, cache_dir, augment)
    built = time.perf_counter() - t0
    timer = Timer()
    model().fit(data, epochs=1, verbose=0, callbacks=[timer], seed=0)
    if variant == "warm" and not data.cache_info["hit"]:
        raise SystemExit("the warm run did not find the cache")
    if variant == "cold" and data.cache_info["hit"]:
        raise SystemExit("the cold run found a cache")
    return {"build": built, "epoch": timer.times[0]}


def start(variant, root, cache_dir, augment) -> float:
    args = [sys.executable, __file__, "--child", variant, "--root", root, "--cache-dir", cache_dir]
    args += ["--augment", augment] if augment else []
    out = subprocess.run(args, capture_output=True, text=True, check=False,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    if out.returncode:
        raise SystemExit(f"{variant} failed:\n{out.stderr[-3000:]}")
    got = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  start {variant:6s} build {got['build']:6.2f}s + epoch 1 {got['epoch']:6.2f}s", flush=True)
    return got["build"], got["build"] + got["epoch"]


def epochs_after_the_first(root, cache_dir, augment, rounds) -> dict:
    """{variant: {"wall": [images/s], "cpu": [images/CPU s], "data": [images/s, batches alone]}}."""
    variants = ("tensor", "disk", "memory", "none")
    data = {v: build(v, root, cache_dir, augment) for v in variants}
    assert data["disk"].cache_info["cache"] == "disk"
    models = {v: model() for v in variants}
    rates = {v: {"wall": [], "cpu": [], "data": []} for v in variants}
    for r in range(rounds + 1):  # round 0 warms up (first epoch, workers starting)
        k = r % len(variants)
        for v in variants[k:] + variants[:k]:
            timer, n = Timer(), len(data[v])
            models[v].fit(data[v], epochs=1, verbose=0, callbacks=[timer], seed=r)
            t = time.perf_counter()
            for _ in range(5):  # the batches alone, no model: 5 passes (one is a few ms)
                for _ in data[v].train_batches(seed=r):
                    pass
            if r:
                rates[v]["wall"].append(n / timer.times[0])
                rates[v]["cpu"].append(n / timer.cpu[0])
                rates[v]["data"].append(5 * n / (time.perf_counter() - t))
        if r:
            print(f"  epochs round {r}, images/s: "
                  + "  ".join(f"{v} {rates[v]['wall'][-1]:5.0f}" for v in variants), flush=True)
    return rates


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=6, help="epochs of each variant after a warm-up one")
    ap.add_argument("--starts", type=int, default=3, help="fresh runs of each variant")
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--augment", default=None)
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    ap.add_argument("--child")
    ap.add_argument("--root")
    ap.add_argument("--cache-dir")
    a = ap.parse_args()
    if a.threads:
        import torch

        torch.set_num_threads(a.threads)
        os.environ["OMP_NUM_THREADS"] = str(a.threads)  # the fresh runs too
    if a.child:
        print(json.dumps(child(a.child, a.root, a.cache_dir, a.augment)))
        return
    print(machine_line())
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "digits")
        x, y = write_folder(root, a.images)
        np.savez(os.path.join(tmp, "decoded.npz"), x=x, y=y)
        starts = {v: [] for v in ("memory", "none", "cold", "warm")}
        for r in range(a.starts):
            cache_dir = os.path.join(tmp, f"cache{r}")  # empty: `cold` writes it, `warm` reads it
            order = ["memory", "none", "cold"][r % 3:] + ["memory", "none", "cold"][:r % 3]
            order.insert(order.index("cold") + 1, "warm")
            for v in order:
                starts[v].append(start(v, root, cache_dir, a.augment))
        rates = epochs_after_the_first(root, os.path.join(tmp, "cache0"), a.augment, a.rounds)
    med = statistics.median
    print(f"\n{a.images} PNGs 64x64, augment={a.augment}, threads={a.threads or 'default'}; medians of "
          f"{a.rounds} epochs and {a.starts} fresh runs per variant")
    print("variant  epochs 2+: img/s  img/CPU-s  batches alone img/s | fresh run: build s  build+epoch 1 s")
    for v in ("tensor", "disk", "memory", "none", "cold", "warm"):
        e = rates.get(v)
        left = (f"{med(e['wall']):16.0f} {med(e['cpu']) if v != 'none' else float('nan'):10.0f} "
                f"{med(e['data']):20.0f}") if e else " " * 48
        right = (f"{med([b for b, _ in starts[v]]):9.2f} {med([t for _, t in starts[v]]):16.2f}"
                 if v in starts else "")
        print(f"{v:7s} {left} | {right}")
    m = {v: {k: med(x) for k, x in e.items()} for v, e in rates.items()}
    b = {v: med([x for x, _ in t]) for v, t in starts.items()}
    s = {v: med([x for _, x in t]) for v, t in starts.items()}
    print(f"epochs 2+, disk cache / in-memory tensor: {m['disk']['wall'] / m['tensor']['wall']:.2f}x wall, "
          f"{m['disk']['cpu'] / m['tensor']['cpu']:.2f}x CPU, {m['disk']['data'] / m['tensor']['data']:.2f}x "
          "batches alone   (goal >= 0.85x)")
    print(f"first epoch of a run (build + epoch 1), cold disk cache / today's pipeline (cache='memory'): "
          f"{s['cold'] / s['memory']:.2f}x (build alone {b['cold'] / b['memory']:.2f}x)   (goal <= 1.0x); "
          f"/ cache=None {s['cold'] / s['none']:.2f}x; a later run (warm) / today's "
          f"{s['warm'] / s['memory']:.2f}x (build alone {b['warm'] / b['memory']:.2f}x)")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
