"""Values that stand out: per region and stored indicator, the residual of a robust seasonal
decomposition (statsmodels' STL, period 4), scored in robust standard deviations (the
residual over 1.4826 x its median absolute deviation): a value stands out when
|score| >= THRESHOLD. A level shift, which the decomposition's trend absorbs, is found where
the year-on-year differences (same quarter a year earlier) jump for four quarters in a row:
each scored alike against the series' typical year-on-year change, all of one sign and at
least SHIFT_THRESHOLD / 2, with a mean |score| >= SHIFT_THRESHOLD; its first quarter stands
out, and the decomposition's residuals within a year of it are explained by the shift. Seasonality and trend are part
of the decomposition and of the typical change, so they are never flagged (docs/DATA.md,
"Values that stand out").
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from data.catalog import Catalog
from data.periods import Period
from data.regions import NATIONAL_CODE

SEASON = 4
THRESHOLD = 5.0  # robust standard deviations
SHIFT_THRESHOLD = 4.0  # robust standard deviations of the year-on-year change, four quarters running
SEASONAL_SPAN, TREND_SPAN = 13, 9  # STL's smoothing spans (quarters): a stable season, a supple trend
PASSES = 6  # decompositions, each without the values that stood out in the ones before
MAD_TO_SD = 1.4826  # a normal distribution's standard deviation per median absolute deviation
MIN_QUARTERS = 12  # three years: fewer are not scored
COLUMNS = ["indicator_id", "region_code", "year", "quarter", "value", "expected", "score"]


def scores(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The expected values (trend plus season) and the robust score of each value. The value
    that stands out most in each quarter of the year is replaced by its expected value and
    the series decomposed again (PASSES times in all), so that a large spike does not leak
    into the same quarter of other years through the seasonal component."""
    expected = _trend_and_season(values)
    z = robust_z(values - expected)
    outlying = np.zeros(len(values), dtype=bool)
    for _ in range(PASSES - 1):  # each pass also refines the values put in place of those before
        outlying |= _largest_per_quarter(z) & (np.abs(z) >= THRESHOLD)
        if not outlying.any():
            break
        expected = _trend_and_season(np.where(outlying, expected, values))
        residual = values - expected
        z = residual / _spread(residual[~outlying])
    return expected, z


def _largest_per_quarter(z: np.ndarray) -> np.ndarray:
    """Where |z| is the largest of its quarter of the year: a spike's echoes in the other
    years' same quarter are smaller than the spike, and wait for the next pass."""
    largest = np.zeros(len(z), dtype=bool)
    for quarter in range(SEASON):
        positions = np.arange(quarter, len(z), SEASON)
        largest[positions[np.argmax(np.abs(z[positions]))]] = True
    return largest


def _trend_and_season(values: np.ndarray) -> np.ndarray:
    from statsmodels.tsa.seasonal import STL

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = STL(values, period=SEASON, seasonal=SEASONAL_SPAN, trend=TREND_SPAN, robust=False).fit()
    return values - np.asarray(fit.resid)


def robust_z(values: np.ndarray) -> np.ndarray:
    """Distance from the median in robust standard deviations (1.4826 x MAD)."""
    return (values - np.median(values)) / _spread(values)


def _spread(values: np.ndarray) -> float:
    mad = float(np.median(np.abs(values - np.median(values))))
    return MAD_TO_SD * mad if mad > 0 else float(np.std(values)) or 1.0


def shift_starts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions where a level shift starts, the value expected there (a year earlier plus
    the typical year-on-year change) and the mean score of its four year-on-year changes."""
    change = values[SEASON:] - values[:-SEASON]
    z = robust_z(change)
    windows = np.lib.stride_tricks.sliding_window_view(z, SEASON)
    mean = windows.mean(axis=1)
    # every change of the window on the same side, by at least half the threshold: one spike
    # (a single large change) is not a shift
    one_sign = (np.sign(windows) * np.sign(mean)[:, None] * np.abs(windows) >= SHIFT_THRESHOLD / 2).all(axis=1)
    starts: list[int] = []
    for i in np.argsort(-np.abs(mean)):  # strongest first; overlapping windows are the same shift
        if abs(mean[i]) < SHIFT_THRESHOLD:
            break
        if one_sign[i] and all(abs(i - j) >= SEASON for j in starts):
            starts.append(int(i))
    at = np.array(sorted(starts), dtype=int)
    return at + SEASON, values[at] + np.median(change), mean[at]


def series_anomalies(series: pd.Series, relative: bool = False) -> pd.DataFrame:
    """The values of one series (indexed by period ordinal) that stand out: ordinal, value,
    expected, score. `relative`: scored on the logarithm (amounts that grow by a rate and
    vary in proportion to their size), when every value is positive."""
    series = series.dropna().sort_index()
    if len(series) < MIN_QUARTERS:
        return pd.DataFrame(columns=["ordinal", "value", "expected", "score"])
    values = series.to_numpy(dtype=float)
    logged = relative and bool((values > 0).all())
    scale, back = (np.log, np.exp) if logged else (np.asarray, np.asarray)
    expected, score = scores(scale(values))
    frame = pd.DataFrame({"ordinal": series.index, "value": values, "expected": back(expected), "score": score})
    spikes = frame[frame["score"].abs() >= THRESHOLD]
    at, shift_expected, shift_score = shift_starts(scale(values))
    shifts = pd.DataFrame({"ordinal": series.index[at], "value": values[at], "expected": back(shift_expected),
                           "score": shift_score})
    near_shift = np.zeros(len(spikes), dtype=bool)
    for start in shifts["ordinal"]:  # a shift explains the decomposition's residuals around it
        near_shift |= spikes["ordinal"].between(start - SEASON, start + SEASON - 1).to_numpy()
    return pd.concat([spikes[~near_shift], shifts], ignore_index=True) if len(shifts) else spikes


def panel_anomalies(panel: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Every stored regional value that stands out (COLUMNS). The nation's figures and the
    derived indicators are computed from these values, so they are not scored again."""
    found = []
    regional = panel[panel["region_code"] != NATIONAL_CODE]
    for code, rows in regional.groupby("region_code"):
        rows = rows.set_index("ordinal")
        for indicator_id in catalog.base_ids:
            flagged = series_anomalies(rows[indicator_id], catalog[indicator_id].aggregation == "sum")
            if not flagged.empty:
                found.append(flagged.assign(indicator_id=indicator_id, region_code=code))
    if not found:
        return pd.DataFrame(columns=COLUMNS)
    result = pd.concat(found, ignore_index=True)
    periods = [Period.from_ordinal(int(o)) for o in result["ordinal"]]
    result["year"] = [p.year for p in periods]
    result["quarter"] = [p.quarter for p in periods]
    return result[COLUMNS].sort_values(["indicator_id", "region_code", "year", "quarter"], ignore_index=True)
