"""ROC curve and AUC against scikit-learn; the anomaly pictures and the report's files."""
import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.metrics import roc_curve as sk_roc_curve

import pratique as pq
from pratique.reports.anomaly import anomaly_report, plot_signal_scores, roc_auc, roc_curve
from pratique.reports.reconstructions import plot_reconstructions


def _texts(fig):
    return " | ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_roc_and_auc_match_scikit_learn_with_ties(seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, 300)
    scores = np.round(rng.normal(size=300) + labels, 1)  # rounded: many ties
    assert roc_auc(scores, labels) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    fpr, tpr, thr = roc_curve(scores, labels)
    sk_fpr, sk_tpr, sk_thr = sk_roc_curve(labels, scores, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
    np.testing.assert_allclose(thr[1:], sk_thr[1:])


def test_labels_must_hold_both_classes():
    with pytest.raises(pq.PratiqueError, match="both present"):
        roc_auc([0.1, 0.2], [1, 1])
    with pytest.raises(pq.PratiqueError, match="one value per sample"):
        roc_auc([0.1, 0.2], [1, 0, 1])


def test_report_writes_roc_signal_and_json(tmp_path):
    signal = np.sin(np.linspace(0, 30, 400))
    scores = np.abs(np.random.default_rng(0).normal(size=400)) * 0.1
    scores[200:205] += 2.0
    labels = np.zeros(400, dtype=int)
    labels[198:206] = 1
    report = anomaly_report(scores, labels, threshold=1.0, signal=signal, out_dir=tmp_path)
    assert report["argmax"] in range(200, 205) and report["flagged"] == 5
    assert report["auc"] == pytest.approx(roc_auc_score(labels, scores))
    assert json.loads((tmp_path / "anomaly.json").read_text())["argmax"] == report["argmax"]
    for name in ("roc.png", "signal_scores.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    fig = plot_signal_scores(signal, scores, labels, threshold=1.0, zoom=100)
    assert len(fig.axes) == 4 and f"highest score at {report['argmax']}" in _texts(fig)
    with pytest.raises(pq.PratiqueError, match="one value per point"):
        plot_signal_scores(signal, scores[:10])


def test_reconstruction_rows_show_psnr_against_the_reference():
    clean = np.random.default_rng(0).integers(0, 256, (5, 8, 8), dtype=np.uint8)
    out = clean / 255.0 + 0.1  # MSE 0.01 on the [0, 1] scale: PSNR 20 dB
    fig = plot_reconstructions({"denoised": out, "clean": clean}, n=3, psnr_of="clean")
    assert len(fig.axes) == 6 and "20.0 dB" in _texts(fig)
    assert [ax.get_ylabel() for ax in fig.axes[::3]] == ["denoised", "clean"]
