"""Forecasts of every stored indicator for every region and the nation, with 80% and 95%
prediction intervals and a track record.

Method (docs/DATA.md, "Forecasts"): statsmodels' ETSModel with additive errors, a damped
additive trend and additive quarterly seasonality, fitted by maximum likelihood; intervals
are its analytic prediction intervals. A rolling-origin backtest refits the model at each
of the last BACKTEST quarters on the data before it and forecasts that quarter: how many of
them fell inside the 80% and 95% intervals, and the MASE (mean absolute error scaled by the
in-sample mean absolute seasonal difference). A seasonal naive forecast (the same quarter of
the previous year) is backtested alike; when the model's MASE is worse, the seasonal naive
forecast is the one shown and it is labelled so.

Derived indicators and the index are computed from the forecast components by the same
formulas as the data (data/aggregate.py), as point forecasts without intervals.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from data import aggregate
from data.catalog import Catalog
from data.periods import Period

HORIZON = 4  # quarters ahead
BACKTEST = 8  # quarters held out, one at a time
SEASON = 4
MIN_QUARTERS = 20  # fewer quarters (after the last gap) are not forecast
Z = {80: 1.2815515655446004, 95: 1.959963984540054}
ETS, NAIVE, FORMULA = "ets", "seasonal_naive", "formula"
POINT_COLUMNS = ["indicator_id", "region_code", "year", "quarter", "forecast", "lo80", "hi80", "lo95", "hi95",
                 "model"]
SKILL_COLUMNS = ["indicator_id", "region_code", "model", "held80", "held95", "tested", "mase", "mase_naive"]


def _ets(history: np.ndarray, start_params=None):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(pd.Series(history), error="add", trend="add", damped_trend=True, seasonal="add",
                     seasonal_periods=SEASON)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(disp=False, start_params=start_params, maxiter=200 if start_params is None else 60)


def ets_forecast(history: np.ndarray, steps: int, start_params=None) -> tuple[np.ndarray, dict, object]:
    """Mean and {level: (low, high)} for `steps` quarters after `history`, and the fitted params."""
    fitted = _ets(history, start_params)
    start = len(history)
    bands = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prediction = fitted.get_prediction(start=start, end=start + steps - 1)
        for level in Z:
            frame = prediction.summary_frame(alpha=1 - level / 100)
            bands[level] = (frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy())
        mean = prediction.predicted_mean.to_numpy()
    return mean, bands, fitted.params


def naive_forecast(history: np.ndarray, steps: int) -> tuple[np.ndarray, dict]:
    """Seasonal naive: the same quarter a year earlier; intervals from the spread of the
    seasonal differences, widening with each further year ahead."""
    mean = np.array([history[len(history) - SEASON + (h % SEASON)] for h in range(steps)])
    sigma = float(np.std(history[SEASON:] - history[:-SEASON], ddof=1))
    spread = sigma * np.sqrt(np.arange(steps) // SEASON + 1)
    return mean, {level: (mean - z * spread, mean + z * spread) for level, z in Z.items()}


def backtest(values: np.ndarray, params) -> dict:
    """One-quarter-ahead forecasts of each of the last BACKTEST quarters from the data before
    it, for the model and for seasonal naive: held counts and MASE of each."""
    scale = mase_scale(values)
    errors = {ETS: [], NAIVE: []}
    held = {ETS: {80: 0, 95: 0}, NAIVE: {80: 0, 95: 0}}
    for origin in range(len(values) - BACKTEST, len(values)):
        history, actual = values[:origin], values[origin]
        for name, (mean, bands) in ((ETS, ets_forecast(history, 1, params)[:2]), (NAIVE, naive_forecast(history, 1))):
            errors[name].append(abs(actual - mean[0]))
            for level, (low, high) in bands.items():
                held[name][level] += int(low[0] <= actual <= high[0])
    mase = {name: float(np.mean(e)) / scale if scale > 0 else math.inf for name, e in errors.items()}
    return {"mase": mase, "held": held}


def mase_scale(values: np.ndarray) -> float:
    """The in-sample mean absolute seasonal difference before the held-out quarters."""
    return float(np.mean(np.abs(values[SEASON:-BACKTEST] - values[:-BACKTEST - SEASON])))


def usable(series: pd.Series) -> np.ndarray | None:
    """The values after the last gap, when there are enough of them to forecast and backtest."""
    series = series.sort_index()
    gaps = series.index[series.isna()]
    if len(gaps):
        series = series[series.index > gaps.max()]
    values = series.to_numpy(dtype=float)
    return values if len(values) >= MIN_QUARTERS else None


def series_forecast(values: np.ndarray) -> tuple[np.ndarray, dict, dict]:
    """The forecast shown for one series (the model, or seasonal naive when the model's
    backtest is worse), its intervals and its track record."""
    try:
        mean, bands, params = ets_forecast(values, HORIZON)
        record = backtest(values, params)
    except (ValueError, np.linalg.LinAlgError):  # a series the model cannot fit (e.g. constant)
        mean, bands, record = None, None, None
    if record is None or not np.isfinite(mean).all() or record["mase"][ETS] > record["mase"][NAIVE]:
        if record is None:
            record = _naive_record(values)
        mean, bands = naive_forecast(values, HORIZON)
        chosen = NAIVE
    else:
        chosen = ETS
    skill = {"model": chosen, "held80": record["held"][chosen][80], "held95": record["held"][chosen][95],
             "tested": BACKTEST, "mase": record["mase"][chosen], "mase_naive": record["mase"][NAIVE]}
    return mean, bands, skill


def _naive_record(values: np.ndarray) -> dict:
    held, errors = {80: 0, 95: 0}, []
    for origin in range(len(values) - BACKTEST, len(values)):
        mean, bands = naive_forecast(values[:origin], 1)
        errors.append(abs(values[origin] - mean[0]))
        for level, (low, high) in bands.items():
            held[level] += int(low[0] <= values[origin] <= high[0])
    scale = mase_scale(values)
    mase = float(np.mean(errors)) / scale if scale > 0 else math.inf
    return {"mase": {ETS: math.inf, NAIVE: mase}, "held": {NAIVE: held}}


def panel_forecasts(panel: pd.DataFrame, catalog: Catalog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast rows (POINT_COLUMNS) and track records (SKILL_COLUMNS) of every stored
    indicator for every region and the nation in a wide panel, plus the derived indicators
    and the index computed from them."""
    points, skills = [], []
    last = Period.from_ordinal(int(panel["ordinal"].max()))
    ahead = [last.shift(h + 1) for h in range(HORIZON)]
    for code, rows in panel.groupby("region_code"):
        rows = rows.set_index("ordinal")
        for indicator_id in (i for i in catalog.base_ids if i in rows):
            values = usable(rows[indicator_id].reindex(range(int(rows.index.min()), last.ordinal + 1)))
            if values is None:
                continue
            mean, bands, skill = series_forecast(values)
            skills.append({"indicator_id": indicator_id, "region_code": code, **skill})
            for h, period in enumerate(ahead):
                points.append({"indicator_id": indicator_id, "region_code": code, "year": period.year,
                               "quarter": period.quarter, "forecast": mean[h], "lo80": bands[80][0][h],
                               "hi80": bands[80][1][h], "lo95": bands[95][0][h], "hi95": bands[95][1][h],
                               "model": skill["model"]})
    base = pd.DataFrame(points, columns=POINT_COLUMNS)
    return pd.concat([base, derived_forecasts(base, catalog)], ignore_index=True), pd.DataFrame(skills,
                                                                                               columns=SKILL_COLUMNS)


