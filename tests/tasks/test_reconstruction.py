"""fit(x, x): a target with the input's shape, under a loss that compares values, is laid out and
scaled exactly like the input (uint8 images / 255), so the loss is the MSE the user means."""
import numpy as np
import pytest
import torch

import pratique as pq
from pratique.models import create_model


def _digits(n=64, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, 28, 28), dtype=np.uint8)


def _windows(n=48, c=2, length=32, seed=0):
    return np.random.default_rng(seed).normal(size=(n, c, length)).astype(np.float32)


def _model(name, **kwargs):
    torch.manual_seed(0)
    return pq.Model(create_model(name, **kwargs)).compile(optimizer="adam", loss="mse")


def _by_hand(module, x: torch.Tensor) -> float:
    module.eval()
    with torch.no_grad():
        return torch.nn.functional.mse_loss(module(x), x).item()


def test_uint8_images_loss_is_mse_against_the_scaled_input():
    x = _digits()
    model = _model("conv_autoencoder", latent_dim=8, channels=(4, 8))
    scaled = torch.from_numpy(x).float().div(255).unsqueeze(1)  # (N, 1, 28, 28) in [0, 1]
    expected = _by_hand(model.module, scaled)
    assert model.evaluate(x, x, verbose=0) == pytest.approx(expected, rel=1e-5)
    # the one-batch epoch logs the loss before its update: the same number
    history = model.fit(x, x, epochs=1, batch_size=len(x), shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert model.predict(x).shape == (len(x), 1, 28, 28)


def test_float_windows_fit_and_loss_on_conv1d_autoencoder():
    x = _windows()
    model = _model("conv1d_autoencoder", in_channels=2, input_size=32, latent_dim=4)
    expected = _by_hand(model.module, torch.from_numpy(x))
    assert model.evaluate(x, x, verbose=0) == pytest.approx(expected, rel=1e-5)
    history = model.fit(x, x, epochs=3, batch_size=16, verbose=0, seed=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x).shape == x.shape


def test_denoising_pairs_are_scaled_alike_and_validation_too():
    clean = _digits(32)
    noisy = pq.data.add_noise(clean, std=0.3, seed=0)
    assert noisy.dtype == np.uint8 and noisy.shape == clean.shape
    model = _model("autoencoder", latent_dim=8, hidden=(16,))
    x = torch.from_numpy(noisy).float().div(255).unsqueeze(1)
    y = torch.from_numpy(clean).float().div(255).unsqueeze(1)
    model.module.eval()
    with torch.no_grad():
        expected = torch.nn.functional.mse_loss(model.module(x), y).item()
    history = model.fit(noisy, clean, epochs=1, batch_size=32, shuffle=False, verbose=0,
                        validation_data=(noisy, clean))
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    assert np.isfinite(history.history["val_loss"][0])


def test_uint8_input_with_float_target_is_refused():
    x = _digits(8)
    model = _model("autoencoder", latent_dim=4, hidden=(8,))
    with pytest.raises(pq.PratiqueError, match="scaled like the input"):
        model.fit(x, x.astype(np.float32) / 255, epochs=1, verbose=0)


def test_class_labels_of_the_inputs_shape_stay_labels_under_cross_entropy():
    from pratique.data.arrays import as_tensors

    x = _digits(4)
    _, y = as_tensors(x, x.copy())  # the default: labels (e.g. masks), not images
    assert y.dtype == torch.int64 and y.shape == (4, 28, 28)


def test_saved_autoencoder_reloads_with_its_scaling(tmp_path):
    x = _digits(16)
    model = _model("autoencoder", latent_dim=4, hidden=(8,))
    model.fit(x, x, epochs=1, verbose=0)
    model.save(tmp_path / "ae.pratique")
    again = pq.load(tmp_path / "ae.pratique", module=create_model("autoencoder", latent_dim=4, hidden=(8,)))
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    np.testing.assert_array_equal(pq.anomaly.score(again, x), pq.anomaly.score(model, x))
