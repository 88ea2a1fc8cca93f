"""Next-period forecasts for the returns trend, with their back-tested error.

The method is stated so an owner can judge it: **Holt's linear trend** (double exponential
smoothing). A level and a trend are carried along the series:

    level_t = a * y_t + (1 - a) * (level_{t-1} + trend_{t-1})
    trend_t = b * (level_t - level_{t-1}) + (1 - b) * trend_{t-1}
    forecast_{t+1} = level_t + trend_t

started from level = y_0 and trend = y_1 - y_0. The smoothing constants a (alpha) and
b (beta) are picked from a small grid by the lowest one-step-ahead back-test error over the
history, so the method needs no tuning by hand. A straight line is forecast exactly by every
choice; a flat series forecasts itself.

The back-test is a rolling origin: for every period t from the third on, forecast t from the
periods before it only, and compare with what happened. It reports the mean absolute error
(MAE, in the series' own unit) and the mean absolute percentage error (MAPE, over periods
that were not zero), and the same for the naive forecast (next = last) as a yardstick: a
method that cannot beat "same as last period" is not worth showing without saying so.

Pure functions over plain lists: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

GRID = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# Fewer periods than this and there is nothing to learn a trend from.
MIN_PERIODS = 3


@dataclass(frozen=True)
class BacktestError:
    """One-step-ahead errors over the history."""

    mae: float
    mape: float | None  # None when every actual was zero
    points: int


@dataclass(frozen=True)
class Forecast:
    """The next period's forecast and how well the method did on the history."""

    method: str
    alpha: float
    beta: float
    next_value: float
    error: BacktestError
    naive_error: BacktestError

    @property
    def beats_naive(self) -> bool:
        """True when Holt's back-test error is below the naive forecast's."""
        return self.error.mae < self.naive_error.mae


def holt(series: Sequence[float], alpha: float, beta: float) -> float:
    """Holt's one-step-ahead forecast after the whole series (needs at least 2 values)."""
    if len(series) < 2:
        raise ValueError("Holt's method needs at least two values")
    level, trend = float(series[0]), float(series[1]) - float(series[0])
    for y in series[1:]:
        previous = level
        level = alpha * y + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
    return level + trend


def _errors(actual: Sequence[float], predicted: Sequence[float]) -> BacktestError:
    diffs = [abs(a - p) for a, p in zip(actual, predicted, strict=True)]
    pct = [abs(a - p) / abs(a) for a, p in zip(actual, predicted, strict=True) if a]
    return BacktestError(
        mae=sum(diffs) / len(diffs) if diffs else 0.0,
        mape=sum(pct) / len(pct) if pct else None,
        points=len(diffs),
    )


def backtest_holt(series: Sequence[float], alpha: float, beta: float) -> BacktestError:
    """Rolling-origin one-step-ahead error of Holt's method (forecasting periods 2..n-1)."""
    actual = list(series[2:])
    predicted = [holt(series[:t], alpha, beta) for t in range(2, len(series))]
    return _errors(actual, predicted)


def backtest_naive(series: Sequence[float]) -> BacktestError:
    """The same back-test for "next period = this period", over the same periods."""
    return _errors(list(series[2:]), list(series[1:-1]))


def forecast_next(series: Sequence[float]) -> Forecast | None:
    """Holt's forecast of the next period with the best (alpha, beta) on the grid, or None
    when the series is shorter than `MIN_PERIODS`."""
    if len(series) < MIN_PERIODS:
        return None
    best: tuple[float, float, float, BacktestError] | None = None
    for a in GRID:
        for b in GRID:
            err = backtest_holt(series, a, b)
            if best is None or err.mae < best[3].mae - 1e-12:
                best = (a, b, err.mae, err)
    assert best is not None
    alpha, beta, _, err = best
    # Counts cannot go below zero, whatever the trend says.
    value = max(holt(series, alpha, beta), 0.0)
    return Forecast("holt", alpha, beta, value, err, backtest_naive(series))
