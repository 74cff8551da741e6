"""Regenerate docs/activations.png: PYTHONPATH=src python docs/make_activations_png.py"""
import matplotlib
import torch

from pratique.models.activations import get_activation

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after choosing the backend

names = ["step", "sign", "linear", "piecewise_linear", "sigmoid", "tanh", "relu", "gelu"]
x = torch.linspace(-3, 3, 601, requires_grad=True)
fig, axes = plt.subplots(2, 4, figsize=(13, 6.2), sharex=True)
for ax, n in zip(axes.flat, names):
    y = get_activation(n)(x); g, = torch.autograd.grad(y.sum(), x)
    ax.plot(x.detach(), y.detach(), lw=2.2, label="f(x)")
    ax.plot(x.detach(), g, lw=1.5, ls="--", label="f'(x) (autograd)")
    ax.set_title(f'"{n}"'); ax.grid(alpha=.3); ax.set_ylim(-1.6, 1.6 if n not in ("linear", "relu") else 3.1)
    ax.axhline(0, c="k", lw=.5); ax.axvline(0, c="k", lw=.5)
for ax in axes[1]: ax.set_xlabel("x")
for ax in axes[:, 0]: ax.set_ylabel("f(x), f'(x)")
axes[0, 0].legend(loc="upper left", fontsize=9)
fig.suptitle("Activation functions by name (get_activation) and their gradients; step and sign have zero gradient")
fig.tight_layout(); fig.savefig("docs/activations.png", dpi=90)
