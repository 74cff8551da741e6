"""Helpers for the ports of Keras' own callback tests (keras-team/keras, keras/src/callbacks/).

Keras models become small torch modules (`layers.Dense(n)` -> `nn.Linear(in, n)`); Keras'
`test_utils.get_test_data` becomes `get_test_data` below (same shapes and sizes).
"""
import itertools

import numpy as np
import torch
from torch import nn

import pratique as pq

XFAIL_METRICS = "issue 14 item {}: fixed in the fit-loop/metrics branch"


def get_test_data(train_samples, test_samples, input_shape, num_classes, random_seed=None):
    """Keras' testing.test_utils.get_test_data: class-dependent gaussian blobs, float32."""
    rng = np.random.default_rng(random_seed)
    n = train_samples + test_samples
    y = np.arange(n) % num_classes
    centers = rng.random((num_classes, *input_shape))
    x = (centers[y] + rng.normal(scale=0.1, size=(n, *input_shape))).astype("float32")
    return (x[:train_samples], y[:train_samples]), (x[train_samples:], y[train_samples:])


def to_categorical(y, num_classes=None):
    num_classes = num_classes or int(y.max()) + 1
    return np.eye(num_classes, dtype="float32")[y]


def dense_model(*widths, activation=None, **compile_kwargs):
    """Sequential of nn.Linear(widths[i], widths[i+1]), each followed by `activation` (Keras'
    `Dense(n, activation=...)` on every layer), compiled."""
    layers = []
    for a, b in itertools.pairwise(widths):
        layers.append(nn.Linear(a, b))
        if activation is not None:
            layers.append(activation())
    compile_kwargs.setdefault("metrics", [])
    return pq.Model(nn.Sequential(*layers), accelerator="cpu").compile(**compile_kwargs)


def f32(*arrays):
    return tuple(np.asarray(a, dtype="float32") for a in arrays)


def example_model(units, in_features=4):
    """Keras' ExampleModel: Dense(units, use_bias=False, kernel_initializer=Ones())."""
    layer = nn.Linear(in_features, units, bias=False)
    nn.init.ones_(layer.weight)
    return pq.Model(layer, accelerator="cpu")


torch.set_num_threads(1)
