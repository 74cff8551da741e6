import numpy as np
from PIL import Image

from pratique.lab import blobs, spiral, xor
from pratique.lab.regions import hinge_margins, train_frames, width_sweep


def test_toy_data_shapes_and_labels():
    x, y = spiral(20, 3)
    assert x.shape == (60, 2) and np.bincount(y).tolist() == [20, 20, 20]
    x, y = xor(4)
    assert y.tolist() == [0, 1, 1, 0]
    x1, _ = blobs(10, 3, seed=5)
    x2, _ = blobs(10, 3, seed=5)
    np.testing.assert_array_equal(x1, x2)  # seeded


def test_frames_and_gif(tmp_path):
    x, y = spiral(30, 3)
    frames, gif, net = train_frames(x, y, tmp_path, hidden=16, steps=40, every=10, resolution=30)
    assert len(frames) == 5 and all(f.exists() for f in frames)
    with Image.open(gif) as im:
        assert im.n_frames == 5 and im.info["loop"] == 0
    assert net.W[0].shape == (2, 16)


def test_width_sweep_and_hinge_pictures(tmp_path):
    x, y = spiral(20, 3)
    sweep = width_sweep(x, y, tmp_path / "sweep.png", widths=(5, 10), steps=20, resolution=20)
    with Image.open(sweep) as im:
        assert im.width >= 2 * im.height  # two panels side by side
    x, y = blobs(15, 3, spread=0.2)
    assert hinge_margins(x, y, tmp_path / "hinge.png", snapshots=(5, 10)).exists()


def test_margin_pushes_points_away_from_the_boundaries():
    from pratique.lab.mlp import MLP
    from pratique.lab.regions import _hinge_grads, boundary_distances

    x, y = blobs(40, 3, seed=0, spread=0.22)
    distances = {}
    for margin in (0.0, 1.0):
        net = MLP([2, 3], activation="identity", seed=1)
        for _ in range(300):
            _, gw, gb = _hinge_grads(net, x, y, margin)
            net.W[0] -= 0.1 * gw
            net.b[0] -= 0.1 * gb
        distances[margin] = boundary_distances(net, x, y).min()
    assert distances[1.0] > 0.15 and distances[1.0] > 5 * max(distances[0.0], 0.01)
