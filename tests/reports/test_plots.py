import numpy as np
import pytest
import torch
from torch import nn

from pratique import ImageClassifier, PratiqueError, reports
from pratique.reports.evaluation import evaluation_report
from pratique.reports.feature_maps import layer_outputs
from pratique.reports.top_losses import TopLosses


def _texts(fig):
    out = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return " | ".join(out)


def _png(fig, tmp_path, name="f.png"):
    path = tmp_path / name
    reports.save_figure(fig, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


def test_history_curves(tmp_path):
    fig = reports.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]})
    assert [ax.get_title() for ax in fig.axes] == ["Loss", "Accuracy"]
    assert fig.axes[0].get_xlabel() == "epoch" and len(fig.axes[0].lines) == 2
    _png(fig, tmp_path)


def test_confusion_matrix_counts_and_normalized(tmp_path):
    cm = [[3, 1], [0, 4]]
    fig = reports.plot_confusion_matrix(cm, ["cat", "dog"])
    counts, norm = [ax for ax in fig.axes if ax.get_title()]
    assert counts.get_title() == "Counts" and norm.get_title() == "Normalized by true class"
    assert [t.get_text() for t in counts.get_xticklabels()] == ["cat", "dog"]
    assert counts.get_xlabel() == "Predicted class" and counts.get_ylabel() == "True class"
    assert np.allclose(norm.images[0].get_array(), [[0.75, 0.25], [0, 1]])
    assert "0.75" in _texts(fig)
    _png(fig, tmp_path)


def test_class_scores_bars():
    r = evaluation_report([0, 1, 1], torch.eye(2)[[0, 1, 0]], ["a", "b"])
    fig = reports.plot_class_scores(r)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    # bars grouped by metric: precision a, b; recall a, b; f1 a, b
    assert heights[:4] == pytest.approx([0.5, 1.0, 1.0, 0.5])
    assert "accuracy 0.667" in ax.get_title()


def test_top_losses_keeps_highest_and_draws_them(tmp_path):
    g = torch.Generator().manual_seed(0)
    x, logits, y = torch.rand(30, 1, 6, 6, generator=g), torch.randn(30, 4, generator=g), torch.randint(0, 4, (30,), generator=g)
    top = TopLosses(5)
    for i in range(0, 30, 7):
        top.update(x[i:i + 7], logits[i:i + 7], y[i:i + 7])
    ref = torch.nn.functional.cross_entropy(logits, y, reduction="none").topk(5).indices
    images, targets, probs = top.result()
    assert torch.equal(images, x[ref]) and torch.equal(targets, y[ref])
    fig = reports.plot_top_losses(images, targets, probs, ["w", "x", "y", "z"])
    assert f"true: {'wxyz'[int(y[ref[0]])]}" in _texts(fig)
    _png(fig, tmp_path)


def test_filters_of_conv_and_square_dense():
    clf = ImageClassifier("lenet5")
    fig = reports.plot_filters(clf)
    assert sum(bool(ax.images) for ax in fig.axes) == 6 and "6 @ 5x5" in fig._suptitle.get_text()
    fig = reports.plot_filters(nn.Sequential(nn.Flatten(), nn.Linear(64, 3)))
    assert sum(bool(ax.images) for ax in fig.axes) == 3
    with pytest.raises(PratiqueError, match="square"):
        reports.plot_filters(nn.Linear(10, 2))


def test_feature_maps_follow_the_network():
    clf = ImageClassifier("lenet5", seed=0)
    image = np.random.default_rng(0).integers(0, 255, (28, 28), dtype=np.uint8)
    outs = layer_outputs(clf, image)
    assert [tuple(o.shape) for o in outs.values()] == [(6, 28, 28), (16, 10, 10)]
    fig = reports.plot_feature_maps(clf, image, max_maps=4)
    assert len(fig.axes) == 2 * 5 and "(6, 28, 28)" in _texts(fig)
    with pytest.raises(PratiqueError, match="Conv2d"):
        reports.plot_feature_maps(nn.Sequential(nn.Flatten(), nn.Linear(784, 2)), image)


def test_lr_find_marks_the_suggestion(tmp_path):
    fig = reports.plot_lr_find([1e-5, 1e-4, 1e-3, 1e-2], [2.3, 2.0, 1.1, 5.0], suggestion=1e-3)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "Loss"
    assert "suggested lr = 1.0e-03" in _texts(fig)
    assert list(ax.lines[-1].get_xydata()[0]) == pytest.approx([1e-3, 1.1])
    _png(fig, tmp_path)


def test_decision_regions_color_the_predicted_class():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] > 0).astype(int)
    fig = reports.plot_decision_regions(lambda p: (p[:, 0] > 0).astype(int), x, y, ["left", "right"],
                                        resolution=50)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["left", "right"]
    assert ax.get_xlabel() == "x1"
    module = nn.Linear(2, 3)  # a module's (M, 3) scores are arg-maxed
    fig = reports.plot_decision_regions(module, x, rng.integers(0, 3, 60), resolution=20)
    with pytest.raises(PratiqueError, match=r"\(N, 2\)"):
        reports.plot_decision_regions(module, rng.normal(size=(5, 3)), [0] * 5)
