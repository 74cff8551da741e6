"""reports.plot_forecast: the series, the forecast, the truth and dashed baselines (issue 19.3)."""
import numpy as np
import pytest

import pratique as pq
from pratique.reports import plot_forecast, save_figure


def test_plot_draws_each_curve_where_it_belongs_and_saves_a_png(tmp_path):
    past, pred, truth = np.arange(60.0), np.full(12, 70.0), np.arange(60.0, 72.0)
    base = {"naive": np.full(12, 59.0), "seasonal_naive": past[-12:]}
    months = np.arange("1950-01", "1956-01", dtype="datetime64[M]").astype(str)  # 72 "YYYY-MM"
    fig = plot_forecast(past, pred, truth, base, dates=months)
    full, zoom = fig.axes  # 60 > 3 * 12 points: a zoom on the tail beside the whole series
    lines = {ln.get_label().split(" (")[0]: ln for ln in full.get_lines() if not ln.get_label().startswith("_")}
    assert set(lines) == {"series", "truth", "naive", "seasonal-naive", "forecast"}
    assert np.array_equal(lines["forecast"].get_ydata(), pred) and lines["naive"].get_linestyle() == "--"
    mape = 100 * np.mean(np.abs(truth - pred) / truth)
    assert lines["forecast"].get_label() == f"forecast (MAPE {mape:.1f}%)" and mape > 1
    assert len(zoom.get_lines()[0].get_ydata()) == 36 and "1955-01" in str(lines["truth"].get_xdata()[0])
    save_figure(fig, tmp_path / "f.png")
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(plot_forecast(past[:20], pred).axes) == 1  # short series, no truth: one panel


def test_plot_refuses_mismatched_lengths():
    with pytest.raises(pq.PratiqueError, match=r"truth must have shape \(12,\)"):
        plot_forecast(np.arange(30.0), np.zeros(12), truth=np.zeros(11))
    with pytest.raises(pq.PratiqueError, match="one x position per point, 42"):
        plot_forecast(np.arange(30.0), np.zeros(12), dates=np.arange(40))
