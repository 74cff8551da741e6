"""Prediction on a folder of image files: our `predict` vs a plain eager loop vs ONNX Runtime.

N generated JPEGs (RGB, --size pixels), a LeNet-5 taking 3x28x28 (so decode + resize dominate,
as they do for small models), batch 64. The eager loop decodes with the very same
`Preprocessing.load`, one file after another, then runs the module under inference_mode: the
loop a person writes by hand. Ours is `predict_rows` (a thread pool decodes the next batch while
the model runs); the ONNX path is `predict_rows` on the exported `.onnx` file. The three run
alternately in one process; medians of images/s and the ratios are printed.

    python bench/predict_throughput.py [--images 1000] [--size 128] [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time

import numpy as np
import torch
from PIL import Image

import pratique as pq
from pratique.data.preprocess import Preprocessing
from pratique.tasks.export import export
from pratique.tasks.predict import iter_paths, predict_rows

BATCH = 64


def machine_line() -> str:
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if "model name" in line), "?")
    load = os.getloadavg()[0]
    return (f"{platform.node()} | {cpu} | {os.cpu_count()} cores, {torch.get_num_threads()} torch threads "
            f"| load average {load:.1f} | torch {torch.__version__} | python {platform.python_version()}")


def make_images(folder: str, n: int, size: int) -> None:
    rng = np.random.default_rng(0)
    for i in range(n):
        sub = os.path.join(folder, f"c{i % 4}")  # a few subfolders: the walk is recursive
        os.makedirs(sub, exist_ok=True)
        base = rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)  # smooth images compress like photos
        Image.fromarray(base).resize((size, size), Image.BILINEAR).save(os.path.join(sub, f"{i}.jpg"), quality=90)


def eager(model, folder: str) -> int:
    """The hand-written loop: decode each file, stack, forward, softmax."""
    paths = list(iter_paths(folder))
    module = model.module.eval()
    pre = Preprocessing(model.preprocessing, model.input_shape)
    n = 0
    with torch.inference_mode():
        for i in range(0, len(paths), BATCH):
            x = torch.stack([pre.load(p) for p in paths[i:i + BATCH]])
            module(x).softmax(-1).argmax(-1)
            n += len(x)
    return n


def ours(source, folder: str) -> int:
    return sum(1 for _ in predict_rows(source, folder, batch_size=BATCH))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=1000)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="predict_bench_")
    folder = os.path.join(tmp, "images")
    make_images(folder, args.images, args.size)
    model = pq.ImageClassifier("lenet5", num_classes=10, in_channels=3, seed=0)
    model.input_shape = (3, 28, 28)
    model.preprocessing = {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25], "input_shape": [3, 28, 28]}
    model.classes = [str(i) for i in range(10)]
    onnx_path = export(model, os.path.join(tmp, "m.onnx"))["path"]
    runs = {"eager loop": lambda: eager(model, folder), "pratique predict": lambda: ours(model, folder),
            "pratique predict (ONNX Runtime)": lambda: ours(onnx_path, folder)}
    for fn in runs.values():  # warm-up: imports, page cache, onnxruntime session
        fn()
    rates: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(args.repeats):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            n = fn()
            rates[name].append(n / (time.perf_counter() - t0))
    print(machine_line())
    print(f"{args.images} JPEGs {args.size}x{args.size} RGB -> 3x28x28, LeNet-5, batch {BATCH}, "
          f"median of {args.repeats}")
    base = statistics.median(rates["eager loop"])
    for name, r in rates.items():
        med = statistics.median(r)
        print(f"| {name} | {med:8.1f} img/s | {med / base:.2f}x | rounds {', '.join(f'{v:.0f}' for v in r)} |")


if __name__ == "__main__":
    main()
