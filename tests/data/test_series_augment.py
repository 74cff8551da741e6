"""Signal augmentations do what they say, on training batches only, seeded."""
import numpy as np
import pytest
import torch

from pratique.core.errors import PratiqueError
from pratique.data._series_augment import augment_spec, jitter, scaling, time_shift, window_warp
from pratique.data.series import SeriesData


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


def test_jitter_adds_noise_of_the_given_std():
    x = torch.randn(64, 3, 200, generator=_g(1))
    noise = jitter(x, 0.2, _g()) - x
    assert abs(float(noise.std()) - 0.2) < 0.005 and abs(float(noise.mean())) < 0.005


def test_scaling_multiplies_each_series_and_channel_by_one_factor():
    x = torch.randn(500, 2, 50, generator=_g(1))
    factors = scaling(x, 0.1, _g()) / x  # (N, C, L): constant along L
    assert torch.allclose(factors, factors[..., :1].expand_as(factors), atol=1e-4)
    f = factors[..., 0]
    assert abs(float(f.mean()) - 1) < 0.02 and abs(float(f.std()) - 0.1) < 0.01


def test_time_shift_is_a_roll_of_at_most_the_fraction():
    x = torch.randn(32, 2, 40, generator=_g(1))
    out = time_shift(x, 0.1, _g())
    shifts = []
    for xi, oi in zip(x, out):
        ks = [k for k in range(-4, 5) if torch.equal(torch.roll(xi, k, dims=-1), oi)]
        assert len(ks) == 1  # a roll by at most 0.1 * 40 = 4 steps
        shifts.append(ks[0])
    assert len(set(shifts)) > 3


def test_window_warp_keeps_the_length_and_stretches_one_window():
    length, fraction = 100, 0.2
    t = torch.arange(length, dtype=torch.float32).expand(16, 1, length)
    out = window_warp(t, fraction, _g())[:, 0]  # warping the time axis itself gives the time map
    assert out.shape == (16, length)
    assert torch.allclose(out[:, 0], torch.zeros(16)) and torch.allclose(out[:, -1], torch.full((16,), 99.0))
    w = round(fraction * length)
    for row in out.double().numpy():
        steps = np.diff(row)
        fits = [s for s in (0.5, 2.0) if _two_slopes(steps, (length - 1 + w * (s - 1)) / (length - 1), s)]
        assert len(fits) == 1  # slope r outside the window, r / s inside (sped up or slowed down)
    assert not torch.equal(out, t[:, 0])


def _two_slopes(steps, r, s) -> bool:
    outside, inside = np.isclose(steps, r, atol=1e-4), np.isclose(steps, r / s, atol=1e-4)
    return (outside | inside).sum() >= len(steps) - 2 and inside.sum() >= 5


def test_eval_batches_are_untouched_and_training_batches_are_seeded():
    x = np.random.default_rng(0).normal(size=(40, 2, 60)).astype(np.float32)
    y = np.arange(40) % 2
    plain = SeriesData.from_numpy(x, y, test=(x, y), batch_size=8)
    aug = SeriesData.from_numpy(x, y, test=(x, y), batch_size=8, augment="standard")
    for a, b in [(plain.val_batches(), aug.val_batches()), (plain.eval_batches(), aug.eval_batches())]:
        for (xa, _), (xb, _) in zip(a, b, strict=True):
            assert torch.equal(xa, xb)
    first = [xb for xb, _ in aug.train_batches(seed=3)]
    again = [xb for xb, _ in aug.train_batches(seed=3)]
    clean = [xb for xb, _ in plain.train_batches(seed=3)]  # the same order: only augmentation differs
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not any(torch.allclose(a, c) for a, c in zip(first, clean))


def test_augment_spec_forms():
    assert augment_spec("standard") == {"jitter": 0.03, "scaling": 0.1, "window_warp": 0.1}
    assert augment_spec(["jitter", "time_shift"]) == {"jitter": 0.03, "time_shift": 0.1}
    assert augment_spec({"jitter": 0.5}) == {"jitter": 0.5} and augment_spec(None) == {}
    with pytest.raises(PratiqueError, match="fraction of the length"):
        augment_spec({"time_shift": 2})


def test_augmentations_that_break_targets_or_padding_are_refused():
    s = np.sin(np.arange(200) / 5).astype(np.float32)
    with pytest.raises(PratiqueError, match="scaling"):
        SeriesData.from_series(s, window=20, horizon=5, augment=["scaling"])
    ragged = [np.ones(n, np.float32) * n for n in (10, 14, 12, 11)]
    with pytest.raises(PratiqueError, match="padding"):
        SeriesData.from_numpy(ragged, [0, 1, 0, 1], val_split=None, augment=["time_shift"])
    data = SeriesData.from_numpy(ragged, [0, 1, 0, 1], val_split=None, augment={"jitter": 0.1}, batch_size=4)
    xb, _ = next(iter(data.train_batches()))
    for xi in xb:  # every padded step is 0, every real step got noise
        real = xi[0] != 0
        assert int(real.sum()) in (10, 14, 12, 11) and bool((xi[0, int(real.sum()):] == 0).all())
