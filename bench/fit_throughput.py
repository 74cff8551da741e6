"""Training throughput: our `fit` vs a textbook PyTorch loop vs the compute ceiling.

LeNet-5 on mnist5k (4,000 training images), batch 64, Adam 1e-3, one epoch per repeat.
The three run alternately in one process; medians of images/s and the ratios are printed.

    python bench/fit_throughput.py [--repeats 7]
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

import pratique as pq
from pratique.models import create_model

BATCH = 64


def machine_line() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line), "?")
    return (f"{platform.node()} | {cpu} | {torch.get_num_threads()} threads | torch {torch.__version__} "
            f"| python {platform.python_version()}")


def textbook(x_u8, y) -> float:
    """The loop from the PyTorch tutorials: DataLoader over a TensorDataset of floats."""
    torch.manual_seed(0)
    model = create_model("lenet5")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(x_u8.float().div(255).unsqueeze(1), y), batch_size=BATCH, shuffle=True)
    t0 = time.perf_counter()
    model.train()
    running, correct = 0.0, 0
    for xb, yb in loader:
        opt.zero_grad()
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        loss.backward()
        opt.step()
        running += loss.item()
        correct += (out.argmax(1) == yb).sum().item()
    return len(y) / (time.perf_counter() - t0)


def ours(x_u8, y) -> float:
    model = pq.ImageClassifier("lenet5", seed=0).compile(optimizer="adam", lr=1e-3, metrics=["accuracy"])
    t0 = time.perf_counter()
    model.fit(x_u8.numpy(), y.numpy(), epochs=1, batch_size=BATCH, verbose=0, seed=0)
    return len(y) / (time.perf_counter() - t0)


def ceiling(x_u8, y) -> float:
    """One batch repeated: forward, backward, step; channels_last; no data movement at all."""
    torch.manual_seed(0)
    model = create_model("lenet5").to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xb = x_u8[:BATCH].float().div(255).unsqueeze(1).contiguous(memory_format=torch.channels_last)
    yb = y[:BATCH]
    steps = len(y) // BATCH
    t0 = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
    return steps * BATCH / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    (x, y), _ = pq.datasets.load_data("mnist5k")
    x, y = torch.from_numpy(x), torch.from_numpy(y).long()
    runners = {"textbook": textbook, "ours": ours, "ceiling": ceiling}
    for fn in runners.values():  # warm-up: allocator, kernels, imports
        fn(x, y)
    results = {k: [] for k in runners}
    for _ in range(args.repeats):
        for name, fn in runners.items():
            results[name].append(fn(x, y))
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"machine: {machine_line()}")
    for k, v in med.items():
        print(f"{k:9s} median {v:9.0f} images/s   (runs: {', '.join(f'{r:.0f}' for r in results[k])})")
    print(f"ours / textbook = {med['ours'] / med['textbook']:.2f}x   (goal >= 1.25x)")
    print(f"ours / ceiling  = {med['ours'] / med['ceiling']:.2f}x   (goal >= 0.90x)")


if __name__ == "__main__":
    main()
