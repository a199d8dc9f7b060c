"""Forecasts on known series: trend and season are extrapolated, intervals cover what they
claim on series with known noise, seasonal naive replaces a worse model, derived indicators
follow the data's formulas, and the target outlook follows the forecast."""

import numpy as np
import pandas as pd
import pytest

from data import aggregate, forecasts
from data.catalog import Target, catalog
from data.periods import Period

SEASON = np.array([1.5, -1.0, 2.0, -2.5])


def seasonal_series(n: int, slope: float, noise: float, rng) -> np.ndarray:
    t = np.arange(n)
    return 20 + slope * t + SEASON[t % 4] + rng.normal(0, noise, n)


def test_a_linear_trend_with_seasonality_is_extrapolated_not_flat():
    rng = np.random.default_rng(7)
    values = seasonal_series(44, 0.5, 0.3, rng)
    mean, bands, skill = forecasts.series_forecast(values)
    assert skill["model"] == forecasts.ETS
    truth = 20 + 0.5 * np.arange(44, 48) + SEASON[np.arange(44, 48) % 4]
    assert np.abs(mean - truth).max() < 1.5
    assert mean.mean() - values[-4:].mean() == pytest.approx(2.0, abs=0.8)  # a year of trend more
    assert np.argmax(mean) == 2 and np.argmin(mean) == 3  # the seasonal peak and trough stay
    assert (bands[95][0] < bands[80][0]).all() and (bands[80][0] < mean).all() and (mean < bands[80][1]).all()


def test_80_percent_intervals_cover_about_80_percent_of_held_out_points():
    rng = np.random.default_rng(11)
    inside = total = 0
    for _ in range(30):
        values = seasonal_series(48, rng.uniform(-0.5, 0.5), 1.0, rng)
        mean, bands, _ = forecasts.ets_forecast(values[:44], 4)
        low, high = bands[80]
        inside += int(((values[44:] >= low) & (values[44:] <= high)).sum())
        total += 4
    assert 0.65 <= inside / total <= 0.95, inside / total


def test_the_backtest_counts_quarters_inside_the_interval_over_the_last_eight():
    rng = np.random.default_rng(3)
    values = seasonal_series(44, 0.2, 1.0, rng)
    _, _, skill = forecasts.series_forecast(values)
    assert skill["tested"] == forecasts.BACKTEST == 8
    assert 0 <= skill["held80"] <= skill["held95"] <= 8
    assert skill["mase"] > 0 and skill["mase_naive"] > 0


def test_seasonal_naive_is_shown_when_the_model_backtests_worse(monkeypatch):
    rng = np.random.default_rng(5)
    values = seasonal_series(44, 0.2, 1.0, rng)
    worse = {"mase": {forecasts.ETS: 2.0, forecasts.NAIVE: 1.0},
             "held": {forecasts.ETS: {80: 8, 95: 8}, forecasts.NAIVE: {80: 6, 95: 7}}}
    monkeypatch.setattr(forecasts, "backtest", lambda v, p: worse)
    mean, _, skill = forecasts.series_forecast(values)
    assert skill["model"] == forecasts.NAIVE and skill["held80"] == 6
    assert mean.tolist() == values[-4:].tolist()  # the same quarter a year earlier


def test_derived_indicators_and_the_index_come_from_the_forecast_components_by_the_same_formulas():
    rows = []
    for indicator_id in catalog().base_ids:
        for quarter in (1, 2):
            rows.append({"indicator_id": indicator_id, "region_code": "SA-01", "year": 2026, "quarter": quarter,
                         "forecast": float(np.mean(catalog()[indicator_id].range)) + quarter, "model": "ets"})
    base = pd.DataFrame(rows).reindex(columns=forecasts.POINT_COLUMNS)
    derived = forecasts.derived_forecasts(base, catalog()).set_index(["indicator_id", "quarter"])["forecast"]
    wide = base.pivot_table(index=aggregate.KEYS, columns="indicator_id", values="forecast")
    for quarter in (1, 2):
        row = wide.xs(("SA-01", 2026, quarter))
        assert derived[("co2_per_gdp", quarter)] == pytest.approx(row["co2_total"] * 1_000_000 / row["gdp_total"])
        assert derived[("co2_per_capita", quarter)] == pytest.approx(4 * row["co2_total"] / row["population"])
        expected_index = sum(w * float(aggregate.normalise(row[c], catalog()[c]))
                             for c, w in catalog().index_weights.items())
        assert derived[("sustainability_index", quarter)] == pytest.approx(expected_index)
    assert forecasts.derived_forecasts(base, catalog())[["lo80", "hi95"]].isna().all().all()  # no interval claimed


def outlook(history_values, ahead_values, target: Target, direction="higher"):
    indicator = catalog()["renewable_share"]
    indicator = type(indicator)(**{**indicator.__dict__, "target": target, "direction": direction})
    history = pd.Series(history_values, index=range(8096, 8096 + len(history_values)))
    last = Period.from_ordinal(history.index[-1])
    ahead = pd.DataFrame({"year": [last.shift(h + 1).year for h in range(4)], "forecast": ahead_values})
    return forecasts.target_outlook(history, ahead, indicator)


def test_target_outlook_follows_the_forecasts_pace():
    # 2024 mean 10, forecast 2025 mean 12: 2 a year; 20 is reached four more years on, in 2029
    assert outlook([10] * 4, [12] * 4, Target(20, 2030)) == (forecasts.REACHED, 2029)
    assert outlook([10] * 4, [12] * 4, Target(20, 2028)) == (forecasts.NOT_BY, 2028)
    assert outlook([10] * 4, [9] * 4, Target(20, 2030)) == (forecasts.NOT_BY, 2030)  # heading away
    assert outlook([10] * 4, [21] * 4, Target(20, 2030)) == (forecasts.REACHED, 2025)
    assert outlook([10] * 4, [8] * 4, Target(7, 2030), "lower") == (forecasts.REACHED, 2026)
    assert outlook([4] * 4, [3.2] * 4, Target(3, every_year=True)) == (forecasts.HELD, 2025)
    assert outlook([4] * 4, [2.5] * 4, Target(3, every_year=True)) == (forecasts.MISSED, 2025)
