"""What pages and exports read of the forecasts and the values that stand out (computed in the
background, data/insight.py), and a region's profile: its standing among the regions."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data import aggregate, forecasts, queries
from data.cache import memoized
from data.catalog import catalog
from data.insight import ready
from data.periods import Period
from data.regions import NATIONAL_CODE
from data.stewardship import tenant_catalog
from data.tenancy import Tenant

SPARK_QUARTERS = 12
STANDING_SHOWN = 3
COMPUTING, COMBINED, NO_SERIES, FORMULA = "computing", "combined", "no_series", "formula"


@dataclass(frozen=True)
class SeriesOutlook:
    """One indicator's forecast for one place: the rows (year, quarter, forecast, lo80, hi80,
    lo95, hi95, model), its track record (None for a computed indicator) and why something is
    missing (None when nothing is)."""
    points: pd.DataFrame
    skill: dict | None
    reason: str | None


def scope_code(regions: tuple[str, ...]) -> str | None:
    """The one place a selection is (a region or the nation), or None for several regions."""
    scope = queries.scope_of(regions)
    return scope if isinstance(scope, str) else None


def series_outlook(tenant: Tenant, code: str | None, indicator_id: str) -> SeriesOutlook:
    insight = ready(tenant)
    empty = pd.DataFrame(columns=forecasts.POINT_COLUMNS)
    if insight is None:
        return SeriesOutlook(empty, None, COMPUTING)
    if code is None:
        return SeriesOutlook(empty, None, COMBINED)
    points = _rows(insight.forecasts, code, indicator_id)
    skill = _rows(insight.skill, code, indicator_id)
    if points.empty:
        return SeriesOutlook(empty, None, NO_SERIES)
    if skill.empty:
        return SeriesOutlook(points, None, FORMULA)
    return SeriesOutlook(points, skill.iloc[0].to_dict(), None)


def _rows(frame: pd.DataFrame, code: str, indicator_id: str) -> pd.DataFrame:
    chosen = frame[(frame["region_code"] == code) & (frame["indicator_id"] == indicator_id)]
    return chosen.reset_index(drop=True)


def forecast_export_rows(tenant: Tenant, regions: tuple[str, ...], indicator_id: str) -> pd.DataFrame | None:
    """The forecasts of one indicator for the nation and the regions (every region when none
    is given); None while computing."""
    insight = ready(tenant)
    if insight is None:
        return None
    codes = tuple(c for c in regions if c != NATIONAL_CODE)
    chosen = insight.forecasts[insight.forecasts["indicator_id"] == indicator_id]
    return chosen[chosen["region_code"].isin((NATIONAL_CODE, *codes)) | (not codes)].reset_index(drop=True)


def target_outlooks(tenant: Tenant, code: str | None) -> list[tuple[str, str, int | None]] | None:
    """(indicator id, outlook, year) for every target of the place; None while computing."""
    if ready(tenant) is None or code is None:
        return None
    rows = queries.selection_series(tenant, (code,))
    found = []
    for indicator in tenant_catalog(tenant).indicators:  # the tenant's targets
        if indicator.target is None or indicator.id not in rows:
            continue
        outlook = series_outlook(tenant, code, indicator.id)
        found.append((indicator.id, *forecasts.target_outlook(rows[indicator.id], outlook.points, indicator)))
    return found


def anomalies_in(tenant: Tenant, codes: tuple[str, ...], start: Period, end: Period,
                 indicator_id: str | None = None) -> pd.DataFrame | None:
    """The values that stand out in the regions (all regions when none) between two quarters,
    of one indicator or all, largest score first; None while computing."""
    insight = ready(tenant)
    if insight is None:
        return None
    found = insight.anomalies
    ordinal = found["year"] * 4 + found["quarter"] - 1
    regions = tuple(c for c in codes if c != NATIONAL_CODE)
    chosen = ordinal.between(start.ordinal, end.ordinal) & (found["region_code"].isin(regions) | (not regions))
    if indicator_id is not None:
        chosen &= found["indicator_id"] == indicator_id
    return _largest_first(found[chosen])


def all_anomalies(tenant: Tenant) -> pd.DataFrame | None:
    """Every value that stands out in the tenant's data, largest score first; None while computing."""
    insight = ready(tenant)
    return None if insight is None else _largest_first(insight.anomalies)


def _largest_first(found: pd.DataFrame) -> pd.DataFrame:
    return found.reindex(found["score"].abs().sort_values(ascending=False).index).reset_index(drop=True)


@memoized
def profile_table(tenant: Tenant, period: Period, code: str) -> pd.DataFrame:
    """Every indicator of a region (or the nation) at a quarter: the snapshot's value, status,
    changes and target, with rank among the regions, the national figure, the gaps to it and
    to the target, and the last quarters for a sparkline."""
    snapshot = queries.indicator_snapshot(tenant, period, (code,)).set_index("indicator_id")
    nation = queries.indicator_snapshot(tenant, period, ()).set_index("indicator_id")["value"]
    frame = queries.panel(tenant)
    at = frame[(frame["ordinal"] == period.ordinal) & (frame["region_code"] != NATIONAL_CODE)].set_index(
        "region_code")
    history = queries.selection_series(tenant, (code,))
    window = range(period.ordinal - SPARK_QUARTERS + 1, period.ordinal + 1)
    table = snapshot.assign(national=nation)
    table["rank"] = [_rank(at, code, i) for i in table.index]
    table["regions_ranked"] = [int(at[i].notna().sum()) if i in at else 0 for i in table.index]
    table["gap_national"] = table["value"] - table["national"]
    table["gap_target"] = table["value"] - table["target"]
    table["spark"] = [history[i].reindex(window).tolist() if i in history else [] for i in table.index]
    return table.reset_index()


def _rank(at: pd.DataFrame, code: str, indicator_id: str) -> float | None:
    if code == NATIONAL_CODE or indicator_id not in at or code not in at.index:
        return None
    rank = aggregate.rank_among(at[indicator_id], catalog()[indicator_id]).get(code)
    return None if pd.isna(rank) else float(rank)


def standing(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The region's strongest and weakest indicators relative to the other regions: by rank
    among the regions (directional indicators only), best and worst STANDING_SHOWN."""
    directional = table[[catalog()[i].direction != "none" for i in table["indicator_id"]]].dropna(subset=["rank"])
    ordered = directional.sort_values(["rank", "indicator_id"])
    strongest = ordered.head(STANDING_SHOWN)
    weakest = ordered[~ordered["indicator_id"].isin(strongest["indicator_id"])].iloc[::-1].head(STANDING_SHOWN)
    return strongest, weakest
