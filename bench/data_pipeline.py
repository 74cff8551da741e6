"""Images/s through pratique's training pipeline vs torchvision ImageFolder + PIL + DataLoader.

Generates a folder of 256x256 JPEGs in a temp dir, then alternates the two pipelines (same
workers, batch size, output size, flip augmentation, normalization) in one process, plus the
bare-decode ceiling. Then peak RSS of streaming over N vs 4N images (run in subprocesses).

    python bench/data_pipeline.py --images 2000 --workers 2 --rounds 3
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch


def make_folder(root: str, n: int, seed: int = 0) -> str:
    from PIL import Image

    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    for i in range(n):
        d = os.path.join(root, f"class{i % 4}")
        os.makedirs(d, exist_ok=True)
        img = Image.fromarray(np.roll(base, i, axis=0)).resize((256, 256), Image.BILINEAR)
        img.save(os.path.join(d, f"{i:06d}.jpg"), quality=90)
    return root


def ours(root, size, workers, batch):
    from pratique.data import ImageData

    data = ImageData.from_folders(root, image_size=size, batch_size=batch, augment={"horizontal_flip": True},
                                  normalize="imagenet", num_workers=workers, memory_budget=0)
    return data


def baseline(root, size, workers, batch):
    from torchvision import datasets
    from torchvision import transforms as T

    tf = T.Compose([T.Resize((size, size)), T.RandomHorizontalFlip(), T.ToTensor(),
                    T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    ds = datasets.ImageFolder(root, tf)
    return torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=True, num_workers=workers,
                                       persistent_workers=workers > 0)


def bare_decode(paths):
    from pratique.data.preprocess import Preprocessing

    read = Preprocessing({"color_mode": "rgb"}).read
    t = time.perf_counter()
    for p in paths:
        read(p)
    return len(paths) / (time.perf_counter() - t)


def rate(batches) -> float:
    n, t = 0, time.perf_counter()
    for x, _ in batches:
        n += len(x)
    return n / (time.perf_counter() - t)


def rss_child(root, size, workers):
    data = ours(root, size, workers, 64)
    for _ in data.train_batches():
        pass
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, kids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rss-scale", type=int, default=4, help="RSS compared for N and N*scale images")
    ap.add_argument("--rss-child", nargs=2)
    a = ap.parse_args()
    if a.rss_child:
        return rss_child(a.rss_child[0], a.size, int(a.rss_child[1]))
    with tempfile.TemporaryDirectory() as tmp:
        root = make_folder(os.path.join(tmp, "a"), a.images)
        data = ours(root, a.size, a.workers, a.batch)
        base = baseline(root, a.size, a.workers, a.batch)
        rate(data.train_batches()), rate(base)  # warm-up: workers start, page cache fills
        r_ours, r_base = [], []
        for _ in range(a.rounds):
            r_ours.append(rate(data.train_batches()))
            r_base.append(rate(base))
        paths = [os.path.join(dp, f) for dp, _, fs in os.walk(root) for f in fs][:500]
        ceiling = bare_decode(paths)
        mo, mb = float(np.median(r_ours)), float(np.median(r_base))
        print(f"pratique pipeline   {mo:8.1f} img/s   (rounds {[round(r) for r in r_ours]})")
        print(f"ImageFolder + PIL   {mb:8.1f} img/s   (rounds {[round(r) for r in r_base]})")
        print(f"bare decode (1 proc){ceiling:8.1f} img/s")
        print(f"ratio pratique / ImageFolder: {mo / mb:.2f}x")
        big = make_folder(os.path.join(tmp, "b"), a.images * a.rss_scale)
        for r, n in ((root, a.images), (big, a.images * a.rss_scale)):
            out = subprocess.run([sys.executable, __file__, "--rss-child", r, str(a.workers), "--size",
                                  str(a.size)], capture_output=True, text=True, check=True).stdout.split()
            print(f"peak RSS streaming {n:6d} images: main {int(out[0]) / 1024:.0f} MiB, "
                  f"largest worker {int(out[1]) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
