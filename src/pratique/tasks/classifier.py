"""ImageClassifier: a `Model` built by name from the registry, with class names and preprocessing."""
from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

from ..core.errors import PratiqueError
from ..models.outputs import output_kind, probabilities
from ..models.registry import create_model, get_model_card
from ._task_args import check_head, merge, task_args
from .model import Model, _print_steps, _seeded


class ImageClassifier(Model):
    """An image classifier from a registered name (or your own module).

    Args:
        name_or_module: a name from `pq.models.list_models()` (e.g. "lenet5") or an `nn.Module`
            (Flash's `backbone=` is the same argument).
        num_classes: number of classes (default 10; 1000 with the ImageNet head and class names
            when `pretrained` weights are asked for and no `num_classes` is given).
        in_channels: image channels (default: the model's design, 1 for the LeNets).
        pretrained: start from pretrained weights where the model has them. Default: False with
            a name, True with `backbone=` (Lightning Flash's default; offline, hub-only weights fail
            at once with the fix).
        seed: seed for the initial weights (the global random state is left untouched).
        backbone, head, optimizer, learning_rate, metrics, loss_fn, labels: Lightning Flash's
            task arguments. Without `compile()`, `fit` and `finetune` train with them (Flash's
            defaults: Adam at 1e-3, cross-entropy, accuracy); `metrics` also takes torchmetrics
            objects, alone, in a list or in a dict {log name: metric}.
        **kwargs: passed to the model builder (e.g. `activation="tanh"`).

    Example:
        >>> clf = ImageClassifier("lenet5", num_classes=10).compile()
        >>> clf.fit(x_train, y_train, epochs=5)
        >>> clf.predict(x_test, output="labels")
    """

    task = "classifier"

    def __init__(self, name_or_module=None, num_classes: int | None = None,
                 in_channels: int | None = None, pretrained=None, seed: int | None = None, *,
                 backbone=None, head: str = "linear", optimizer=None, learning_rate=None,
                 metrics=None, loss_fn=None, labels=None, **kwargs):
        flash_style = backbone is not None
        name_or_module = _backbone(name_or_module, backbone)
        check_head(head)
        if labels is not None:  # Flash's class names
            num_classes = _num_labels(labels, num_classes)
        self._task_args = task_args(optimizer, learning_rate, metrics, loss_fn)
        if isinstance(name_or_module, nn.Module):
            super().__init__(name_or_module)
            self.classes = list(labels) if labels is not None else None
            return
        if not isinstance(name_or_module, str):
            raise PratiqueError("ImageClassifier takes a model name or an nn.Module. "
                                f"Received: {type(name_or_module).__name__}.")
        card = get_model_card(name_or_module)
        if pretrained is None:  # Flash's `backbone=` means ImageNet weights (its default); a name, none
            pretrained = flash_style and card.pretrained is not None
        if num_classes is None:  # pretrained: keep the ImageNet head and names, as timm and Keras do
            num_classes = 1000 if _imagenet_head(pretrained) else 10
        with _seeded(seed):
            module = create_model(name_or_module, num_classes=num_classes, in_channels=in_channels,
                                  pretrained=pretrained, **kwargs)
        super().__init__(module)
        meta = getattr(module, "pratique_pretrained", None) or {}  # ImageNet names, normalization
        self.classes = list(labels) if labels is not None else meta.get("classes")
        self.preprocessing.update(meta.get("preprocessing") or {})
        in_channels = card.input_size[0] if in_channels is None else in_channels
        self.architecture = {"name": name_or_module,
                             "kwargs": {"num_classes": num_classes, "in_channels": in_channels, **kwargs}}
        self.input_shape = (in_channels, *card.input_size[1:])
        self.num_classes = num_classes
        # untouched random weights (pretrained=False): finetune's freezing warns about them
        self._init_probe = None if pretrained else _first_weights(module)

    def compile(self, *args, **kwargs):
        """`Model.compile`, starting from this classifier's task arguments (optimizer,
        learning_rate, metrics given to the constructor): only what the call names changes."""
        return super().compile(**merge(self._task_args, Model.compile, args, kwargs))

    def _require_compiled(self, action: str):
        if self._trainer is None:  # a Flash task trains without compile(): its own defaults
            self.compile()
        return super()._require_compiled(action)

    def has_random_backbone(self) -> bool:
        """True while the weights are the random ones of `pretrained=False` (no fit, no load)."""
        probe = self.__dict__.get("_init_probe")
        return probe is not None and torch.equal(probe, _first_weights(self.module))

    @classmethod
    def load_from_checkpoint(cls, path) -> ImageClassifier:
        """Lightning Flash's name: a `.pratique` file (as `pq.load`), or a training checkpoint
        written by `save_checkpoint` of a classifier built by name."""
        from .model import load

        if str(path).endswith(".pratique"):
            model = load(path)
            if not isinstance(model, cls):
                raise PratiqueError(f"{str(path)!r} holds a {type(model).__name__}, not an {cls.__name__}.")
            return model
        from ..training.resume import load_resume_state

        state = load_resume_state(path)
        arch = state.get("architecture")
        if not arch:
            raise PratiqueError(
                f"{str(path)!r} is a training checkpoint without an architecture (a custom module). "
                "Build the model as it was, then load into it: model.load_checkpoint(path).")
        model = cls(arch["name"], **arch["kwargs"])
        model.load_checkpoint(path)
        return model

    def save_checkpoint(self, path, extra: dict | None = None) -> None:
        """`Model.save_checkpoint`, plus the architecture, so `load_from_checkpoint` rebuilds it."""
        super().save_checkpoint(path, {"architecture": self.architecture, **(extra or {})})

    def predict(self, x, batch_size: int = 256, output: str = "logits", top_k: int | None = None,
                callbacks=None, verbose=0):
        """Predict on images: `output` is "logits", "probabilities" or "labels" (class names when
        known, else indices); `top_k` gives the k best labels and probabilities per image.
        `x` is an array of images, or image files: a path, folder, glob, CSV of paths or a list.
        `callbacks` (arrays only) get Keras' on_predict_* hooks; `verbose` as `Model.predict`."""
        x = getattr(x, "predict_files", x)  # Flash's from_files(predict_files=...)
        if output not in ("logits", "probabilities", "labels"):
            raise PratiqueError(f"output must be 'logits', 'probabilities' or 'labels'. Received: {output!r}")
        if _is_files(x):  # a path, glob, folder or CSV of paths, or a list of paths
            from .predict import file_logits

            if callbacks:
                raise PratiqueError("predict(files, callbacks=...): callbacks run on arrays of images. "
                                    "For files, use pratique.tasks.predict.predict_rows(progress=...).")
            from ._checks import check_verbose

            check_verbose(verbose)
            t0, size = time.perf_counter(), min(batch_size, 64)
            logits = torch.from_numpy(file_logits(self, x, size))
            _print_steps(verbose, -(-len(logits) // size), t0)
        else:
            logits = torch.from_numpy(super().predict(x, batch_size, callbacks=callbacks, verbose=verbose))
        if output == "logits" and top_k is None:
            return logits.numpy()
        probs = probabilities(logits, output_kind(self.module, self.loss_fn))  # binary: (N, 2)
        names = np.asarray(self.classes) if self.classes and len(self.classes) == probs.shape[1] else None
        if top_k is not None:
            p, idx = probs.topk(top_k, dim=-1)
            labels = names[idx.numpy()] if names is not None else idx.numpy()
            return labels, p.numpy()
        if output == "probabilities":
            return probs.numpy()
        idx = probs.argmax(dim=-1).numpy()
        return names[idx] if names is not None else idx

    def explain(self, image, target: int | None = None, layer: str | None = None):
        """A Grad-CAM figure: where the network looked to predict `target` (default: its
        prediction) for one image. See `pratique.reports.explain`."""
        from ..reports.gradcam import explain

        return explain(self, image, target, layer)

    def export(self, path=None, format: str = "onnx", **options) -> dict:
        """Export to "onnx" or "torchscript", checked against eager; see `tasks.export.export`."""
        from .export import export

        return export(self, path, format, **options)


def _backbone(name_or_module, backbone):
    if backbone is not None and name_or_module is not None:
        raise PratiqueError("Pass the network once: ImageClassifier('resnet18') or "
                            f"ImageClassifier(backbone='resnet18'). Received both {name_or_module!r} "
                            f"and backbone={backbone!r}.")
    if backbone is None and name_or_module is None:
        raise PratiqueError("ImageClassifier needs a network: a name such as 'lenet5' (see "
                            "pq.models.list_models()) or an nn.Module.")
    return backbone if backbone is not None else name_or_module


def _num_labels(labels, num_classes) -> int:
    if num_classes is not None and num_classes != len(labels):
        raise PratiqueError(f"labels names {len(labels)} classes but num_classes={num_classes}. "
                            "Pass one of them, or make them agree.")
    return len(labels)


def _imagenet_head(pretrained) -> bool:
    from ..models.pretrained import is_weights_file

    return bool(pretrained) and not is_weights_file(pretrained)


def _first_weights(module: nn.Module) -> torch.Tensor:
    # the first layer's weights (a few thousand numbers) move with any training or loading
    first = next(module.parameters(), None)
    return torch.empty(0) if first is None else first.detach().to("cpu", copy=True).contiguous()


def _is_files(x) -> bool:
    import os

    if isinstance(x, (list, tuple)) and x:
        x = x[0]
    return isinstance(x, (str, os.PathLike))
