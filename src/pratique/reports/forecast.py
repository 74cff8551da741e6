"""A forecast on its series: the past, the forecast, the truth on the held-out tail, baselines dashed."""
from __future__ import annotations

import numpy as np

from .. import _figure as plt  # bare Figures: the user's backend is never switched
from ..core.errors import PratiqueError


def plot_forecast(series, forecast, truth=None, baselines=None, dates=None, title: str | None = None):
    """A figure of one series and what comes after it.

    Args:
        series: the past values (L,), drawn solid.
        forecast: the predicted values (H,) after them.
        truth: the values that really came (H,), or None.
        baselines: {name: values (H,)}, e.g. naive and seasonal-naive forecasts, drawn dashed.
        dates: x positions of the L + H points (e.g. "1960-01" strings, datetimes); default 0..L+H-1.
        title: the figure's title; by default the MAPE of the forecast (and each baseline) when
            the truth is given.

    Example:
        >>> fig = plot_forecast(train, model.forecast(), test, {"naive": [train[-1]] * 12})
        >>> pq.reports.save_figure(fig, "forecast.png")
    """
    past, pred = _values(series, "series"), _values(forecast, "forecast")
    steps = len(pred)
    baselines = {k: _values(v, k, steps) for k, v in (baselines or {}).items()}
    truth = None if truth is None else _values(truth, "truth", steps)
    x = _positions(dates, len(past) + steps)
    zoom = len(past) > 3 * steps  # a long series: a second panel on the tail, where the forecast is
    fig, axes = plt.subplots(1, 2 if zoom else 1, figsize=(13 if zoom else 9, 4), squeeze=False,
                             gridspec_kw={"width_ratios": [2, 1]} if zoom else None)
    for ax, first in zip(axes[0], (0, len(past) - 3 * steps)):
        _draw(ax, x, past, pred, truth, baselines, first)
    axes[0][0].legend(loc="upper left", fontsize=8)
    axes[0][0].set_title(title or ("Forecast of the held-out tail" if truth is not None else "Forecast"))
    if zoom:
        axes[0][1].set_title(f"Zoom: the last {3 * steps} points and the forecast")
    if np.issubdtype(x.dtype, np.datetime64):
        fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def _draw(ax, x, past, pred, truth, baselines, first: int) -> None:
    """One panel, from point `first` of the series on."""
    before, after = x[first:len(past)], x[len(past):]
    ax.plot(before, past[first:], color="0.25", lw=1.4, label="series")
    ax.axvline(before[-1], color="0.6", lw=0.8, ls=":")  # where the forecast starts
    if truth is not None:
        ax.plot(after, truth, color="black", lw=2.5, marker="o", ms=5, label="truth")
    for (name, values), color in zip(baselines.items(), ("tab:orange", "tab:green", "tab:purple")):
        ax.plot(after, values, ls="--", lw=1.3, color=color, label=_label(name, values, truth))
    ax.plot(after, pred, color="tab:blue", lw=1.6, marker="s", ms=3, label=_label("forecast", pred, truth))
    ax.grid(alpha=0.3)


def _label(name: str, values, truth) -> str:
    if truth is None:
        return name.replace("_", "-")
    mape = 100 * np.mean(np.abs(truth - values) / np.maximum(np.abs(truth), 1e-7))
    return f"{name.replace('_', '-')} (MAPE {mape:.1f}%)"


def _values(v, name: str, length: int | None = None) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64)
    if a.ndim != 1 or a.size == 0 or (length is not None and len(a) != length):
        want = f"({length},)" if length is not None else "(L,) with L >= 1"
        raise PratiqueError(f"plot_forecast: {name} must have shape {want}. Received shape {a.shape}. "
                            "Pass one series and forecasts, truth and baselines of the same length.")
    return a


def _positions(dates, n: int) -> np.ndarray:
    if dates is None:
        return np.arange(n)
    x = np.asarray(dates)
    if x.dtype.kind in "US":  # "1960-01", "1960-01-31": numpy reads ISO dates
        try:
            x = x.astype("datetime64")
        except ValueError:
            raise PratiqueError(f"plot_forecast: dates must be ISO dates such as '1960-01'. Received "
                                f"{x[:3].tolist()}...") from None
    if x.ndim != 1 or len(x) != n:
        raise PratiqueError(f"plot_forecast: dates must give one x position per point, {n} in all "
                            f"(series + forecast). Received shape {x.shape}.")
    return x
