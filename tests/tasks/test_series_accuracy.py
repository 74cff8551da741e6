"""Series classification on the bundled UCR/UEA sets: the default recipe reaches the published
figures (bench/series.py records them; these thresholds sit below, to stay stable)."""
import numpy as np
import pytest
from sklearn.metrics import accuracy_score

import pratique as pq


def _znorm(x: np.ndarray) -> np.ndarray:
    """Per series and channel: minus the mean over time, over the std (UCR's z-normalization)."""
    return ((x - x.mean(-1, keepdims=True)) / x.std(-1, keepdims=True)).astype("float32")


def _fit(dataset: str, epochs: int, lr: float, seed: int = 0, **model_kwargs):
    recipe = pq.models.series_recipe()
    (x, y), (xt, yt) = pq.datasets.load_data(dataset)
    clf = pq.ImageClassifier(recipe["model"], num_classes=int(y.max()) + 1, in_channels=x.shape[1],
                             seed=seed, **model_kwargs)
    clf.compile(optimizer=recipe["optimizer"], lr=lr, schedule=recipe["schedule"],
                loss=recipe["loss"], metrics=["accuracy"])
    clf.fit(_znorm(x), y, epochs=epochs, batch_size=recipe["batch_size"], verbose=0, seed=seed)
    return clf, _znorm(xt), yt


def test_small_fcn_on_italy_power_demand():
    """A few seconds: a narrow FCN, 20 epochs at a higher rate; 1-NN Euclidean reaches 0.955."""
    clf, xt, yt = _fit("italypowerdemand", epochs=20, lr=1e-2, filters=(16, 32, 16))
    _, accuracy = clf.evaluate(xt, yt, verbose=0)
    assert accuracy == pytest.approx(accuracy_score(yt, clf.predict(xt).argmax(1)))
    assert accuracy >= 0.93


@pytest.mark.slow
@pytest.mark.parametrize("dataset, floor", [("gunpoint", 0.95), ("italypowerdemand", 0.94),
                                            ("basicmotions", 0.95)])
def test_default_recipe_reaches_the_published_figures(dataset, floor):
    """The recipe as pq.models.series_recipe() gives it (FCN, 100 epochs, Adam, cosine decay)."""
    recipe = pq.models.series_recipe()
    clf, xt, yt = _fit(dataset, epochs=recipe["epochs"], lr=recipe["lr"])
    assert clf.evaluate(xt, yt, verbose=0)[1] >= floor
