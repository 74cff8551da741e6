"""fit(validation_freq=), predict(verbose=) and compile("sgd")'s learning rate, as Keras has them."""
import numpy as np
import pytest
from training_helpers import make_data, make_model

from pratique.core.errors import PratiqueError
from pratique.training.callbacks import Callback


class ValidatedEpochs(Callback):
    def on_train_begin(self, logs=None):
        self.epochs, self._tested = [], False

    def on_test_begin(self, logs=None):
        self._tested = True

    def on_epoch_end(self, epoch, logs=None):
        if self._tested:
            self.epochs.append(epoch)
        assert self._tested == ("val_loss" in logs)
        self._tested = False


@pytest.mark.parametrize("freq, expected", [(1, [0, 1, 2, 3]), (2, [1, 3]), (3, [2]), ([1, 4], [0, 3])])
def test_validation_freq_validates_those_epochs(freq, expected):
    x, y = make_data(32)
    seen = ValidatedEpochs()
    history = make_model().fit(x, y, epochs=4, batch_size=16, validation_split=0.25, validation_freq=freq,
                               callbacks=[seen], verbose=0)
    assert seen.epochs == expected  # Keras: (epoch + 1) % freq == 0, or the epochs (from 1) listed
    assert len(history.history["val_loss"]) == len(expected)


@pytest.mark.parametrize("freq", [0, -1, 1.5, "2", True, [0, 2]])
def test_validation_freq_refused(freq):
    x, y = make_data(32)
    with pytest.raises(PratiqueError, match="validation_freq"):
        make_model().fit(x, y, validation_split=0.25, validation_freq=freq, verbose=0)


def test_predict_verbose(capsys):
    model = make_model()
    x, _ = make_data(40)
    model.predict(x, batch_size=16)
    assert capsys.readouterr().out == ""  # silent by default (as pratique's predict has been)
    out = model.predict(x, batch_size=16, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("3/3 - ")  # Keras' finished bar, without the bar
    assert out.shape == (40, 3)
    with pytest.raises(PratiqueError, match="verbose"):
        model.predict(x, verbose=3)


def test_sgd_by_name_has_keras_learning_rate():
    model = make_model(lr=None)
    assert model.optimizer.param_groups[0]["lr"] == 0.01  # keras.optimizers.SGD(learning_rate=0.01)
    assert make_model(lr=None, optimizer="adam").optimizer.param_groups[0]["lr"] == 1e-3
    assert np.isclose(make_model(lr=0.5).optimizer.param_groups[0]["lr"], 0.5)


def test_image_classifier_predict_verbose(tmp_path, capsys):
    import torch
    from torchvision.io import write_png

    import pratique as pq

    model = pq.ImageClassifier("lenet5")
    x = np.random.default_rng(0).integers(0, 255, (5, 28, 28), dtype=np.uint8)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""
    model.predict(x, batch_size=2, verbose=1)
    assert capsys.readouterr().out.startswith("3/3 - ")
    for i in range(3):
        write_png(torch.from_numpy(x[i][None]), str(tmp_path / f"{i}.png"))
    labels = model.predict(str(tmp_path), output="labels", verbose=1)
    assert len(labels) == 3 and capsys.readouterr().out.startswith("1/1 - ")
