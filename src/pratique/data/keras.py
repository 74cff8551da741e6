"""Keras' directory readers as thin faces over `ImageData.from_files`: `ImageDataGenerator(...)
.flow_from_directory(...)` and `image_dataset_from_directory(...)`, with Keras' argument names
and Keras' exact choice of validation files.

What comes back is an `ImageData` whose images are all of its split: `model.fit(it,
validation_data=val_it)` trains on it, `model.evaluate(it)` scores every image in it. Images are
floats in [0, 1] (never standardized); labels are class indices (what `loss="cross_entropy"`
takes). Keras arguments with no exact equivalent here are refused, listing those supported.
"""
from __future__ import annotations

import numpy as np

from ..core.errors import PratiqueError, unknown_name
from .module import ImageData
from .sources import list_class_folders

AUGMENT = ("rotation_range", "width_shift_range", "height_shift_range", "shear_range",
           "zoom_range", "brightness_range", "horizontal_flip", "vertical_flip", "fill_mode")
SUPPORTED = ("rescale", "validation_split", *AUGMENT)
UNSUPPORTED = ("featurewise_center", "samplewise_center", "featurewise_std_normalization",
               "samplewise_std_normalization", "zca_whitening", "zca_epsilon",
               "channel_shift_range", "cval", "preprocessing_function", "data_format",
               "interpolation_order", "dtype")


class ImageDataGenerator:
    """Keras' `ImageDataGenerator`: augmentation arguments, `rescale=1./255`, `validation_split`.

    Example:
        >>> gen = ImageDataGenerator(rescale=1./255, rotation_range=20, horizontal_flip=True,
        ...                          validation_split=0.2)
        >>> train = gen.flow_from_directory("pets/", target_size=(150, 150), subset="training")
        >>> val = gen.flow_from_directory("pets/", target_size=(150, 150), subset="validation")
        >>> model.fit(train, epochs=5, validation_data=val)
    """

    def __init__(self, **kwargs):
        for k in kwargs:
            if k in UNSUPPORTED or k not in SUPPORTED:
                if k not in UNSUPPORTED:
                    raise unknown_name("ImageDataGenerator argument", k, SUPPORTED)
                raise PratiqueError(f"ImageDataGenerator({k}=...) is not supported. Supported "
                                    f"arguments: {', '.join(SUPPORTED)}. For normalization pass "
                                    "normalize= to pq.ImageData.from_folders instead.")
        rescale = kwargs.pop("rescale", None)
        # images always arrive as x / 255: a rescale of 1/255 is that scaling, never applied twice
        if rescale is None or abs(float(rescale) * 255.0 - 1.0) > 1e-6:
            raise PratiqueError("ImageDataGenerator needs rescale=1./255: pratique always gives "
                                f"images in [0, 1] (uint8 / 255). Received: rescale={rescale!r}. "
                                "Pass rescale=1./255 (and drop any Rescaling layer from the model).")
        self.validation_split = kwargs.pop("validation_split", 0.0) or 0.0
        if not 0.0 <= self.validation_split < 1.0:
            raise PratiqueError(f"validation_split must be in [0, 1). Received: {self.validation_split!r}")
        self.augment = kwargs  # Keras names, Keras meanings (ImageData's augment dict)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None,
                            subset=None):
        """`directory/<class>/*.jpg` as an `ImageData` (Keras' DirectoryIterator); `subset`
        ("training" or "validation") takes Keras' files: the first `validation_split` of each
        class's sorted files are the validation ones (never augmented here, unlike Keras'
        validation subset of an augmenting generator). `shuffle`: fit always shuffles."""
        _check_label_mode("class_mode", class_mode, ("categorical", "sparse"))
        paths, labels, classes = _files(directory, classes)
        if subset is not None:
            if subset not in ("training", "validation") or not self.validation_split:
                raise PratiqueError("subset ('training' or 'validation') needs "
                                    f"ImageDataGenerator(validation_split=...). Received: subset={subset!r}")
            paths, labels = _per_class_split(paths, labels, self.validation_split, subset)
        augment = self.augment if subset != "validation" else None
        return _all_of(paths, labels, classes, target_size, color_mode, batch_size, seed or 0, augment)


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 color_mode="rgb", batch_size=32, image_size=(256, 256),
                                 shuffle=True, seed=None, validation_split=None, subset=None):
    """Keras' `image_dataset_from_directory` as an `ImageData` (or a (training, validation) pair
    for `subset="both"`), with Keras' exact split: files shuffled with `seed`, the last
    `validation_split` of them for validation. Images are in [0, 1], not Keras' 0..255: leave
    Keras' `Rescaling(1./255)` layer out of the model."""
    if labels != "inferred":
        raise PratiqueError(f"labels must be 'inferred' (from the class folders). Received: {labels!r}. "
                            "For a list of labels use pq.ImageData.from_files(files, labels).")
    _check_label_mode("label_mode", label_mode, ("int", "categorical"))
    paths, labs, class_names = _files(directory, class_names)
    if shuffle:
        if validation_split and seed is None:
            raise PratiqueError("validation_split with shuffle needs a seed (as in Keras), so that "
                                "training and validation never share files. Pass seed=1337.")
        seed = int(np.random.randint(1_000_000)) if seed is None else seed
        order_p, order_l = np.random.RandomState(seed), np.random.RandomState(seed)
        order_p.shuffle(paths)  # Keras shuffles paths and labels with two equal generators
        order_l.shuffle(labs)
    make = lambda p, lab: _all_of(p, lab, class_names, image_size, color_mode, batch_size, seed or 0, None)
    if not validation_split:
        if subset is not None:
            raise PratiqueError(f"subset={subset!r} needs validation_split. Pass validation_split=0.2.")
        return make(paths, labs)
    n_val = int(validation_split * len(paths))
    parts = {"training": (paths[:-n_val], labs[:-n_val]), "validation": (paths[-n_val:], labs[-n_val:])}
    if subset == "both":
        return make(*parts["training"]), make(*parts["validation"])
    if subset not in parts:
        raise PratiqueError("validation_split needs subset='training', 'validation' or 'both'. "
                            f"Received: subset={subset!r}")
    return make(*parts[subset])


