"""What `pratique evaluate --data <folder|csv|txt>` scores: every image it names, prepared as the
model's inputs (its image size, colour mode and normalization, its class names)."""
from __future__ import annotations

import os
import types

from ..core.errors import PratiqueError
from ..data.sources import folder_layout


def eval_files(model, spec: str, batch_size: int, build) -> tuple[tuple, int]:
    """((inputs for model.evaluate,), number of classes). A folder holding train/ val/ test/
    subfolders is scored on its test/ folder, else its val/ folder (one line says which);
    `build(spec, options)` makes the ImageData."""
    root, spec = spec, _split_folder(spec) if os.path.isdir(spec) else spec
    data = build(spec, {**_model_options(model), "batch_size": batch_size})
    which = f" (the test split of {root})" if spec != root else ""
    print(f"evaluating on {spec}: {len(data)} images{which}")
    whole = types.SimpleNamespace(eval_batches=lambda: data.eval_batches(split="train"))
    return (whole,), data.num_classes


def _split_folder(root: str) -> str:
    layout = folder_layout(root)
    if os.path.normpath(layout["train"]) == os.path.normpath(root):
        return root  # a folder of class folders: all of it
    for split in ("test", "val"):
        if split in layout:
            return layout[split]
    raise PratiqueError(f"{root!r} holds a train/ folder but no test/ or val/ folder to evaluate "
                        f"on. Pass --data {os.path.join(root, 'train')} to score the training images.")


def _model_options(model) -> dict:
    """ImageData options that prepare images as the model was trained on them."""
    pre = getattr(model, "preprocessing", None) or {}
    shape = pre.get("input_shape") or list(getattr(model, "input_shape", None) or [])
    options = {"normalize": (pre["mean"], pre["std"]) if pre.get("mean") is not None else False}
    if len(shape) == 3:
        options["image_size"] = tuple(pre.get("image_size") or shape[1:])
        options["color_mode"] = pre.get("color_mode") or ("grayscale" if shape[0] == 1 else "rgb")
    if getattr(model, "classes", None):
        options["classes"] = [str(c) for c in model.classes]
    return options
