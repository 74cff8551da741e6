"""Transfer learning offline, two modes.

Default: pretrained (bundled ImageNet) efficientnet_lite0 vs the same network from scratch, same
data, same budget, on a subset of mnist5k resized to RGB.

    PYTHONPATH=src python bench/transfer.py --n-train 1000 --size 64 --epochs 3

--photos (issue 20): a folder of ~400 photos at mixed sizes, two classes, train/ and val/, made
from scikit-image's sample photos by crops, flips and scales (bench/_transfer_photos.py), then
the wall time of whole processes, side by side, alternating (the order rotates each repeat):
the plain loop of the torchvision tutorial, pratique's Python `finetune`, `pratique finetune`,
fastai's `vision_learner`; frozen head-only training (5 epochs), the same with the standard
augmentation, freeze_unfreeze 2 + 3 epochs, and a second pratique run on the same folder
(its features cache warm). Medians, ratios to the plain loop, held-out (val/) accuracies.

    PYTHONPATH=src python bench/transfer.py --photos [--repeats 1] [--n 400] [--install]
                                             [--scenarios freeze,augment,freeze_unfreeze,warm]

`--install` pip-installs fastai into bench/.peers/site (as bench/fit_peers.py does); without it
fastai is skipped when it cannot be imported.

Prints one line per run and a Markdown table for bench/RESULTS.md.
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


HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, ".peers", "site")
# (scenario, contender): what each child process runs; the plain loop is each scenario's reference
SCENARIOS = {
    "freeze": ["plain", "pq", "cli", "fastai"],
    "augment": ["plain", "pq"],
    "freeze_unfreeze": ["plain", "pq"],
    "warm": ["pq"],
}
GOALS = {("freeze", "pq"): 0.3, ("freeze", "cli"): 0.3, ("augment", "pq"): 0.6,
         ("freeze_unfreeze", "pq"): 0.7, ("warm", "pq"): 0.2}


def child(args) -> None:
    """One contender in this (fresh) process; prints RESULT {json}."""
    sys.path.append(PEERS)  # appended: the project's own numpy/torch win
    import _transfer_photos as tp

    augment, unfreeze = args.scenario == "augment", 2 if args.scenario == "freeze_unfreeze" else None
    if args.child == "plain":
        out = tp.run_plain(args.folder, args.epochs, augment, unfreeze, args.lr)
    elif args.child == "pq":
        out = tp.run_pq(args.folder, args.epochs, augment, unfreeze, args.lr, args.cache)
    elif args.child == "cli":
        out = tp.run_cli(args.folder, args.epochs, args.lr, args.cache)
    else:
        out = tp.run_fastai(args.folder, args.epochs, args.lr)
    print("RESULT " + json.dumps(out), flush=True)


def timed(name: str, scenario: str, args, folder: str, cache: str) -> dict:
    """Wall time of one contender's whole process, its result, and its output's last lines."""
    env = {**os.environ, "PYTHONPATH": os.path.join(os.path.dirname(HERE), "src"),
           "PRATIQUE_DATA": cache}  # the CLI's features cache: cold unless the scenario is "warm"
    cmd = [sys.executable, os.path.abspath(__file__), "--child", name, "--scenario", scenario,
           "--folder", folder, "--epochs", str(args.epochs), "--lr", str(args.lr), "--cache", cache]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cache, check=False)
    seconds = time.perf_counter() - t0
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode or not lines:
        print(f"  {scenario}/{name} failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-2000:]}")
        return {"seconds": seconds, "failed": True}
    said = [line for line in proc.stdout.splitlines() if line.startswith(("freeze", "freeze_unfreeze:"))]
    return {"seconds": seconds, **json.loads(lines[-1][7:]), "said": said[:1]}


def can_import_fastai() -> bool:
    code = f"import sys; sys.path.append({PEERS!r}); import fastai.vision.all"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, check=False).returncode == 0


def photos(args) -> None:
    sys.path.insert(0, HERE)
    import _transfer_photos as tp
    from fit_peers import machine_line

    if args.install:
        subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--upgrade", "--target", PEERS,
                        "fastai", "fastcore", "fasttransform", "plum-dispatch", "beartype", "fastdownload",
                        "fastprogress==1.0.3", "pandas", "python-dateutil", "pytz", "tzdata", "six"], check=False)
    work = tempfile.mkdtemp(prefix="pq-transfer-")
    folder = tp.build_folder(os.path.join(work, "photos"), args.n)
    scenarios = {k: v for k, v in SCENARIOS.items() if k in args.scenarios.split(",")}
    fastai = can_import_fastai()
    if not fastai:
        print("skipping fastai: it cannot be imported here (try --install)")
    load = os.getloadavg()
    results: dict = {}
    for r in range(args.repeats):
        for scenario, names in scenarios.items():
            names = [n for n in names if n != "fastai" or fastai]
            names = names[r % len(names):] + names[:r % len(names)]  # the order rotates each repeat
            for name in names:
                cache = os.path.join(work, f"{scenario}-{name}-{r}")
                os.makedirs(cache, exist_ok=True)
                if scenario == "warm":  # the same features cache, once cold (not counted), then timed
                    cache = os.path.join(work, "warm-cache")
                    os.makedirs(cache, exist_ok=True)
                    if r == 0:
                        timed(name, "freeze", args, folder, cache)
                res = timed(name, "freeze" if scenario == "warm" else scenario, args, folder, cache)
                results.setdefault((scenario, name), []).append(res)
                print(f"{scenario:16s} {name:7s} {res['seconds']:7.1f} s  accuracy "
                      f"{res.get('accuracy', float('nan')):.3f}  {res.get('said', '')}", flush=True)
    report(results, args, load, machine_line())


def report(results: dict, args, load, machine: str) -> None:
    print(f"\nmachine: {machine}\nload average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
          f"at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; repeats: {args.repeats}")
    print("| scenario | contender | wall time (s, median) | ratio to plain | goal | held-out accuracy |"
          " epochs (s) | features pass (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for (scenario, name), runs in results.items():
        ok = [r for r in runs if not r.get("failed")]
        if not ok:
            print(f"| {scenario} | {name} | failed | | | | | |")
            continue
        med = statistics.median(r["seconds"] for r in ok)
        ref_key = ("freeze" if scenario == "warm" else scenario, "plain")
        ref = [r["seconds"] for r in results.get(ref_key, []) if not r.get("failed")]
        ratio = f"{med / statistics.median(ref):.2f}x" if ref and name != "plain" else ""
        goal = f"<= {GOALS[(scenario, name)]}x" if (scenario, name) in GOALS else ""
        epochs = " ".join(f"{v:.1f}" for v in ok[-1].get("epoch_seconds", []))
        feats = ok[-1].get("features_seconds", "")
        feats = ("cache" if ok[-1].get("features_cache_hit") else f"{feats:.1f}") if feats != "" else ""
        accs = statistics.median(r["accuracy"] for r in ok)
        print(f"| {scenario} | {name} | {med:.1f} | {ratio} | {goal} | {accs:.3f} | {epochs} | {feats} |")


def main() -> None:
    if "--photos" in sys.argv or "--child" in sys.argv:
        p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        p.add_argument("--photos", action="store_true")
        p.add_argument("--n", type=int, default=400)
        p.add_argument("--epochs", type=int, default=5)
        p.add_argument("--repeats", type=int, default=1)
        p.add_argument("--lr", type=float, default=3e-3)  # the CLI's default; 1e-3 leaves timm's head far from done
        p.add_argument("--scenarios", default=",".join(SCENARIOS))
        p.add_argument("--install", action="store_true")
        p.add_argument("--child"), p.add_argument("--scenario"), p.add_argument("--folder")
        p.add_argument("--cache")
        args = p.parse_args()
        return child(args) if args.child else photos(args)
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
