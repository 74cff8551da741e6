"""Forecaster: a `Model` that predicts the next `horizon` values of a series from `window` past ones."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..core.errors import PratiqueError
from ..data.preprocess import mark_model_input
from ..data.windows import sliding_windows
from ..training import metrics as metrics_mod
from . import _forecast_prep as prep
from ._checks import check_int
from .model import Model, _seeded

SCORES = ("mae", "rmse", "mape")  # Forecaster.evaluate's metrics, pq.metrics' definitions


def forecast_mlp(window: int, horizon: int, hidden=(64,)) -> nn.Module:
    """(N, 1, window) -> (N, horizon): Flatten -> [Linear -> ReLU] * len(hidden) -> Linear."""
    layers: list[nn.Module] = [nn.Flatten()]
    width = window
    for units in hidden:
        layers += [nn.Linear(width, units), nn.ReLU()]
        width = units
    layers.append(nn.Linear(width, horizon))
    return nn.Sequential(*layers)


BUILDERS = {"mlp": forecast_mlp,
            "linear": lambda window, horizon, hidden=(): forecast_mlp(window, horizon, ())}


class Forecaster(Model):
    """Direct multi-step forecasting: a regression head maps `window` past values to `horizon` next.

    Args:
        model: "mlp" (one hidden layer of `hidden` units, the default), "linear" (an
            autoregression: one Linear layer), or an `nn.Module` mapping (N, 1, window) -> (N, horizon).
        window: past values the model sees (the input length).
        horizon: values predicted at once; longer forecasts feed predictions back (recursive).
        season: the seasonal period (12 for monthly data) of the seasonal-naive baseline.
        transform: "log" for a multiplicative series (seasonal swings growing with the level,
            as in airline passengers), or None.
        normalize: "window" (each window minus its last value, over the std of the series'
            steps: trends beyond the fitted range still work), "series" (mean/std of the fitted
            series) or None. Learned on the first `fit` and saved with the model.
        hidden: hidden units of "mlp", an int or a tuple (one layer each).
        seed: seed for the initial weights (the global random state is left untouched).

    Example:
        >>> (train, months), (test, test_months) = pq.datasets.load_data("airline")
        >>> model = pq.Forecaster(window=24, horizon=12, season=12)
        >>> model.fit(train, epochs=200, verbose=0)
        >>> model.forecast()                  # the 12 months after the training series
        >>> model.evaluate(test)              # MAE / RMSE / MAPE, beside the naive baselines
    """

    task = "forecaster"

    def __init__(self, model="mlp", window: int = 24, horizon: int = 12, season: int | None = None,
                 transform: str | None = None, normalize: str | None = "window", hidden=(64,),
                 seed: int | None = None, **model_kwargs):
        check_int("window", window, 1)
        check_int("horizon", horizon, 1)
        if season is not None:
            check_int("season", season, 1)
        _check_choice("transform", transform, prep.TRANSFORMS)
        _check_choice("normalize", normalize, prep.NORMALIZE)
        hidden = [hidden] if isinstance(hidden, int) else list(hidden)
        for units in hidden:
            check_int("hidden", units, 1)
        if isinstance(model, nn.Module):
            super().__init__(model, **model_kwargs)
        elif isinstance(model, str) and model in BUILDERS:
            with _seeded(seed):
                module = BUILDERS[model](window, horizon, hidden)
            super().__init__(module, **model_kwargs)
            self.architecture = {"name": model, "kwargs": {"window": window, "horizon": horizon,
                                                           "hidden": hidden if model == "mlp" else []}}
        else:
            raise PratiqueError(f"Forecaster's model must be one of {sorted(BUILDERS)} or an nn.Module "
                                f"mapping (N, 1, window) to (N, horizon). Received: model={model!r}.")
        self.input_shape = (1, window)
        self.preprocessing = {"input_shape": [1, window], "forecast": {
            "window": window, "horizon": horizon, "season": season, "transform": transform,
            "normalize": normalize, "center": None, "scale": None, "history": None}}

    @property
    def config(self) -> dict:
        """The saved preprocessing: window, horizon, season, transform, scaling, the series' tail."""
        return self.preprocessing["forecast"]

    def _require_compiled(self, action: str):
        if self._trainer is None:  # Keras would refuse; a Forecaster has a sensible default
            self.compile(optimizer="adam", lr=1e-3, loss="mse")
        return super()._require_compiled(action)

    # -- fit -----------------------------------------------------------------------------------
    def fit(self, series, y=None, epochs: int = 1, batch_size: int = 32, stride: int = 1, **fit_kwargs):
        """Train on every window of `series` (1-D); returns the `History`.

        The scaling is learned on the first fit (and kept by later ones: the weights depend on
        it); the end of the latest series is kept for `forecast()`. `stride` spaces the windows;
        `validation_data` is a series of its own (its windows are scored after each epoch), or
        `validation_split=0.1` keeps the last windows; other arguments go to `Model.fit`
        (callbacks, verbose, seed, shuffle...). Losses and metrics logged here are on the scaled targets;
        `evaluate` scores in the series' units.
        """
        _no_targets("fit", y)
        s, x, yy = self._cut(series, stride)
        val = fit_kwargs.pop("validation_data", None)
        if val is not None:  # a series of its own, cut (checked before any change) and scaled alike
            val = self._cut(val, stride, "validation_data")
        xs, ys = self._scaled(*self._learn(s, x, yy))
        if val is not None:
            val = self._scaled(*val[1:])
        return super().fit(xs, ys, epochs=epochs, batch_size=batch_size, validation_data=val, **fit_kwargs)

    def _cut(self, series, stride: int = 1, name: str = "series"):
        """(s (L,), x (N, window), y (N, horizon)): the series checked, cut into windows, float64."""
        cfg = self.config
        s = prep.as_series(series, name, cfg["transform"])
        x, y = sliding_windows(s, cfg["window"], cfg["horizon"], stride)  # (N, 1, window), (N, horizon)
        return s, x[:, 0].astype(np.float64), y.astype(np.float64)

    def _learn(self, s, x, y):
        """Learn the scaling on the first fit (later ones keep it); keep the series' tail."""
        cfg = self.config
        if cfg["scale"] is None:
            cfg["center"], cfg["scale"] = prep.adapt(s, cfg["transform"], cfg["normalize"])
        cfg["history"] = s[-max(cfg["window"], cfg["season"] or 0):].tolist()
        return x, y

    def _scaled(self, x, y):
        """Model inputs (N, 1, window) and targets (N, horizon), float32, scaled."""
        xs, ys = prep.scale_windows(x, self.config, y)
        return _model_input(xs), ys

    def lr_find(self, series, y=None, **kwargs):
        """fastai's LR range test on the windows of `series` (see `Model.lr_find`)."""
        _no_targets("lr_find", y)
        return super().lr_find(*self._scaled(*self._learn(*self._cut(series))), **kwargs)

    def test_on_batch(self, x, y=None, return_dict: bool = False):
        raise PratiqueError("A Forecaster scores forecasts in the series' units: call "
                            "evaluate(test, series=...) instead of test_on_batch(x, y).")

    # -- predict / forecast --------------------------------------------------------------------
    def predict(self, x, batch_size: int = 256, callbacks=None, verbose=0) -> np.ndarray:
        """Raw windows (N, window) or (N, 1, window) -> forecasts (N, horizon), in the series' units."""
        cfg = self._fitted("predict")
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 3 and x.shape[1] == 1:
            x = x[:, 0]
        if x.ndim != 2 or x.shape[1] != cfg["window"]:
            raise PratiqueError(f"predict takes windows of shape (N, {cfg['window']}) or (N, 1, "
                                f"{cfg['window']}). Received shape {x.shape}. For the values after a "
                                "series, call forecast(series=...).")
        prep.as_series(x.ravel(), "x", cfg["transform"])  # finite, > 0 for log
        xs, _ = prep.scale_windows(x, cfg)
        out = super().predict(_model_input(xs), batch_size, callbacks=callbacks, verbose=verbose)
        return prep.unscale(out.reshape(len(x), -1), x, cfg)

    def forecast(self, steps: int | None = None, series=None) -> np.ndarray:
        """The `steps` values (default: `horizon`) after the end of `series` (default: the series
        of the last fit). Beyond `horizon`, forecasts are fed back as inputs (recursive)."""
        cfg = self._fitted("forecast")
        steps = cfg["horizon"] if steps is None else steps
        check_int("steps", steps, 1)
        past = self._history(series)
        out: list[float] = []
        while len(out) < steps:  # each round predicts `horizon` values from the latest window
            window = np.concatenate([past, out])[-cfg["window"]:]
            out.extend(self.predict(window[None])[0].tolist())
        return np.asarray(out[:steps])

    def _history(self, series) -> np.ndarray:
        cfg = self.config
        if series is None:
            return np.asarray(cfg["history"], dtype=np.float64)
        s = prep.as_series(series, "series", cfg["transform"])
        if len(s) < cfg["window"]:
            raise PratiqueError(f"series has {len(s)} values; a forecast needs the last window="
                                f"{cfg['window']} of them. Pass a longer series.")
        return s

    def _fitted(self, action: str) -> dict:
        if self.config["history"] is None:
            raise PratiqueError(f"{action} needs a fitted Forecaster: call fit(series, epochs=...) first, "
                                "or load a saved one with pq.load(path).")
        return self.config

    # -- evaluate ------------------------------------------------------------------------------
    def evaluate(self, test, series=None, verbose: int = 1) -> dict:
        """Forecast `len(test)` values after `series` (default: the last fit's) and score them.

        Returns `{"mae", "rmse", "mape", "naive_mae", ..., "seasonal_naive_mape"}` (MAPE in %,
        Keras' definition), the baselines scored on the same values: naive repeats the last
        value, seasonal-naive the last `season` (when `season` is set). verbose prints a table.
        """
        truth = prep.as_series(test, "test")
        if series is None:
            self._fitted("evaluate")
        past = self._history(series)
        preds = {"forecaster": self.forecast(len(truth), series=past),
                 **prep.baselines(past, len(truth), self.config["season"])}
        logs = {}
        for who, pred in preds.items():
            prefix = "" if who == "forecaster" else f"{who}_"
            logs.update({prefix + k: v for k, v in _scores(truth, pred).items()})
        if verbose:
            print(_table(logs, preds, self.config["season"]))
        return logs

    def plot_forecast(self, test=None, series=None, dates=None, title: str | None = None):
        """A figure: `series` (default: the kept tail), the forecast, `test` (the truth) and the
        baselines (dashed). Save it with `pq.reports.save_figure(fig, "forecast.png")`."""
        from ..reports.forecast import plot_forecast

        if series is None:
            self._fitted("plot_forecast")
        past = self._history(series)
        steps = self.config["horizon"] if test is None else len(test)
        truth = None if test is None else prep.as_series(test, "test")
        return plot_forecast(past, self.forecast(steps, series=past), truth,
                             prep.baselines(past, steps, self.config["season"]), dates, title)


