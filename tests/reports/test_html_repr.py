"""`_repr_html_` of Summary, History, the evaluation report and ImageData; figures without
pyplot: no module of pratique switches the user's matplotlib backend."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

SRC = Path(__file__).resolve().parents[2] / "src"


def test_importing_plotting_modules_keeps_the_users_backend():
    code = ("import matplotlib; matplotlib.use('svg')\n"
            "import pratique.reports, pratique.reports.curves, pratique.reports.confusion\n"
            "import pratique.lab._plot, pratique.data._show, pratique.tasks.lr_finder\n"
            "from pratique.reports import plot_history\n"
            "fig = plot_history({'loss': [1.0, 0.5], 'val_loss': [1.1, 0.7]})\n"
            "assert fig.get_axes(), 'no axes'\n"
            "print(matplotlib.get_backend())")
    env = dict(os.environ, PYTHONPATH=str(SRC))
    env.pop("MPLBACKEND", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "svg"


def test_figures_are_not_registered_with_pyplot():
    import matplotlib.pyplot as plt

    from pratique.reports import plot_confusion_matrix

    before = plt.get_fignums()
    fig = plot_confusion_matrix([[3, 1], [0, 4]], ["a", "b"])
    assert plt.get_fignums() == before  # else Jupyter would show it twice
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"


def test_save_figure_still_closes_a_pyplot_figure(tmp_path):
    import matplotlib.pyplot as plt

    from pratique.reports import save_figure

    fig, _ = plt.subplots()
    save_figure(fig, tmp_path / "x.png")
    assert fig.number not in plt.get_fignums() and (tmp_path / "x.png").stat().st_size > 0


def test_summary_html_has_the_counts():
    from pratique.models.summary import summarize

    s = summarize(nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)), (1, 28, 28))
    html = s._repr_html_()
    assert "Total params: 101,770" in html and "100,480" in html and "(None, 128)" in html


def test_history_html_has_one_row_per_epoch():
    from pratique.training.callbacks.history import History

    h = History()
    for e, (loss, acc) in enumerate([(0.91234, 0.5), (0.45678, 0.75)]):
        h.on_epoch_end(e, {"loss": loss, "accuracy": acc})
    html = h._repr_html_()
    assert "0.9123" in html and "0.4568" in html and "0.7500" in html
    assert html.count("<tr>") == 3  # header + 2 epochs


def test_evaluation_report_html_has_the_scores():
    from pratique.reports import evaluation_report

    r = evaluation_report([0, 1, 1], [[.9, .1], [.2, .8], [.6, .4]], ["cat", "dog"])
    assert isinstance(r, dict)
    html = r._repr_html_()
    assert "0.6667" in html and "cat" in html and "Confusion matrix" in html
    assert "<td>dog</td><td style=\"text-align:right\">1</td><td style=\"text-align:right\">1</td>" in html


def test_image_data_html_shows_one_sample_per_class():
    from pratique.data.module import ImageData

    x = (np.random.default_rng(0).random((12, 8, 8)) * 255).astype(np.uint8)
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    data = ImageData.from_numpy(x, y, val_split=0.25, classes=["zero", "un", "deux"])
    html = data._repr_html_()
    assert "data:image/png;base64," in html and "3 classes" in html
    assert torch.is_tensor(data.splits["train"][1])
