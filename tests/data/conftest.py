import pytest

from pratique.data.datasets import write_shapes_folder


@pytest.fixture
def shapes_root(tmp_path):
    """A folder of 3 class folders x 8 PNG images of 16x16."""
    return write_shapes_folder(tmp_path / "shapes", n_per_class=8, image_size=16, seed=0)
