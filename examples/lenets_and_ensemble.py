"""LeNet-1, LeNet-4, LeNet-5 and an ensemble of three LeNet-4, compared on mnist5k.

Run: python examples/lenets_and_ensemble.py [OUT_DIR]   (default runs/examples/lenets_and_ensemble/)"""
import os
import sys
import time

import matplotlib.pyplot as plt

import pratique as pq
from pratique.reports.curves import save_figure

FAST = os.environ.get("PRATIQUE_FAST") == "1"
OUT = sys.argv[1] if len(sys.argv) > 1 else "runs/examples/lenets_and_ensemble"
N, EPOCHS = (1000, 2) if FAST else (4000, 5)
(x, y), (xt, yt) = pq.datasets.load_data("mnist5k")

# The LeNets take 28x28 digits; LeNet-4 and LeNet-5 pad them to the 32x32 of their design.
candidates = {
    "LeNet-1": lambda: pq.ImageClassifier("lenet1", seed=0),
    "LeNet-4": lambda: pq.ImageClassifier("lenet4", seed=0),
    "LeNet-5": lambda: pq.ImageClassifier("lenet5", seed=0),
    # Three LeNet-4 whose scores are summed, trained together as one model (an ensemble, not
    # LeCun 1998's boosting, which trains each member on the previous ones' mistakes)
    "3x LeNet-4 (sum)": lambda: pq.Ensemble(["lenet4"] * 3, combine="sum"),
}
results = {}
print(f"{'model':<18} {'params':>8} {'test acc':>9} {'seconds':>8}")
for name, build in candidates.items():
    pq.seed_everything(0)
    model = build().compile(optimizer="adam", lr=2e-3, loss="cross_entropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x[:N], y[:N], epochs=EPOCHS, batch_size=32, seed=0, verbose=0)
    _, acc = model.evaluate(xt, yt, verbose=0)
    results[name] = acc
    print(f"{name:<18} {model.count_params():>8,} {acc:>9.4f} {time.perf_counter() - start:>8.1f}")

fig, ax = plt.subplots(figsize=(8, 4.5), layout="tight")
bars = ax.bar(list(results), list(results.values()), color=["C0", "C1", "C2", "C3"])
ax.bar_label(bars, fmt="%.3f")
low = min(results.values())
ax.set(ylim=(max(0.0, low - 0.1), 1.0), ylabel="test accuracy", xlabel="model",
       title=f"LeNets on {N} mnist5k digits, {EPOCHS} epoch(s): accuracy on {len(xt)} test digits")
ax.grid(axis="y", alpha=0.3)
save_figure(fig, f"{OUT}/accuracy.png")
print(f"test accuracy: LeNet-1 {results['LeNet-1']:.4f}, LeNet-4 {results['LeNet-4']:.4f}, "
      f"LeNet-5 {results['LeNet-5']:.4f}, 3x LeNet-4 {results['3x LeNet-4 (sum)']:.4f}")
