"""Airline passengers: the 12-month forecast of 1960 against the naive and seasonal-naive baselines.

Trains the default recipe, `pq.Forecaster(window=24, horizon=12, season=12).fit(train,
epochs=200)`, once per seed (and with `transform="log"`), on 1949-1959, and scores the 12
forecasts of 1960 (MAE, RMSE, MAPE in %) beside the two baselines scored on the same months.
`--plot PATH` draws the first seed's forecast (docs/img/forecast_airline.png).

    python bench/forecast_airline.py --seeds 0 1 2 --plot docs/img/forecast_airline.png
"""
from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch

import pratique as pq

RECIPE = {"window": 24, "horizon": 12, "season": 12}
EPOCHS = 200


def run(seed: int, transform):
    (train, _), (test, _) = pq.datasets.load_data("airline")
    model = pq.Forecaster(**RECIPE, transform=transform, seed=seed, accelerator="cpu")
    t0 = time.perf_counter()
    model.fit(train, epochs=EPOCHS, verbose=0, seed=seed)
    took = time.perf_counter() - t0
    return model, model.evaluate(test, verbose=0), took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (tiny model: 1 is fastest)")
    parser.add_argument("--plot", default=None, help="write the first seed's forecast here (PNG)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"machine: {platform.machine()} | {torch.get_num_threads()} torch thread(s) of "
          f"{__import__('os').cpu_count()} cpus | torch {torch.__version__} | python {platform.python_version()}")
    print(f"{'':<26}{'mae':>9}{'rmse':>9}{'mape %':>9}{'fit s':>8}")
    baselines = None
    for transform in (None, "log"):
        rows = []
        for seed in args.seeds:
            model, logs, took = run(seed, transform)
            rows.append(logs)
            print(f"{f'ours transform={transform} s{seed}':<26}{logs['mae']:>9.2f}{logs['rmse']:>9.2f}"
                  f"{logs['mape']:>9.2f}{took:>8.1f}")
            if args.plot and transform is None and seed == args.seeds[0]:
                plot(model, args.plot)
        print(f"{f'  median over {len(rows)} seeds':<26}" + "".join(
            f"{np.median([r[k] for r in rows]):>9.2f}" for k in ("mae", "rmse", "mape")))
        baselines = rows[0]
    for name in ("naive", "seasonal_naive"):
        print(f"{name:<26}" + "".join(f"{baselines[f'{name}_{k}']:>9.2f}" for k in ("mae", "rmse", "mape")))


def plot(model, path: str) -> None:
    (train, months), (test, test_months) = pq.datasets.load_data("airline")
    fig = model.plot_forecast(test, series=train, dates=np.concatenate([months, test_months]),
                              title="Airline passengers: forecast of 1960 from 1949-1959 (pq.Forecaster)")
    pq.reports.save_figure(fig, path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
