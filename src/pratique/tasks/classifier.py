"""ImageClassifier: a `Model` built by name from the registry, with class names and preprocessing."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn

from .._errors import PratiqueError
from ..models.registry import create_model, get_model_card
from .model import Model, _seeded


class ImageClassifier(Model):
    """An image classifier from a registered name (or your own module).

    Args:
        name_or_module: a name from `pq.models.list_models()` (e.g. "lenet5") or an `nn.Module`.
        num_classes: number of classes (default 10 for names).
        in_channels: image channels (default: the model's design, 1 for the LeNets).
        pretrained: start from pretrained weights where the model has them.
        seed: seed for the initial weights (the global random state is left untouched).
        **kwargs: passed to the model builder (e.g. `activation="tanh"`).

    Example:
        >>> clf = ImageClassifier("lenet5", num_classes=10).compile()
        >>> clf.fit(x_train, y_train, epochs=5)
        >>> clf.predict(x_test, output="labels")
    """

    def __init__(self, name_or_module, num_classes: int | None = None, in_channels: int | None = None,
                 pretrained: bool = False, seed: int | None = None, **kwargs):
        if isinstance(name_or_module, nn.Module):
            super().__init__(name_or_module)
            return
        if not isinstance(name_or_module, str):
            raise PratiqueError("ImageClassifier takes a model name or an nn.Module. "
                                f"Received: {type(name_or_module).__name__}.")
        card = get_model_card(name_or_module)
        num_classes = 10 if num_classes is None else num_classes
        with _seeded(seed):
            module = create_model(name_or_module, num_classes=num_classes, in_channels=in_channels,
                                  pretrained=pretrained, **kwargs)
        super().__init__(module)
        meta = getattr(module, "pratique_pretrained", None) or {}  # ImageNet names, normalization
        self.classes = meta.get("classes")
        self.preprocessing.update(meta.get("preprocessing") or {})
        in_channels = card.input_size[0] if in_channels is None else in_channels
        self.architecture = {"name": name_or_module,
                             "kwargs": {"num_classes": num_classes, "in_channels": in_channels, **kwargs}}
        self.input_shape = (in_channels, *card.input_size[1:])
        self.num_classes = num_classes

    def predict(self, x, batch_size: int = 256, output: str = "logits", top_k: int | None = None,
                callbacks=None):
        """Predict on images: `output` is "logits", "probabilities" or "labels" (class names when
        known, else indices); `top_k` gives the k best labels and probabilities per image.
        `x` is an array of images, or image files: a path, folder, glob, CSV of paths or a list.
        `callbacks` (arrays only) get Keras' on_predict_* hooks."""
        x = getattr(x, "predict_files", x)  # Flash's from_files(predict_files=...)
        if output not in ("logits", "probabilities", "labels"):
            raise PratiqueError(f"output must be 'logits', 'probabilities' or 'labels'. Received: {output!r}")
        if _is_files(x):  # a path, glob, folder or CSV of paths, or a list of paths
            from .predict import file_logits

            if callbacks:
                raise PratiqueError("predict(files, callbacks=...): callbacks run on arrays of images. "
                                    "For files, use pratique.tasks.predict.predict_rows(progress=...).")
            logits = torch.from_numpy(file_logits(self, x, min(batch_size, 64)))
        else:
            logits = torch.from_numpy(super().predict(x, batch_size, callbacks=callbacks))
        if output == "logits" and top_k is None:
            return logits.numpy()
        probs = logits.softmax(dim=-1)
        names = np.asarray(self.classes) if self.classes else None
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


def _is_files(x) -> bool:
    import os

    if isinstance(x, (list, tuple)) and x:
        x = x[0]
    return isinstance(x, (str, os.PathLike))