def derived_forecasts(base: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Derived indicators and the index from the forecast components, by the data's formulas
    (point forecasts: no interval is claimed for them)."""
    if base.empty:
        return pd.DataFrame(columns=POINT_COLUMNS)
    wide = base.pivot_table(index=aggregate.KEYS, columns="indicator_id", values="forecast").reset_index()
    wide = wide.reindex(columns=[*aggregate.KEYS, *catalog.base_ids])
    wide = aggregate.add_derived(wide, catalog)
    derived = [i.id for i in catalog.indicators if i.is_derived]
    long = wide.melt(id_vars=aggregate.KEYS, value_vars=derived, var_name="indicator_id", value_name="forecast")
    long = long.dropna(subset=["forecast"]).assign(model=FORMULA)
    return long.reindex(columns=POINT_COLUMNS)


# --- target outlook -----------------------------------------------------------------------

REACHED, NOT_BY, HELD, MISSED, UNKNOWN = "reached", "not_by", "held", "missed", "unknown"


def target_outlook(history: pd.Series, ahead: pd.DataFrame, indicator) -> tuple[str, int | None]:
    """Where the forecast leads an indicator with a target: (REACHED, year), (NOT_BY, target
    year), or for a target to hold every year (HELD or MISSED, the forecast's year).

    At this pace: the annual mean of the four forecast quarters against the mean of the last
    four quarters gives the change a year; the target is reached in the first year whose
    annual mean, continuing that change, meets it."""
    target = indicator.target
    if target is None or len(ahead) < HORIZON or history.dropna().size < SEASON:
        return UNKNOWN, None
    sign = 1 if indicator.direction == "higher" else -1
    current = float(history.dropna().sort_index().iloc[-SEASON:].mean())
    future = float(ahead["forecast"].iloc[:HORIZON].mean())
    year = int(ahead["year"].iloc[HORIZON - 1])
    meets = sign * (future - target.value) >= 0
    if target.every_year:
        return (HELD if meets else MISSED), year
    if meets:
        return REACHED, year
    pace = future - current
    if sign * pace <= 0:
        return NOT_BY, target.year
    reached = year + math.ceil((target.value - future) / pace)
    return (REACHED, reached) if reached <= target.year else (NOT_BY, target.year)
