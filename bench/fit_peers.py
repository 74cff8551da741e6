"""Training speed against the peers: ours vs a textbook PyTorch loop, Lightning, Keras 3, fastai.

LeNet-5 and an MLP on mnist5k (4,000 training images, 1,000 held out), batch 64, Adam 1e-3
(betas 0.9/0.999, no weight decay), the same torch module and initial weights for every peer,
`--epochs` epochs each with validation on the held-out images at every epoch end and training
accuracy where the peer computes it. The peers run alternately (the order rotates each repeat)
in one process; medians of training images/s and the ratio to the textbook loop are printed,
with the held-out accuracy each reached (so nobody wins by not learning).

Peers are not dependencies of pratique: `--install` pip-installs Keras and fastai into
bench/.peers/site (added to sys.path here); a peer that cannot be imported is skipped.

    python bench/fit_peers.py [--repeats 3] [--epochs 2] [--models lenet5,mlp] [--install]
    python bench/fit_peers.py --time-to 0.97 --models lenet5      # adds time-to-97% per peer
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, ".peers", "site")
os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.append(PEERS)  # appended: the project's own numpy/torch always win

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

import pratique as pq
from pratique.models import create_model

BATCH, LR, VAL_BATCH = 64, 1e-3, 256
PEER_PACKAGES = ["keras", "fastai", "fastcore", "fasttransform", "plum-dispatch", "beartype", "fastdownload",
                 "fastprogress==1.0.3", "namex", "optree", "ml-dtypes", "absl-py", "h5py", "requests",
                 "urllib3", "idna", "certifi", "charset-normalizer", "pandas", "python-dateutil", "pytz",
                 "tzdata", "scikit-learn", "threadpoolctl", "joblib", "cloudpickle", "narwhals", "six"]


def machine_line() -> str:
    with open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if "model name" in line), "?")
    return (f"{platform.node()} | {cpu} | {os.cpu_count()} cores, {torch.get_num_threads()} torch threads "
            f"| torch {torch.__version__} | python {platform.python_version()}")


def fresh(name: str) -> torch.nn.Module:
    torch.manual_seed(0)
    return create_model(name)


def held_out_accuracy(module, xt, yt) -> float:
    module.eval()
    with torch.no_grad():
        acc = (module(xt).argmax(1) == yt).float().mean().item()
    module.train()
    return acc


class TimeTo:
    """Epoch-end tick: held-out accuracy measured off the clock; the training time until it first
    reaches `target` (seconds since `start()`, minus the ticks' own time) is kept."""

    def __init__(self, xt, yt, target):
        self.xt, self.yt, self.target = xt, yt, target

    def start(self):
        self.t0, self.paused, self.reached, self.epochs, self.best = time.perf_counter(), 0.0, None, 0, 0.0

    def __call__(self, module):
        t = time.perf_counter()
        self.epochs += 1
        acc = held_out_accuracy(module, self.xt, self.yt)
        self.best = max(self.best, acc)
        if self.reached is None and acc >= self.target:
            self.reached = (t - self.t0 - self.paused, self.epochs)
        self.paused += time.perf_counter() - t


def time_to(peers, name, data, target, max_epochs, repeats) -> None:
    print(f"\n{name}: training seconds until held-out accuracy >= {target} (median of {repeats}; "
          f"evaluation off the clock; at most {max_epochs} epochs)")
    print(f"  {'peer':<10} {'seconds':>8} {'epochs':>7} {'ours is':>8} {'best acc':>9}")
    order, results = list(peers), {p: [] for p in peers}
    for r in range(repeats):
        for p in order[r % len(order):] + order[:r % len(order)]:
            tick = TimeTo(*data[1], target)
            tick.start()
            peers[p](name, data, max_epochs, tick)
            results[p].append(tick)
    med = {p: statistics.median(t.reached[0] if t.reached else float("inf") for t in ts)
           for p, ts in results.items()}
    for p, ts in results.items():
        epochs = statistics.median(t.reached[1] if t.reached else float("inf") for t in ts)
        ours = f"{med[p] / med['ours']:.2f}x" if "ours" in med and med[p] < float("inf") else "-"
        shown = f"{med[p]:8.2f}" if med[p] < float("inf") else "not met"
        print(f"  {p:<10} {shown:>8} {epochs:>7} {ours:>8} {max(t.best for t in ts):9.4f}")


# -- the runners: each trains `fresh(name)` and returns (seconds, held-out accuracy) ------------
def run_ours(name, data, epochs, tick=None):
    (x, y), (xt, yt) = data
    model = pq.Model(fresh(name)).compile(optimizer="adam", lr=LR, loss="cross_entropy", metrics=["accuracy"])
    with tempfile.TemporaryDirectory() as tmp:
        callbacks = [pq.callbacks.EarlyStopping(monitor="val_loss", patience=5),
                     pq.callbacks.CSVLogger(os.path.join(tmp, "log.csv")),
                     pq.callbacks.ModelCheckpoint(os.path.join(tmp, "best.safetensors"), save_best_only=True)]
        if tick is not None:
            callbacks.append(pq.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: tick(model.module)))
        t0 = time.perf_counter()
        model.fit(x, y, epochs=epochs, batch_size=BATCH, validation_data=(xt, yt), callbacks=callbacks,
                  verbose=0, seed=0)
        took = time.perf_counter() - t0
    return took, model.history.history["val_accuracy"][-1]


