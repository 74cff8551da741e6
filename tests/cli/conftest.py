import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import pratique as pq


@pytest.fixture
def run_cli():
    """The console entry point as a subprocess, for exit codes and stderr."""
    return run_subprocess


def run_subprocess(args, cwd):
    # the subprocess imports the same pratique as the tests (this checkout's src/), wherever cwd is
    env = {**os.environ, "PYTHONPATH": str(Path(pq.__file__).parents[1])}
    return subprocess.run([sys.executable, "-c", "from pratique.cli.main import main; main()", *args],
                          check=False, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """A small mlp fitted on mnist5k digits, saved, plus 12 of its test digits as PNG files
    (2 in a subfolder), an unreadable file and a CSV listing the PNGs."""
    root = tmp_path_factory.mktemp("trained")
    (x, y), (xt, yt) = pq.datasets.load_data("mnist5k")
    model = pq.ImageClassifier("mlp", num_classes=10, seed=0)
    model.classes = [str(i) for i in range(10)]
    model.compile(lr=3e-3)
    model.adapt_normalization(x)
    model.fit(x[:2000], y[:2000], epochs=2, batch_size=128, verbose=0, seed=0)
    path = root / "digits.pratique"
    model.save(path)
    images = root / "images"
    (images / "sub").mkdir(parents=True)
    files = []
    for i in range(12):
        f = images / ("sub" if i >= 10 else "") / f"d{i:02d}.png"
        Image.fromarray(xt[i]).save(f)
        files.append(f)
    (images / "broken.png").write_bytes(b"not an image")
    with open(root / "list.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "note"])
        w.writerows([[str(p.relative_to(root)), "x"] for p in files[:5]])
    return {"root": root, "model": path, "images": images, "files": files, "x": xt[:12], "y": yt[:12],
            "loaded": pq.load(path)}

