"""Port of keras/src/callbacks/model_checkpoint_test.py (keras-team/keras),
ModelCheckpointTest.test_model_checkpoint_options, case by case (Keras numbers them), and
test_model_checkpoint_loading. `.keras` files are `.pratique`, `.weights.h5` are `.safetensors`;
Keras' softmax + categorical_crossentropy on one-hot targets is logits + "cross_entropy" on
class indices here."""
import os

import numpy as np
import pytest
import torch
from keras_helpers import dense_model, get_test_data
from torch import nn

import pratique as pq
from pratique import PratiqueError
from pratique.training.callbacks import ModelCheckpoint

BATCH_SIZE = 5


@pytest.fixture(scope="module")
def data():
    return get_test_data(30, 30, (3,), 3, random_seed=42)


def get_model():
    return dense_model(3, 5, 3, loss="cross_entropy", optimizer="sgd", metrics=["acc"])


def _fit(model, data, cbks, epochs=1, batch_size=BATCH_SIZE):
    (x_train, y_train), (x_test, y_test) = data
    return model.fit(x_train, y_train, batch_size=batch_size, validation_data=(x_test, y_test),
                     callbacks=cbks, epochs=epochs, verbose=0)


# Cases 1-4: save each epoch / the best, in every mode
@pytest.mark.parametrize("monitor, mode, save_best_only", [
    ("val_loss", "auto", False), ("val_loss", "min", False),
    ("val_acc", "max", False), ("val_acc", "max", True)])
def test_cases_1_to_4(tmp_path, data, monitor, mode, save_best_only):
    filepath = os.path.join(tmp_path, "subdir", "checkpoint.pratique")
    _fit(get_model(), data, [ModelCheckpoint(filepath, monitor=monitor, save_best_only=save_best_only, mode=mode)])
    assert os.path.exists(filepath)


# Case 5: metric not available: a warning, and the model is saved
def test_case_5_metric_not_available(tmp_path, data):
    filepath = os.path.join(tmp_path, "checkpoint.pratique")
    with pytest.warns(UserWarning):
        _fit(get_model(), data, [ModelCheckpoint(filepath, monitor="unknown", save_best_only=True, mode="min")])
    assert os.path.exists(filepath)


# Case 6: Keras warns "ModelCheckpoint mode 'unknown' is unknown" and falls back to "auto";
# differs on purpose: a misspelt mode is an error here (it would pick a direction silently)
def test_case_6_unknown_mode_is_an_error(tmp_path):
    with pytest.raises(PratiqueError, match="mode"):
        ModelCheckpoint(os.path.join(tmp_path, "c.pratique"), monitor="val_acc", mode="unknown")


# Cases 8a / 8b: an integer save_freq counts batches across epochs (5 a epoch, save every 15)
@pytest.mark.parametrize("template, weights_only", [("checkpoint.epoch{epoch:02d}.pratique", False),
                                                    ("checkpoint.epoch{epoch:02d}.safetensors", True)])
def test_cases_8_integer_save_freq(tmp_path, data, template, weights_only):
    filepath = os.path.join(tmp_path, template)
    cbks = [ModelCheckpoint(filepath, monitor="val_acc", save_best_only=False, mode="max", save_freq=15,
                            save_weights_only=weights_only)]
    assert not os.path.exists(filepath.format(epoch=3))
    _fit(get_model(), data, cbks, epochs=10, batch_size=6)
    saved = [e for e in range(1, 11) if os.path.exists(filepath.format(epoch=e))]
    assert saved == [3, 6, 9]


# Case 9: valid and invalid save_freq
def test_case_9_save_freq_values(tmp_path):
    filepath = os.path.join(tmp_path, "c.safetensors")
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint(filepath, save_weights_only=True, save_freq="invalid_save_freq")
    ModelCheckpoint(filepath, save_weights_only=True, save_freq="epoch")
    ModelCheckpoint(filepath, save_weights_only=True, save_freq=3)


# Cases 10a / 10b: {batch} in the filename with save_freq=1
@pytest.mark.parametrize("ext, weights_only", [("pratique", False), ("safetensors", True)])
def test_cases_10_batch_in_filename(tmp_path, data, ext, weights_only):
    filepath = os.path.join(tmp_path, "checkpoint.epoch{epoch:02d}batch{batch:02d}." + ext)
    _fit(get_model(), data, [ModelCheckpoint(filepath, monitor="val_loss", save_freq=1,
                                             save_weights_only=weights_only)], epochs=5, batch_size=15)
    for epoch in range(1, 6):
        for batch in (1, 2):
            assert os.path.exists(filepath.format(epoch=epoch, batch=batch))


# Cases 11-15: initial_value_threshold
@pytest.mark.parametrize("mode, monitor, threshold, saved", [
    ("max", "val_acc", -0.01, True),  # case 11
    ("auto", "val_loss", None, True),  # case 12
    ("min", "val_loss", 0, False),  # case 13
    ("auto", "val_loss", 0, False),  # case 14
])
def test_cases_11_to_14_initial_value_threshold(tmp_path, data, mode, monitor, threshold, saved):
    filepath = os.path.join(tmp_path, "checkpoint.pratique")
    _fit(get_model(), data, [ModelCheckpoint(filepath, monitor=monitor, save_best_only=True,
                                             initial_value_threshold=threshold, mode=mode)])
    assert os.path.exists(filepath) == saved


def test_case_15_auc_initial_value_threshold(tmp_path, data):
    filepath = os.path.join(tmp_path, "checkpoint.pratique")
    model = dense_model(3, 5, 3, loss="cross_entropy", optimizer="sgd", metrics=["auc"])
    _fit(model, data, [ModelCheckpoint(filepath, monitor="val_auc", save_best_only=True,
                                       initial_value_threshold=1, mode="auto")])
    assert not os.path.exists(filepath)


# ModelCheckpointTest.test_model_checkpoint_loading
@pytest.mark.parametrize("weights_only", [False, True])
def test_model_checkpoint_loading(tmp_path, data, weights_only):
    model = get_model()
    filepath = os.path.join(tmp_path, "checkpoint." + ("safetensors" if weights_only else "pratique"))
    _fit(model, data, [ModelCheckpoint(filepath, monitor="val_loss", save_best_only=True, mode="auto",
                                       save_weights_only=weights_only)])
    ref_weights = {k: v.clone() for k, v in model.module.state_dict().items()}
    assert os.path.exists(filepath)
    if weights_only:
        from safetensors.torch import load_file

        new_weights = load_file(filepath)
    else:
        new_weights = pq.load(filepath, module=nn.Sequential(nn.Linear(3, 5), nn.Linear(5, 3))).module.state_dict()
    assert len(ref_weights) == len(new_weights)
    for k, ref_w in ref_weights.items():
        np.testing.assert_allclose(new_weights[k].numpy(), ref_w.numpy(), atol=1e-6)


torch.manual_seed(0)
