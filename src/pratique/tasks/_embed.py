"""`Model.embed`: features for other models (scikit-learn's, anyone's), as a numpy array (N, D).

What a model's features are: an autoencoder's latent code (its `encode`); a classifier's input
to its head (`split_backbone_head`: timm's pre-logits, else what enters the last `nn.Linear`);
an ensemble's, its members' features side by side.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..models.ensemble import EnsembleModule
from ..training.split import split_backbone_head
from . import _inputs


def features_fn(module: nn.Module):
    """`x -> (N, D)` features of `module` (run it under no_grad, in eval mode)."""
    if callable(getattr(module, "encode", None)):  # an autoencoder: its latent code
        return lambda x: module.encode(x).flatten(1)
    if isinstance(module, EnsembleModule):
        parts = [features_fn(m) for m in module.members]
        return lambda x: torch.cat([f(x) for f in parts], dim=1)
    split = split_backbone_head(module)
    return lambda x: split.embed(x).flatten(1)


class Embedding:
    """`embed` on `Model` (a mixin: model.py stays readable)."""

    def embed(self, x, batch_size: int = 256, split: str | None = None) -> np.ndarray:
        """Features of `x` as a numpy array (N, D), to train other models on.

        An autoencoder gives its latent code; a classifier the features its head takes (the
        output of the layer before the last `nn.Linear`, timm's pre-logits); an ensemble its
        members' features, concatenated. Batched, in eval mode, without gradients; inputs are
        preprocessed as for `predict` (uint8 scaled, the model's normalization).

        Args:
            x: arrays or tensors (as `predict` takes), or an `ImageData` (its test split, else
                its validation split; `split="train"`, `"val"` or `"test"` picks one, in order).
            batch_size: samples per forward pass.
            split: with an ImageData, the split to embed.

        Example:
            >>> from sklearn.linear_model import LogisticRegression
            >>> clf = LogisticRegression(max_iter=1000).fit(model.embed(x_train), y_train)
            >>> clf.score(model.embed(x_test), y_test)
        """
        if hasattr(x, "eval_batches"):  # an ImageData: unaugmented, in order
            batches = self._eval_batches(x, None, batch_size, split)
        else:
            xt, _ = _inputs.as_xy(_inputs.one_input(x, "embed"), None, self)
            batches = _inputs.batches(xt, None, batch_size, preprocessing=self.preprocessing)
        module = self.module
        first = next(module.parameters(), None)
        device = first.device if first is not None else torch.device("cpu")
        features = features_fn(module)
        was = module.training
        module.eval()
        try:
            with torch.no_grad():
                out = [features(xb.to(device)).float().cpu() for xb, *_ in batches]
        finally:
            module.train(was)
        return torch.cat(out).numpy()
