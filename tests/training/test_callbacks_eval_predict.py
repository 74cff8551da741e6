"""Keras' evaluate(callbacks=...) and predict(callbacks=...): the test and predict hooks fire."""
from collections import Counter

import numpy as np
import pytest
from training_helpers import make_model

from pratique import PratiqueError
from pratique.training.callbacks import LambdaCallback

HOOKS = ("begin", "end", "batch_begin", "batch_end")


def counting(kind: str, calls: Counter, seen: dict) -> LambdaCallback:
    """Counts each on_{kind}_* call; keeps the logs the last call of each hook received."""
    def hook(name):
        def record(*args):
            calls[name] += 1
            seen[name] = args[-1]
        return record
    return LambdaCallback(**{f"on_{kind}_{h}": hook(h) for h in HOOKS})


def test_predict_hooks_fire_once_per_batch(data):
    x, _ = data  # 96 samples, batches of 40: 3 batches
    calls, seen = Counter(), {}
    out = make_model().predict(x, batch_size=40, callbacks=counting("predict", calls, seen))
    assert calls == {"begin": 1, "end": 1, "batch_begin": 3, "batch_end": 3}
    assert tuple(seen["batch_end"]["outputs"].shape) == (96 - 80, 3)  # the last batch's outputs
    assert (seen["end"]["outputs"].numpy() == out).all()


def test_evaluate_hooks_and_final_logs(data):
    calls, seen = Counter(), {}
    logs = make_model().evaluate(*data, batch_size=32, verbose=0, return_dict=True,
                                 callbacks=[counting("test", calls, seen)])
    assert calls == {"begin": 1, "end": 1, "batch_begin": 3, "batch_end": 3}
    assert seen["end"]["loss"] == pytest.approx(logs["loss"])
    assert seen["end"]["accuracy"] == pytest.approx(logs["accuracy"])
    assert seen["batch_end"]["size"] == 32


def test_evaluate_and_predict_refuse_a_non_callback(data):
    model = make_model()
    with pytest.raises(PratiqueError, match="callbacks must be Callback instances.*Received: function"):
        model.evaluate(*data, verbose=0, callbacks=[lambda logs: None])
    with pytest.raises(PratiqueError, match="Received: str"):
        model.predict(data[0], callbacks="progbar")


def test_callbacks_inside_a_fit_keep_the_fits_list(data):
    model = make_model()
    inner = []
    watcher = LambdaCallback(on_epoch_end=lambda epoch, logs: inner.append(
        model.evaluate(*data, verbose=0, callbacks=LambdaCallback())))
    model.fit(*data, epochs=1, verbose=0, callbacks=[watcher])
    assert inner and watcher.params["epochs"] == 1  # the fit's params, not the evaluate's
    assert watcher.params["do_validation"] is False and watcher.params["steps"] == 3


def test_image_classifier_predict_passes_callbacks_on():
    import pratique as pq

    x = np.random.default_rng(0).integers(0, 256, (10, 28, 28), dtype=np.uint8)
    model = pq.ImageClassifier("mlp", num_classes=3, seed=0).compile()
    seen = []
    model.predict(x, batch_size=4, output="labels",
                  callbacks=pq.callbacks.LambdaCallback(on_predict_batch_end=lambda b, logs: seen.append(b)))
    assert seen == [0, 1, 2]
