import pytest
import torch

from pratique import PratiqueError
from pratique.data.transforms import BatchPipeline, augment_spec


def _run(spec, x, seed=0):
    return BatchPipeline(augment_spec(spec))(x, None, torch.Generator().manual_seed(seed))[0]


def _ramp(n=64, h=6, w=8):
    return torch.arange(h * w, dtype=torch.uint8).view(1, 1, h, w).repeat(n, 3, 1, 1)


def test_none_is_scaling_only():
    x = _ramp()
    assert torch.equal(_run(None, x), x.float() / 255)


def test_horizontal_flip_really_flips():
    x = _ramp()
    out = _run({"horizontal_flip": True}, x)
    ref = x.float() / 255
    flipped = torch.tensor([torch.equal(o, r.flip(-1)) for o, r in zip(out, ref)])
    same = torch.tensor([torch.equal(o, r) for o, r in zip(out, ref)])
    assert torch.all(flipped | same) and flipped.any() and same.any()


def test_vertical_flip():
    out = _run({"vertical_flip": True}, _ramp())
    assert any(torch.equal(o, _ramp()[0].float().div(255).flip(-2)) for o in out)


def test_zoom_and_rotation_keep_shape_and_change_pixels():
    x = torch.randint(0, 256, (8, 3, 20, 30), dtype=torch.uint8)
    for spec in ({"zoom_range": 0.3}, {"rotation_range": 30}, {"shear_range": 20},
                 {"width_shift_range": 0.2, "fill_mode": "wrap"}, {"preset": "strong"},
                 {"random_resized_crop": 0.3}, {"randaugment": True}):
        out = _run(spec, x)
        assert out.shape == (8, 3, 20, 30) and out.dtype == torch.float32
        assert not torch.allclose(out, x.float() / 255)


def test_zoom_range_below_one_zooms_in():
    # Keras semantics: zoom factor 0.5 samples half the field of view -> the centre is enlarged
    x = torch.zeros(1, 1, 8, 8, dtype=torch.uint8)
    x[..., 3:5, 3:5] = 255
    out = _run({"zoom_range": [0.5, 0.5]}, x)
    assert (out > 0.5).sum() == 16  # the 2x2 centre became 4x4


def test_wrap_fill_is_a_roll(monkeypatch):
    from pratique.data import _augment

    x = torch.randint(0, 256, (2, 1, 4, 8), dtype=torch.uint8).float() / 255
    # a shift of exactly 0.25 of the width (2 pixels): every uniform draw returns its upper bound
    monkeypatch.setattr(_augment, "_uniform", lambda n, lo, hi, g: torch.full((n,), float(hi), dtype=torch.float64))
    s = augment_spec({"width_shift_range": 0.25, "fill_mode": "wrap"})
    out = _augment.geometric(x, s, torch.Generator())
    assert any(torch.allclose(out, x.roll(k, -1), atol=1e-5) for k in (2, -2))


def _upper_bounds(monkeypatch):
    """Make every random draw of the geometric augmentation its upper bound: exact angles/shifts."""
    from pratique.data import _augment

    monkeypatch.setattr(_augment, "_uniform", lambda n, lo, hi, g: torch.full((n,), float(hi), dtype=torch.float64))
    return _augment


def test_rotation_by_exactly_90_degrees_is_rot90(monkeypatch):
    _augment = _upper_bounds(monkeypatch)
    x = torch.rand(3, 2, 5, 5, generator=torch.Generator().manual_seed(0))
    out = _augment.geometric(x, augment_spec({"rotation_range": 90}), torch.Generator())
    # +90 degrees turns the image counter-clockwise, as np.rot90 / torch.rot90 with k=1
    assert torch.allclose(out, torch.rot90(x, 1, (-2, -1)), atol=1e-5)
    assert not torch.allclose(out, torch.rot90(x, -1, (-2, -1)), atol=1e-2)


@pytest.mark.parametrize("fill_mode, edge", [
    ("constant", lambda row: [0.0, 0.0]),  # Keras: kkkk|abcd|kkkk with cval 0
    ("nearest", lambda row: [row[7], row[7]]),  # aaaa|abcd|dddd
    ("reflect", lambda row: [row[7], row[6]]),  # abcd|dcba
])
def test_fill_mode_edge_values(monkeypatch, fill_mode, edge):
    _augment = _upper_bounds(monkeypatch)
    x = torch.rand(2, 1, 3, 8, generator=torch.Generator().manual_seed(1))
    s = augment_spec({"width_shift_range": 0.25, "fill_mode": fill_mode})  # 2 pixels of 8
    out = _augment.geometric(x, s, torch.Generator())
    assert torch.allclose(out[..., :6], x[..., 2:], atol=1e-5)  # out[j] = in[j + 2]
    for o, row in zip(out.flatten(0, 2), x.flatten(0, 2)):
        assert torch.allclose(o[6:], torch.tensor(edge(row.tolist())), atol=1e-5)


def test_brightness_range_multiplies():
    x = torch.full((16, 1, 2, 2), 100, dtype=torch.uint8)
    out = _run({"brightness_range": (0.5, 1.5)}, x)
    factors = out[:, 0, 0, 0] * 255 / 100
    assert torch.all((factors >= 0.5 - 1e-5) & (factors <= 1.5 + 1e-5)) and factors.std() > 0.05
    assert torch.allclose(out, out[:, :, :1, :1].expand_as(out))  # the same factor over the image


def test_random_erasing_zeros_a_box_after_normalization():
    x = torch.full((32, 1, 16, 16), 200, dtype=torch.uint8)
    pipe = BatchPipeline(augment_spec({"random_erasing": 1.0}), mean=[0.1], std=[0.5])
    out, _ = pipe(x, None, torch.Generator().manual_seed(0))
    assert torch.all((out == 0).flatten(1).any(1))


def test_mixup_gives_soft_targets_that_sum_to_one():
    x = torch.randint(0, 256, (8, 3, 4, 4), dtype=torch.uint8)
    y = torch.arange(8) % 4
    pipe = BatchPipeline(augment_spec({"mixup": 0.4, "cutmix": 1.0}), num_classes=4)
    for seed in range(4):
        _out, ys = pipe(x, y, torch.Generator().manual_seed(seed))
        assert ys.shape == (8, 4) and torch.allclose(ys.sum(1), torch.ones(8))


def test_same_seed_same_batch():
    x = torch.randint(0, 256, (4, 3, 10, 10), dtype=torch.uint8)
    assert torch.equal(_run("strong", x, 5), _run("strong", x, 5))


def test_bad_augment_arguments():
    with pytest.raises(PratiqueError, match="standard"):
        augment_spec("standart")
    with pytest.raises(PratiqueError, match="fill_mode"):
        augment_spec({"fill_mode": "mirror"})