def _check_label_mode(name: str, mode, supported) -> None:
    if mode not in supported:
        raise PratiqueError(f"{name}={mode!r} is not supported; use one of {', '.join(map(repr, supported))} "
                            "(labels as class indices) with a head of one output per class and "
                            "loss='cross_entropy'.")


def _files(directory, classes) -> tuple[list, list, list]:
    """(paths, labels, class names): every split gets all the directory's classes, in order."""
    paths, labels, _, _ = list_class_folders(directory)
    if classes is not None:  # Keras: only these class folders
        keep = [i for i, c in enumerate(labels) if c in set(classes)]
        paths, labels = [paths[i] for i in keep], [labels[i] for i in keep]
    return paths, labels, list(classes) if classes is not None else sorted(set(labels))


def _per_class_split(paths, labels, fraction: float, subset: str):
    out_p, out_l = [], []
    for c in sorted(set(labels), key=labels.index):
        files = [p for p, lab in zip(paths, labels) if lab == c]
        cut = int(fraction * len(files))
        part = files[:cut] if subset == "validation" else files[cut:]
        out_p += part
        out_l += [c] * len(part)
    return out_p, out_l


def _all_of(paths, labels, classes, size, color_mode, batch_size, seed, augment) -> ImageData:
    """An ImageData whose every image is its training data and its test data (evaluate scores it all)."""
    if color_mode not in ("rgb", "grayscale"):
        raise PratiqueError(f"color_mode must be 'rgb' or 'grayscale'. Received: {color_mode!r}")
    data = ImageData.from_files(paths, labels, image_size=tuple(size), color_mode=color_mode,
                                batch_size=batch_size, seed=seed, augment=augment or None,
                                normalize=False, classes=classes)
    data.splits["test"] = data.splits["train"]  # the same tensors: no copy
    return data


def join_validation(train: ImageData, val: ImageData) -> ImageData:
    """`fit(train, validation_data=val)` with two ImageDatas (Keras' two generators): `train`
    with `val`'s images as its validation split, prepared with `train`'s preprocessing."""
    if "val" in train.splits:
        raise PratiqueError("This ImageData already has a validation split; pass validation_data=None.")
    if list(val.classes) != list(train.classes):
        raise PratiqueError(f"validation_data has classes {val.classes[:10]} but the training data "
                            f"has {train.classes[:10]}. Pass classes= to both, or the same folders' layout.")
    keys = ("input_shape", "mean", "std")
    if any(val.preprocessing.get(k) != train.preprocessing.get(k) for k in keys):
        raise PratiqueError("validation_data is prepared differently from the training data "
                            f"({ {k: val.preprocessing.get(k) for k in keys} } vs "
                            f"{ {k: train.preprocessing.get(k) for k in keys} }). Build both with the "
                            "same image_size, color_mode and normalize.")
    joined = ImageData({**train.splits, "val": val.splits["train"]}, train.classes, train.multi_label,
                       train.options, train.report, train.skipped)
    joined.splits.pop("test", None)  # train's own images are not held out
    joined.preprocessing = train.preprocessing
    return joined
