"""Holt's linear trend and its back-test (`rma_tui.reads.forecast`) on series whose answers are
worked out by hand below (no database, no clock)."""

from __future__ import annotations

import pytest

from rma_tui.reads.forecast import (
    GRID,
    BacktestError,
    backtest_holt,
    backtest_naive,
    forecast_next,
    holt,
)


@pytest.mark.parametrize("alpha", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("beta", [0.1, 0.3, 0.9])
def test_straight_line_is_forecast_exactly(alpha: float, beta: float) -> None:
    # level_0 = 2, trend_0 = 4 - 2 = 2; on a line every step gives
    # level = a*y + (1-a)*(prev + 2) = y (as y = prev + 2), trend = b*2 + (1-b)*2 = 2,
    # so after 10: 10 + 2 = 12, whatever a and b.
    assert holt([2, 4, 6, 8, 10], alpha, beta) == pytest.approx(12.0)
    # Back-test forecasts 6, 8, 10 from [2,4], [2,4,6], [2,4,6,8]: all exact.
    err = backtest_holt([2, 4, 6, 8, 10], alpha, beta)
    assert err.mae == pytest.approx(0.0) and err.mape == pytest.approx(0.0)
    assert err.points == 3


def test_constant_series_forecasts_itself() -> None:
    # level_0 = 5, trend_0 = 0; level stays 5 and trend 0 for any a, b.
    assert holt([5, 5, 5, 5], 0.3, 0.7) == pytest.approx(5.0)
    f = forecast_next([5, 5, 5, 5])
    assert f is not None
    assert f.next_value == pytest.approx(5.0)
    assert f.error.mae == pytest.approx(0.0)
    # Naive: "next = last" is exact too, so Holt does not *beat* it (0 < 0 is false).
    assert f.naive_error.mae == pytest.approx(0.0)
    assert f.beats_naive is False


def test_holt_step_by_hand() -> None:
    # series 1, 3, 4 with a = b = 0.5; start level 1, trend 3 - 1 = 2.
    # y=3: level = .5*3 + .5*(1 + 2)   = 1.5 + 1.5  = 3
    #      trend = .5*(3 - 1) + .5*2    = 1 + 1      = 2
    # y=4: level = .5*4 + .5*(3 + 2)   = 2 + 2.5    = 4.5
    #      trend = .5*(4.5 - 3) + .5*2  = .75 + 1    = 1.75
    # forecast = 4.5 + 1.75 = 6.25
    assert holt([1, 3, 4], 0.5, 0.5) == pytest.approx(6.25)
    # one more, y=8: level = .5*8 + .5*(4.5 + 1.75) = 4 + 3.125 = 7.125
    #                trend = .5*(7.125 - 4.5) + .5*1.75 = 1.3125 + .875 = 2.1875
    # forecast = 7.125 + 2.1875 = 9.3125
    assert holt([1, 3, 4, 8], 0.5, 0.5) == pytest.approx(9.3125)
    # Two values: level 1, trend 2; y=3: level 3, trend 2 -> 5 (a line through both).
    assert holt([1, 3], 0.5, 0.5) == pytest.approx(5.0)


def test_holt_needs_two_values() -> None:
    with pytest.raises(ValueError):
        holt([7], 0.5, 0.5)
    with pytest.raises(ValueError):
        holt([], 0.5, 0.5)


def test_backtest_holt_by_hand() -> None:
    # Rolling origin over [1, 3, 4, 8], a = b = .5:
    #   forecast of t=2 from [1, 3]    = 5     actual 4  |err| 1
    #   forecast of t=3 from [1, 3, 4] = 6.25  actual 8  |err| 1.75
    # MAE  = (1 + 1.75) / 2 = 1.375
    # MAPE = (1/4 + 1.75/8) / 2 = (.25 + .21875) / 2 = .234375
    err = backtest_holt([1, 3, 4, 8], 0.5, 0.5)
    assert err.points == 2
    assert err.mae == pytest.approx(1.375)
    assert err.mape == pytest.approx(0.234375)


def test_backtest_naive_by_hand() -> None:
    # [1, 3, 4, 8]: forecasts of t=2, 3 are the values before: 3, 4; actual 4, 8.
    # |errors| 1, 4 -> MAE 2.5; MAPE (1/4 + 4/8) / 2 = .375
    assert backtest_naive([1, 3, 4, 8]) == BacktestError(2.5, pytest.approx(0.375), 2)
    # [2, 4, 6, 8, 10]: forecasts 4, 6, 8 for 6, 8, 10: errors 2, 2, 2 -> MAE 2;
    # MAPE (2/6 + 2/8 + 2/10) / 3 = (1/3 + 1/4 + 1/5) / 3 = (47/60) / 3 = 47/180
    err = backtest_naive([2, 4, 6, 8, 10])
    assert (err.mae, err.points) == (pytest.approx(2.0), 3)
    assert err.mape == pytest.approx(47 / 180)


def test_mape_skips_zero_actuals() -> None:
    # [2, 0, 0, 3] naive: forecasts 0, 0 for actual 0, 3 -> errors 0, 3 -> MAE 1.5;
    # the zero actual has no percentage, so MAPE is over the 3 alone: 3/3 = 1.0
    err = backtest_naive([2, 0, 0, 3])
    assert (err.mae, err.mape, err.points) == (pytest.approx(1.5), pytest.approx(1.0), 2)
    # every actual zero: no MAPE at all, and MAE 0
    err = backtest_naive([0, 0, 0, 0])
    assert (err.mae, err.mape, err.points) == (0.0, None, 2)


def test_forecast_next_on_a_line() -> None:
    f = forecast_next([2, 4, 6, 8, 10])
    assert f is not None
    assert f.method == "holt"
    assert f.next_value == pytest.approx(12.0)
    assert f.error.mae == pytest.approx(0.0) and f.error.points == 3
    # Every (a, b) ties at MAE 0: the first of the grid is kept.
    assert (f.alpha, f.beta) == (GRID[0], GRID[0])
    # naive MAE 2 (see test_backtest_naive_by_hand): Holt beats it.
    assert f.naive_error.mae == pytest.approx(2.0)
    assert f.beats_naive is True


def test_forecast_next_picks_lowest_mae_on_grid() -> None:
    series = [1, 3, 4, 8]
    f = forecast_next(series)
    assert f is not None
    # The chosen pair's error is the smallest on the grid (checked over all 81 pairs),
    # and at least as good as the hand-worked a = b = .5 (MAE 1.375).
    maes = {(a, b): backtest_holt(series, a, b).mae for a in GRID for b in GRID}
    assert f.error.mae == pytest.approx(min(maes.values()))
    assert f.error.mae <= 1.375 + 1e-9
    assert f.error == backtest_holt(series, f.alpha, f.beta)
    assert f.next_value == pytest.approx(holt(series, f.alpha, f.beta))
    # naive as in test_backtest_naive_by_hand
    assert f.naive_error.mae == pytest.approx(2.5)
    assert f.beats_naive is (f.error.mae < 2.5)


def test_forecast_needs_three_points() -> None:
    assert forecast_next([]) is None
    assert forecast_next([4]) is None
    assert forecast_next([4, 6]) is None
    assert forecast_next([4, 6, 8]) is not None


def test_forecast_is_never_negative() -> None:
    # A falling line 10, 5, 0: Holt says 0 + (-5) = -5 for any a, b; counts stop at 0.
    assert holt([10, 5, 0], 0.5, 0.5) == pytest.approx(-5.0)
    f = forecast_next([10, 5, 0])
    assert f is not None
    assert f.next_value == 0.0
    # back-test: forecast of t=2 from [10, 5] = 0, actual 0 -> MAE 0; MAPE none (actual 0)
    assert f.error.mae == pytest.approx(0.0) and f.error.mape is None
