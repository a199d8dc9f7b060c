"""The hub's formulas, each defined once: national aggregates, derived indicators,
traffic-light status, the sustainability index and progress toward targets.

All functions are pure: they take DataFrames in the "wide" shape (one row per region and
quarter, one column per indicator, plus region_code, year and quarter) and return new ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.catalog import INDEX_ID, INDEX_MIN_WEIGHT, Catalog, Indicator
from data.periods import Period
from data.regions import NATIONAL_CODE

KEYS = ["region_code", "year", "quarter"]
WEIGHT_COLUMN = {"gdp_weighted": "gdp_total", "population_weighted": "population"}
GREEN, AMBER, RED = "green", "amber", "red"

# Derived indicators: one formula each, applied at whatever level the row is (region or nation).
DERIVED = {
    "co2_per_gdp": lambda w: w["co2_total"] * 1_000_000 / w["gdp_total"],
    "co2_per_capita": lambda w: 4 * w["co2_total"] / w["population"],
}


def to_wide(observations: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Long observations (indicator_id, region_code, year, quarter, value) to the wide shape."""
    # (tenant, indicator, region, year, quarter) is unique in the database, so no duplicates
    wide = observations.set_index([*KEYS, "indicator_id"])["value"].unstack("indicator_id")
    wide = wide.reindex(columns=catalog.base_ids)
    wide.columns.name = None
    return wide.reset_index()


