"""fastai's and Flash's conveniences on `Model` (a mixin: model.py stays readable):
`lr_find`, `fit_one_cycle`, `finetune`. Each drives the model's own compile/fit."""
from __future__ import annotations

from ..training import schedules


class Recipes:
    """`lr_find` (fastai), `fit_one_cycle` (fastai), `finetune` (Lightning Flash)."""

    def lr_find(self, x, y=None, start_lr: float = 1e-7, end_lr: float = 10.0, num_iter: int = 100,
                batch_size: int = 64, plot: str | None = "lr_find.png"):
        """The LR range test (fastai's lr_find): returns an `LRFinderResult` with `.suggestion`.

        Weights and optimizer state are restored afterwards. See `tasks.lr_finder.lr_find`.
        """
        from .lr_finder import lr_find

        return lr_find(self, x, y, start_lr=start_lr, end_lr=end_lr, num_iter=num_iter,
                       batch_size=batch_size, plot=plot)

    def fit_one_cycle(self, x, y=None, epochs: int = 1, lr_max: float | None = None, **fit_kwargs):
        """fastai's fit_one_cycle: a one-cycle schedule peaking at `lr_max` (default: the
        compiled lr), for this fit only; other arguments go to `fit`."""
        self._require_compiled("fit_one_cycle")
        saved = self.schedule
        if lr_max is not None:
            for g in self.optimizer.param_groups:
                g.pop("initial_lr", None)
                g["lr"] = lr_max
        self.schedule = schedules.get("onecycle")
        try:
            return self.fit(x, y, epochs=epochs, **fit_kwargs)
        finally:
            self.schedule = saved

    def finetune(self, data, epochs: int = 1, strategy="freeze_unfreeze", **fit_kwargs):
        """Fine-tune with one of Flash's strategies; see `tasks.finetune.finetune`."""
        from .finetune import finetune

        return finetune(self, data, epochs=epochs, strategy=strategy, **fit_kwargs)