def _model_input(xs: np.ndarray) -> torch.Tensor:
    """Scaled windows (N, 1, window), marked as model inputs: Model takes them as they are (a
    rank-3 array would otherwise be read as images (N, H, W) and get a channel axis)."""
    return mark_model_input(torch.from_numpy(xs))


def _scores(truth: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """MAE, RMSE, MAPE of one forecast, with the very metrics `compile(metrics=[...])` uses."""
    y, p = torch.from_numpy(truth)[None], torch.from_numpy(np.asarray(pred, np.float64))[None]  # (1, steps)
    out = {}
    for name in SCORES:
        m = metrics_mod.get(name)
        m.update(p, y)
        out[name] = float(m.compute())
    return out


def _table(logs: dict, preds: dict, season) -> str:
    rows = [f"{'':<28}{'mae':>10}{'rmse':>10}{'mape %':>10}"]
    for who in preds:
        prefix = "" if who == "forecaster" else f"{who}_"
        label = f"{who} (season={season})" if who == "seasonal_naive" else who
        rows.append(f"{label:<28}" + "".join(f"{logs[prefix + k]:>10.3f}" for k in SCORES))
    return "\n".join(rows)


def _no_targets(action: str, y) -> None:
    if y is not None:
        raise PratiqueError(
            f"Forecaster.{action} takes one series and cuts the (window, horizon) pairs itself. "
            f"Received a second array y={type(y).__name__}. Pass {action}(series, ...), or train "
            "your own windows with pq.Model(module).fit(x, y).")


def _check_choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise PratiqueError(f"{name} must be one of {list(allowed)}. Received: {name}={value!r}")


def build_for_load(path, manifest: dict, state: dict, module: nn.Module | None) -> Forecaster:
    """The Forecaster a `.pratique` file describes: rebuilt by name, or around `module`."""
    from ._weights_fit import check_state_fits

    cfg = manifest["preprocessing"]["forecast"]
    arch = manifest.get("architecture")
    if module is None and arch is None:
        raise PratiqueError(f"{str(path)!r} holds a Forecaster on a custom module, which cannot be "
                            "rebuilt from a file. Pass it: pq.load(path, module=MyNet()).")
    if module is None:
        if arch["name"] not in BUILDERS or set(arch["kwargs"]) != {"window", "horizon", "hidden"}:
            raise PratiqueError(f"{str(path)!r} names a forecaster architecture {arch!r}; expected "
                                f"one of {sorted(BUILDERS)} with window, horizon, hidden.")
        with torch.device("meta"):  # shapes checked before anything is allocated
            check_state_fits(path, BUILDERS[arch["name"]](**arch["kwargs"]), state)
        model = Forecaster(arch["name"], **arch["kwargs"])
    else:
        check_state_fits(path, module, state)
        model = Forecaster(module, window=cfg["window"], horizon=cfg["horizon"])
    return model
