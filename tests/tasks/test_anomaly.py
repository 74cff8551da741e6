"""pq.anomaly.score / threshold against reconstruction errors computed by hand with torch."""
import numpy as np
import pytest
import torch

import pratique as pq
from pratique.data.windows import sliding_windows
from pratique.models import create_model


def test_per_sample_score_is_the_mse_against_the_scaled_input():
    x = np.random.default_rng(0).integers(0, 256, (9, 28, 28), dtype=np.uint8)
    module = create_model("conv_autoencoder", latent_dim=4, channels=(4, 8))
    xs = torch.from_numpy(x).float().div(255).unsqueeze(1)
    with torch.no_grad():
        expected = (module.eval()(xs) - xs).pow(2).mean((1, 2, 3)).numpy()
    scores = pq.anomaly.score(pq.Model(module), x, batch_size=4)
    assert scores.shape == (9,)
    np.testing.assert_allclose(scores, expected, rtol=1e-5)


def test_per_point_spreads_window_errors_back_onto_the_points_they_cover():
    rng = np.random.default_rng(1)
    signal = rng.normal(size=(2, 50)).astype(np.float32)  # (C, L)
    module = create_model("conv1d_autoencoder", in_channels=2, input_size=16, latent_dim=3)
    model = pq.Model(module)
    points = pq.anomaly.score(model, signal, per="point", window=16, stride=5)
    windows = pq.anomaly.score(model, signal, per="window", window=16, stride=5)
    # by hand: windows at 0, 5, ..., 30 and the tail one at 34; each point's squared error
    # (mean over channels), averaged over the windows that cover it
    starts = [*range(0, 50 - 16 + 1, 5), 34]
    sums, counts, per_window = np.zeros(50), np.zeros(50), []
    module.eval()
    for s in starts:
        w = torch.from_numpy(signal[None, :, s:s + 16])
        with torch.no_grad():
            err = (module(w) - w).pow(2)[0]  # (C, 16)
        per_window.append(err.mean().item())
        sums[s:s + 16] += err.mean(0).numpy()
        counts[s:s + 16] += 1
    assert points.shape == (50,) and windows.shape == (len(starts),)
    np.testing.assert_allclose(points, sums / counts, rtol=1e-5)
    np.testing.assert_allclose(windows, per_window, rtol=1e-5)


def test_window_length_defaults_to_the_one_the_model_was_fit_on():
    signal = np.sin(np.linspace(0, 20, 120)).astype(np.float32)
    x, _ = sliding_windows(signal, 16, stride=4)
    model = pq.Model(create_model("conv1d_autoencoder", input_size=16, latent_dim=2))
    with pytest.raises(pq.PratiqueError, match="Pass window="):
        pq.anomaly.score(model, signal, per="point")
    model.compile(optimizer="adam", loss="mse").fit(x, x, epochs=1, verbose=0)
    assert pq.anomaly.score(model, signal, per="point").shape == (120,)


def test_threshold_is_the_quantile_of_normal_scores():
    scores = np.random.default_rng(0).exponential(size=500)
    assert pq.anomaly.threshold(scores) == pytest.approx(np.quantile(scores, 0.99))
    assert pq.anomaly.threshold(scores, quantile=0.9) == pytest.approx(np.quantile(scores, 0.9))
    with pytest.raises(pq.PratiqueError, match="quantile must be in"):
        pq.anomaly.threshold(scores, quantile=99)
    with pytest.raises(pq.PratiqueError, match="finite scores"):
        pq.anomaly.threshold([1.0, np.nan])


def test_bad_inputs_are_explained():
    x = np.zeros((2, 28, 28), dtype=np.uint8)
    with pytest.raises(pq.PratiqueError, match="output has its input's shape"):
        pq.anomaly.score(pq.ImageClassifier("mlp", hidden=(4,)), x)
    with pytest.raises(pq.PratiqueError, match="per must be one of"):
        pq.anomaly.score(create_model("autoencoder"), x, per="pixel")
    with pytest.raises(pq.PratiqueError, match="one long signal"):
        pq.anomaly.score(create_model("autoencoder"), x, per="point", window=8)
