"""Keras' `model.predict(next(generator)[0])`: a batch pratique produced is a model input already;
predict and evaluate must not normalize it a second time (issue 15, item 12)."""
import numpy as np
import pytest
import torch
from torch import nn

import pratique as pq


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (64, 8, 8), dtype=np.uint8)
    y = rng.integers(0, 3, 64)
    data = pq.ImageData.from_numpy(x, y, val_split=0.5, batch_size=16, seed=0)
    assert data.preprocessing["mean"] is not None  # normalized: a second pass would change it
    torch.manual_seed(0)
    model = pq.ImageClassifier(nn.Sequential(nn.Flatten(), nn.Linear(64, 3))).compile()
    model.fit(data, epochs=1, verbose=0)
    return data, model


def _module_on(model, x: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return model.module.eval()(x).numpy()


@pytest.mark.parametrize("split", ["val", "train"])
def test_predict_on_a_produced_batch_equals_the_module_on_it(fitted, split):
    data, model = fitted
    batches = data.val_batches() if split == "val" else data.train_batches(seed=1)
    xb, _ = next(iter(batches))
    want = _module_on(model, xb)
    np.testing.assert_allclose(model.predict(xb), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(xb.numpy()), want, rtol=1e-5, atol=1e-6)  # as Keras hands it
    np.testing.assert_allclose(model.predict(xb[4:9]), want[4:9], rtol=1e-5, atol=1e-6)


def test_produced_batch_and_raw_images_give_the_same_predictions(fitted):
    data, model = fitted
    xb, _ = next(iter(data.val_batches()))  # the validation split, in order
    raw = data.splits["val"][0][: len(xb)]  # the same images as uint8 (N, 1, 8, 8)
    np.testing.assert_allclose(model.predict(xb), model.predict(raw.numpy()), rtol=1e-5, atol=1e-6)


def test_evaluate_on_a_produced_batch_scores_the_batch_as_it_is(fitted):
    data, model = fitted
    xb, yb = next(iter(data.val_batches()))
    logs = model.evaluate(xb, yb, verbose=0, return_dict=True)
    want = nn.functional.cross_entropy(torch.from_numpy(_module_on(model, xb)), yb).item()
    assert logs["loss"] == pytest.approx(want, rel=1e-5)
    assert model.evaluate((xb, yb), verbose=0, return_dict=True)["loss"] == pytest.approx(want, rel=1e-5)


def test_a_copy_is_raw_input_again(fitted):
    """Only pratique's own batches (and views of them) are recognized: arithmetic makes new data."""
    data, model = fitted
    xb, _ = next(iter(data.val_batches()))
    raw = data.splits["val"][0][: len(xb)].float() / 255  # floats in [0, 1]: normalized by predict
    np.testing.assert_allclose(model.predict(raw), model.predict(xb), rtol=1e-5, atol=1e-5)
