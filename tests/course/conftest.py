from pathlib import Path

import pytest
from PIL import Image

import pratique as pq


def write_split_folder(root: Path, per_split=(("train", 30), ("val", 8), ("test", 10)), classes=(0, 1, 2)):
    """mnist5k digits of `classes` as PNG files in root/{train,val,test}/<digit>/ (the course's layout)."""
    (x, y), _ = pq.datasets.load_data("mnist5k")
    start = 0
    counts = {}
    for split, n in per_split:
        counts[split] = 0
        for c in classes:
            idx = [i for i in range(len(y)) if y[i] == c][start:start + n]
            folder = root / split / str(c)
            folder.mkdir(parents=True, exist_ok=True)
            for i in idx:
                Image.fromarray(x[i]).save(folder / f"{i}.png")
            counts[split] += len(idx)
        start += n
    return counts


@pytest.fixture(scope="module")
def split_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("course") / "data"
    return root, write_split_folder(root)