def run_textbook(name, data, epochs, tick=None):
    """The loop of the PyTorch tutorials: DataLoader over a TensorDataset, .item() per batch."""
    (x, y), (xt, yt) = data
    model = fresh(name)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    train = DataLoader(TensorDataset(x, y), batch_size=BATCH, shuffle=True)
    val = DataLoader(TensorDataset(xt, yt), batch_size=VAL_BATCH)
    t0 = time.perf_counter()
    for _ in range(epochs):
        model.train()
        running, correct = 0.0, 0
        for xb, yb in train:
            opt.zero_grad()
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            loss.backward()
            opt.step()
            running += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
        model.eval()
        val_loss, val_correct = 0.0, 0
        with torch.no_grad():
            for xb, yb in val:
                out = model(xb)
                val_loss += F.cross_entropy(out, yb, reduction="sum").item()
                val_correct += (out.argmax(1) == yb).sum().item()
        if tick is not None:
            tick(model)
    took = time.perf_counter() - t0
    return took, val_correct / len(yt)


def run_lightning(name, data, epochs, tick=None):
    import lightning as L

    (x, y), (xt, yt) = data

    class Module(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = fresh(name)

        def training_step(self, batch, _):
            xb, yb = batch
            out = self.net(xb)
            loss = F.cross_entropy(out, yb)
            self.log("loss", loss, on_epoch=True, on_step=False)
            self.log("accuracy", (out.argmax(1) == yb).float().mean(), on_epoch=True, on_step=False)
            return loss

        def validation_step(self, batch, _):
            xb, yb = batch
            out = self.net(xb)
            self.log("val_loss", F.cross_entropy(out, yb))
            self.log("val_accuracy", (out.argmax(1) == yb).float().mean())

        def configure_optimizers(self):
            return torch.optim.Adam(self.parameters(), lr=LR)

    class Tick(L.Callback):
        def on_train_epoch_end(self, trainer, pl_module):
            tick(pl_module.net)

    module = Module()
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False,
                        callbacks=[Tick()] if tick is not None else None,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                        num_sanity_val_steps=0)
    t0 = time.perf_counter()
    trainer.fit(module, DataLoader(TensorDataset(x, y), batch_size=BATCH, shuffle=True),
                DataLoader(TensorDataset(xt, yt), batch_size=VAL_BATCH))
    took = time.perf_counter() - t0
    return took, held_out_accuracy(module.net, xt, yt)


def run_keras(name, data, epochs, tick=None):
    import keras

    (x, y), (xt, yt) = data
    module = fresh(name)
    model = keras.Sequential([keras.Input(shape=tuple(x.shape[1:])), keras.layers.TorchModuleWrapper(module)])
    model.compile(optimizer=keras.optimizers.Adam(LR, beta_1=0.9, beta_2=0.999, epsilon=1e-8),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    t0 = time.perf_counter()
    ticks = [keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: tick(module))] if tick else []
    model.fit(x.numpy(), y.numpy(), batch_size=BATCH, epochs=epochs, verbose=0, callbacks=ticks,
              validation_data=(xt.numpy(), yt.numpy()), validation_batch_size=VAL_BATCH)
    took = time.perf_counter() - t0
    return took, held_out_accuracy(module, xt, yt)


