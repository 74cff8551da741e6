"""Series classification with the default recipe (`pq.models.series_recipe()`) on the bundled
UCR/UEA sets, test accuracy beside the published figures.

    PYTHONPATH=src python bench/series.py                     # fcn, 100 epochs, seed 0
    PYTHONPATH=src python bench/series.py --seeds 0,1,2 --threads 1

The test split is the archive's. Each series is z-normalized per channel (the recipe's
"per_series", done here by hand). Prints one line per run and a Markdown table for
bench/RESULTS.md. Published: UCR/UEA archive pages and Fawaz et al., "Deep learning for time
series classification: a review" (2019).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np
import torch

import pratique as pq

PUBLISHED = {"gunpoint": "1-NN DTW 0.907, FCN 1.00, ResNet 0.99",
             "italypowerdemand": "1-NN Euclidean 0.955, FCN 0.96-0.97",
             "basicmotions": "most deep models 1.00"}
GOALS = {"gunpoint": 0.95, "italypowerdemand": 0.95, "basicmotions": 0.975}


def znorm(x: np.ndarray) -> np.ndarray:
    """(N, C, L): each series and channel minus its mean over time, over its std."""
    std = x.std(-1, keepdims=True)
    return ((x - x.mean(-1, keepdims=True)) / np.where(std > 0, std, 1)).astype("float32")


def run(dataset: str, recipe: dict, seed: int) -> dict:
    (x, y), (xt, yt) = pq.datasets.load_data(dataset)
    clf = pq.ImageClassifier(recipe["model"], num_classes=int(y.max()) + 1, in_channels=x.shape[1],
                             seed=seed)
    clf.compile(optimizer=recipe["optimizer"], lr=recipe["lr"], schedule=recipe["schedule"],
                loss=recipe["loss"], metrics=["accuracy"])
    start = time.perf_counter()
    history = clf.fit(znorm(x), y, epochs=recipe["epochs"], batch_size=recipe["batch_size"],
                      verbose=0, seed=seed)
    seconds = time.perf_counter() - start
    _, accuracy = clf.evaluate(znorm(xt), yt, verbose=0)
    return {"dataset": dataset, "seed": seed, "accuracy": accuracy, "train_loss": history.history["loss"][-1],
            "fit_s": seconds, "shape": f"{len(x)}/{len(xt)} x {x.shape[1]}x{x.shape[2]}"}


def machine_line() -> str:
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if "model name" in line), "?")
    load = os.getloadavg()[0]
    return (f"{platform.node()} | {cpu} | {os.cpu_count()} cores, {torch.get_num_threads()} torch threads "
            f"| load average {load:.1f} | torch {torch.__version__} | python {platform.python_version()}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", default="gunpoint,italypowerdemand,basicmotions")
    p.add_argument("--model", default="fcn", help="a model with a recipe (pq.models.series_recipe)")
    p.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    p.add_argument("--seeds", default="0", help="comma-separated seeds; the table gives each run")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    recipe = pq.models.series_recipe(args.model)
    if args.epochs:
        recipe["epochs"] = args.epochs
    print(f"machine: {machine_line()}")
    print(f"recipe: {recipe}")
    results = []
    for dataset in args.datasets.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            results.append(run(dataset, recipe, seed))
            print({k: round(v, 4) if isinstance(v, float) else v for k, v in results[-1].items()}, flush=True)
    print("\n| data set | train/test x C x L | seed | test accuracy | goal | published | epochs | fit (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['dataset']} | {r['shape']} | {r['seed']} | {r['accuracy']:.4f} | "
              f">= {GOALS.get(r['dataset'], float('nan'))} | {PUBLISHED.get(r['dataset'], '-')} | "
              f"{recipe['epochs']} | {r['fit_s']:.0f} |")
    for dataset in dict.fromkeys(r["dataset"] for r in results):
        accs = [r["accuracy"] for r in results if r["dataset"] == dataset]
        print(f"{dataset}: median {statistics.median(accs):.4f}, min {min(accs):.4f} over {len(accs)} seed(s)")


if __name__ == "__main__":
    main()
