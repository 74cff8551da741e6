"""Every script in examples/ runs as it is (fast settings), prints its key figure, writes its PNGs.

Each example must be listed in EXAMPLES with the pattern of its last line (its key figure), the
lowest acceptable value of the numbers that line captures, and the pictures it writes; a script
in examples/ without an entry fails `test_every_example_is_listed`.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
# name: (regex of its last stdout line, floor of the numbers it captures or None, PNGs in OUT_DIR)
EXAMPLES = {
    "keras_lifecycle.py": (r"test accuracy \(Flatten -> 128 relu -> 10, adam\): (\d\.\d+)",
                           0.6, ["curves.png", "sweep.png"]),
    "tensor_tour.py": (r"broadcast \(8, 1, 6, 1\) with \(7, 1, 5\) -> \(8, 7, 6, 5\)", None,
                       ["broadcasting.png"]),
    "custom_backbone.py": (r"test accuracy \(tiny_convnet, 2 epochs on 800 digits\): (\d\.\d+)",
                           0.6, ["curves.png"]),
    "cnn_overfitting.py": ((r"train-val accuracy gap: no dropout (-?\d\.\d+), "
                           r"dropout 0\.5 (-?\d\.\d+), dropout \+ augmentation (-?\d\.\d+)"),
                           None, ["curves_no_dropout.png", "curves_dropout_0.5.png",
                                  "curves_dropout_augmentation.png", "overfitting_gap.png"]),
    "lab_tour.py": (r"receptive field of 3x conv3x3: 7", None, ["spiral_regions.png"]),
    "lenets_and_ensemble.py": ((r"test accuracy: LeNet-1 (\d\.\d+), LeNet-4 (\d\.\d+), "
                               r"LeNet-5 (\d\.\d+), 3x LeNet-4 (\d\.\d+)"),
                               0.5, ["accuracy.png"]),
    "callbacks.py": (r"epochs run: \d+ of \d+, best checkpoint test accuracy: (\d\.\d+)", 0.5,
                     ["callbacks.png"]),
    "transfer_learning.py": ((r"validation accuracy \(efficientnet_lite0, frozen backbone, \d+ "
                              r"epoch\(s\)\): (\d\.\d+)"), 0.5, ["curves.png"]),
    "feature_extraction.py": ((r"validation accuracy \(MLP on frozen efficientnet_lite0 features\): "
                               r"(\d\.\d+)"), 0.5, ["embeddings_pca.png"]),
    "embed_sklearn.py": ((r"logistic regression test accuracy on conv_autoencoder codes \(32-D, no "
                          r"labels\): (\d\.\d+)"), 0.5, []),
    "attributions.py": (r"saliency in the top 10% of pixels of digit 0 \(class \d\): (\d\.\d+)", 0.1,
                        ["digit_0.png", "digit_1.png", "digit_2.png"]),
    "activation_maximization.py": (r"lowest softmax probability of the 10 synthesized classes: (\d\.\d+)",
                                   None, ["classes.png", "conv2.png"]),
    "adversarial.py": ((r"FGSM accuracy at eps 0\.2: (\d\.\d+) before, (\d\.\d+) after adversarial "
                        r"training \(clean (\d\.\d+) -> (\d\.\d+)\)"), None,
                       ["fgsm.png", "fgsm_trained.png"]),
}
MAX_LINES = 60


def _run(script: str, out: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRATIQUE_FAST="1", MPLBACKEND="Agg",
               # One thread each: CI cores are shared, and spinning BLAS threads slow small models.
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, str(ROOT / "examples" / script), str(out)], cwd=out,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_every_example_is_listed():
    scripts = sorted(p.name for p in (ROOT / "examples").glob("*.py"))
    assert scripts == sorted(EXAMPLES), "list each example in tests/examples/test_examples.py"


@pytest.mark.parametrize("script", sorted(EXAMPLES))
def test_example_is_short(script):
    n = len((ROOT / "examples" / script).read_text().splitlines())
    assert n < MAX_LINES, f"{script} has {n} lines; examples stay under {MAX_LINES}"


@pytest.mark.parametrize("script", sorted(EXAMPLES))
def test_example_runs_and_prints_its_key_figure(script, tmp_path):
    pattern, minimum, pictures = EXAMPLES[script]
    result = _run(script, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    match = re.fullmatch(pattern, last)
    assert match, f"last line of {script}: {last!r} does not match {pattern!r}"
    if minimum is not None:  # FAST runs are tiny: only a floor that any learning clears
        assert all(float(v) >= minimum for v in match.groups()), f"{script}: {last}"
    for name in pictures:
        with Image.open(tmp_path / name) as im:  # a real, decodable PNG of a legible size
            assert im.format == "PNG" and im.width >= 400 and im.height >= 250, name