def run_fastai(name, data, epochs, tick=None):
    from functools import partial

    import fastai.callback.progress  # noqa: F401 - adds Learner.no_bar
    from fastai.callback.core import Callback
    from fastai.data.core import DataLoaders
    from fastai.data.load import DataLoader as FastDL
    from fastai.learner import Learner
    from fastai.metrics import accuracy
    from fastai.optimizer import Adam

    (x, y), (xt, yt) = data
    module = fresh(name)
    dls = DataLoaders(FastDL(TensorDataset(x, y), bs=BATCH, shuffle=True),
                      FastDL(TensorDataset(xt, yt), bs=VAL_BATCH), device=torch.device("cpu"))
    learn = Learner(dls, module, loss_func=F.cross_entropy, metrics=accuracy,
                    opt_func=partial(Adam, mom=0.9, sqr_mom=0.999, eps=1e-8, wd=0.0))
    t0 = time.perf_counter()
    class Tick(Callback):
        order = 99  # after the recorder and the metrics

        def after_epoch(self):
            tick(module)

    with learn.no_bar(), learn.no_logging():
        learn.fit(epochs, lr=LR, cbs=[Tick()] if tick is not None else None)
    took = time.perf_counter() - t0
    return took, held_out_accuracy(module, xt, yt)


RUNNERS = {"ours": run_ours, "textbook": run_textbook, "lightning": run_lightning,
           "keras": run_keras, "fastai": run_fastai}
IMPORTS = {"lightning": "lightning", "keras": "keras", "fastai": "fastai.learner"}


def available() -> dict:
    peers = {}
    for peer, runner in RUNNERS.items():
        try:
            if peer in IMPORTS:
                __import__(IMPORTS[peer])
            peers[peer] = runner
        except Exception as e:  # noqa: BLE001 - any import failure means: skip this peer
            print(f"skipping {peer}: cannot import it here ({type(e).__name__}: {str(e)[:120]}). "
                  "Try --install.")
    return peers


def install() -> None:
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--upgrade", "--target", PEERS, *PEER_PACKAGES]
    print(" ".join(cmd))
    subprocess.run(cmd, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--models", default="lenet5,mlp")
    parser.add_argument("--peers", default=",".join(RUNNERS))
    parser.add_argument("--install", action="store_true", help="pip-install Keras and fastai into bench/.peers")
    parser.add_argument("--time-to", type=float, default=0.0, help="also time each peer to this held-out accuracy")
    parser.add_argument("--max-epochs", type=int, default=20, help="epoch cap for --time-to")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import logging

    for logger in ("lightning", "lightning.pytorch", "lightning.fabric"):
        logging.getLogger(logger).setLevel(logging.ERROR)
    if args.install:
        install()
    (x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
    # every peer gets the same float tensors, scaled once: (N, 1, 28, 28) in [0, 1]
    data = ((torch.from_numpy(x).float().div(255).unsqueeze(1), torch.from_numpy(y).long()),
            (torch.from_numpy(xt).float().div(255).unsqueeze(1), torch.from_numpy(yt).long()))
    peers = {k: v for k, v in available().items() if k in args.peers.split(",")}
    print(machine_line())
    print(f"mnist5k: {len(data[0][1])} train / {len(data[1][1])} held out, batch {BATCH}, Adam {LR}, "
          f"{args.epochs} epochs, {args.repeats} alternating repeats, medians")
    for name in args.models.split(","):
        times = {p: [] for p in peers}
        accs = {p: [] for p in peers}
        for p, run in peers.items():  # warm-up: imports, first-call allocations
            run(name, ((data[0][0][:256], data[0][1][:256]), data[1]), 1)
        order = list(peers)
        for r in range(args.repeats):
            for p in order[r % len(order):] + order[:r % len(order)]:
                took, acc = peers[p](name, data, args.epochs)
                times[p].append(took)
                accs[p].append(acc)
        report(name, times, accs, len(data[0][1]) * args.epochs)
        if args.time_to:
            time_to(peers, name, data, args.time_to, args.max_epochs, args.repeats)


def report(name, times, accs, images) -> None:
    speed = {p: images / statistics.median(t) for p, t in times.items()}
    base = speed.get("textbook")
    print(f"\n{name}: training images/s (median), ratio to the textbook loop, ours vs each, held-out accuracy")
    print(f"  {'peer':<10} {'images/s':>9} {'vs textbook':>12} {'ours is':>9} {'held-out acc':>13}")
    for p, s in speed.items():
        ratio = f"{s / base:.2f}x" if base else "-"
        ours = f"{speed['ours'] / s:.2f}x" if "ours" in speed else "-"
        print(f"  {p:<10} {s:9.0f} {ratio:>12} {ours:>9} {statistics.median(accs[p]):13.4f}")


if __name__ == "__main__":
    main()