def national(regional: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """National rows from regional rows, by each indicator's aggregation rule.

    Weighted means use only the regions that report both the value and its weight.
    Derived indicators and the index are not aggregated here: `complete` recomputes them
    from the national figures.
    """
    by_rule: dict[str, list[str]] = {}
    for indicator in catalog.indicators:
        if not indicator.is_derived and indicator.id in regional:
            by_rule.setdefault(indicator.aggregation, []).append(indicator.id)
    keys = [regional["year"], regional["quarter"]]
    parts = []
    if "sum" in by_rule:
        parts.append(regional[by_rule["sum"]].groupby(keys).sum(min_count=1))
    if "mean" in by_rule:
        parts.append(regional[by_rule["mean"]].groupby(keys).mean())
    for rule, weight_column in WEIGHT_COLUMN.items():
        if rule in by_rule:
            parts.append(_weighted_means(regional[by_rule[rule]], regional[weight_column], keys))
    result = pd.concat(parts, axis=1)
    result.index.names = ["year", "quarter"]
    result = result.reset_index()
    result.insert(0, "region_code", NATIONAL_CODE)
    return result


def _weighted_means(values: pd.DataFrame, weight: pd.Series, keys) -> pd.DataFrame:
    """Per group, sum(value x weight) / sum(weight) over the rows where both are present."""
    usable = values.notna() & weight.notna().to_numpy()[:, None]
    weights = pd.DataFrame(np.where(usable, weight.to_numpy()[:, None], np.nan), index=values.index,
                           columns=values.columns)
    weighted = (values * weights).groupby(keys).sum(min_count=1)
    return weighted / weights.groupby(keys).sum(min_count=1)


def add_derived(wide: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Add the derived indicators and the sustainability index to every row."""
    wide = wide.copy()
    for indicator_id, formula in DERIVED.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            wide[indicator_id] = formula(wide).replace([np.inf, -np.inf], np.nan)
    wide[INDEX_ID] = sustainability_index(wide, catalog)
    return wide


def complete(regional: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Regional rows plus national rows, each with derived indicators and the index."""
    both = pd.concat([regional, national(regional, catalog)], ignore_index=True)
    return add_derived(both, catalog).sort_values(KEYS, ignore_index=True)


# --- normalisation and the sustainability index -------------------------------------------

def normalise(values, indicator: Indicator):
    """Scale to 0-100 on the catalog's reference range, clipped; inverted when lower is better."""
    low, high = indicator.range
    score = np.clip((np.asarray(values, dtype=float) - low) / (high - low), 0.0, 1.0) * 100
    return 100 - score if indicator.direction == "lower" else score


def sustainability_index(wide: pd.DataFrame, catalog: Catalog) -> pd.Series:
    """Weighted mean of the normalised components present, renormalised over their weights;
    NaN ("insufficient data") when the components present carry less than 70% of the weight."""
    weights = catalog.index_weights
    scores = pd.DataFrame(
        {cid: normalise(wide[cid], catalog[cid]) for cid in weights}, index=wide.index
    )
    weight_row = pd.Series(weights)
    present = scores.notna().mul(weight_row, axis=1).sum(axis=1)
    weighted = scores.mul(weight_row, axis=1).sum(axis=1, min_count=1)
    index = weighted / present
    return index.where(present >= INDEX_MIN_WEIGHT - 1e-12)


@dataclass(frozen=True)
class IndexBreakdown:
    value: float | None  # None: insufficient data
    weight_present: float
    components: pd.DataFrame  # component, value, score, weight, effective_weight, contribution


def index_breakdown(row: pd.Series, catalog: Catalog) -> IndexBreakdown:
    """The index of one row with each component's part; contributions add up to the index."""
    weights = catalog.index_weights
    values = pd.DataFrame([{cid: row.get(cid) for cid in weights}], dtype=float)
    index = sustainability_index(values, catalog).iloc[0]
    parts = pd.DataFrame({
        "component": list(weights),
        "value": values.iloc[0].to_numpy(),
        "score": [float(normalise(values.iloc[0][cid], catalog[cid])) for cid in weights],
        "weight": list(weights.values()),
    })
    present = parts["weight"].where(parts["score"].notna(), 0.0)
    weight_present = float(present.sum())
    parts["effective_weight"] = present / weight_present if weight_present else 0.0
    parts["contribution"] = parts["score"] * parts["effective_weight"]
    return IndexBreakdown(
        value=None if pd.isna(index) else float(index),
        weight_present=weight_present,
        components=parts,
    )


# --- traffic lights ---------------------------------------------------------------------

def status(value, indicator: Indicator) -> str | None:
    """green / amber / red against the catalog's thresholds; None without thresholds or value."""
    if value is None or pd.isna(value) or not indicator.has_thresholds:
        return None
    if indicator.direction == "higher":
        return GREEN if value >= indicator.green else AMBER if value >= indicator.amber else RED
    return GREEN if value <= indicator.green else AMBER if value <= indicator.amber else RED


def is_improvement(change: float | None, indicator: Indicator) -> bool | None:
    """Whether a change is for the better, by the indicator's direction (None: no judgement)."""
    if change is None or pd.isna(change) or change == 0 or indicator.direction == "none":
        return None
    return (change > 0) == (indicator.direction == "higher")


# --- progress toward targets --------------------------------------------------------------

ACHIEVED, ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = (
    "achieved", "on_track", "at_risk", "off_track", "insufficient_data"
)
TREND_YEARS = 3  # the achieved rate is measured over the last three years


@dataclass(frozen=True)
class TargetProgress:
    indicator_id: str
    target: float
    target_year: int | None
    current: float | None  # mean of the four quarters ending at the period
    baseline: float | None  # mean of the first four quarters in the data
    progress_pct: float | None  # share of the way from baseline to target, 0-100
    required_rate: float | None  # change per year still needed to reach the target in time
    achieved_rate: float | None  # change per year over the last three years
    status: str


def annual_mean(series: pd.Series, end: Period) -> float | None:
    """Mean of the four quarters ending at `end` (series indexed by period ordinal); None
    unless all four are present."""
    window = series.reindex(range(end.ordinal - 3, end.ordinal + 1))
    return None if window.isna().any() else float(window.mean())


def target_progress(series: pd.Series, indicator: Indicator, period: Period) -> TargetProgress | None:
    """Progress of one indicator's series (indexed by period ordinal) toward its target.

    Method: compare annual means (four quarters) so seasonality cancels. A target by a year
    is on track when the rate achieved over the last three years is at least the rate still
    required to reach it by then, at risk when it is at least half of it, otherwise off track.
    A target to hold every year is on track when the latest annual mean meets it.
    """
    target = indicator.target
    if target is None:
        return None
    series = series.dropna().sort_index()
    current = annual_mean(series, period)
    first = Period.from_ordinal(int(series.index.min())).shift(3) if len(series) else None
    baseline = annual_mean(series, first) if first is not None else None
    sign = 1 if indicator.direction == "higher" else -1

    def result(status_name, progress=None, required=None, achieved=None):
        return TargetProgress(indicator.id, target.value, target.year, current, baseline,
                              progress, required, achieved, status_name)

    if current is None:
        return result(NO_DATA)
    met = sign * (current - target.value) >= 0
    if target.every_year:
        return result(ON_TRACK if met else OFF_TRACK, 100.0 if met else None)
    progress = _progress_pct(baseline, current, target.value, sign)
    if met:
        return result(ACHIEVED, 100.0)
    earlier = annual_mean(series, period.shift(-4 * TREND_YEARS))
    years_left = target.year - period.year
    if earlier is None or years_left <= 0:
        return result(OFF_TRACK if years_left <= 0 else NO_DATA, progress)
    achieved = (current - earlier) / TREND_YEARS
    required = (target.value - current) / years_left
    ratio = sign * achieved / (sign * required)
    verdict = ON_TRACK if ratio >= 1 else AT_RISK if ratio >= 0.5 else OFF_TRACK
    return result(verdict, progress, required, achieved)


def _progress_pct(baseline, current, target, sign) -> float | None:
    if baseline is None or sign * (target - baseline) <= 0:
        return None
    return float(np.clip((current - baseline) / (target - baseline) * 100, 0, 100))


# --- standing among regions (issue 15) ----------------------------------------------------

def rank_among(values: pd.Series, indicator: Indicator) -> pd.Series:
    """Each region's rank (1 = best by the indicator's direction; largest first without a
    direction); ties share the better rank, missing values have none."""
    ascending = indicator.direction == "lower"
    return values.rank(ascending=ascending, method="min", na_option="keep")


def index_drivers(now: IndexBreakdown, before: IndexBreakdown) -> pd.DataFrame:
    """Each component's contribution to the change of the index between two breakdowns:
    component, delta (points of the index), largest effect first."""
    delta = now.components.set_index("component")["contribution"] - \
        before.components.set_index("component")["contribution"]
    frame = delta.rename("delta").dropna().reset_index()
    return frame.reindex(frame["delta"].abs().sort_values(ascending=False).index).reset_index(drop=True)
