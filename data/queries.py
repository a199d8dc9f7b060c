"""Tenant-scoped queries returning DataFrames, memoized per tenant and arguments.

Every function takes a Tenant first; there is no way to ask for data without one.
The per-tenant panel (all regions and the nation, every quarter, every indicator, derived
indicators and the index included) is the basis of every figure, so the same selection
shows the same number everywhere.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from data import aggregate, schema
from data.cache import memoized
from data.catalog import catalog
from data.periods import Period
from data.regions import NATIONAL_CODE
from data.runtime import runtime
from data.stewardship import tenant_catalog
from data.tenancy import Tenant

COMPLETE_SHARE = 0.9  # a quarter is complete when it has 90% of the fullest quarter's rows
COMPUTED_SOURCE = "hub computation"

obs = schema.sustainability_indicators


def _read(query) -> pd.DataFrame:
    with runtime.engine.connect() as conn:
        return pd.read_sql(query, conn)


@memoized
def tenant_name(tenant: Tenant, lang: str = "en") -> str:
    column = schema.tenants.c.name_ar if lang == "ar" else schema.tenants.c.name_en
    query = select(column).where(schema.tenants.c.tenant_id == tenant.id)
    with runtime.engine.connect() as conn:
        return conn.scalar(query) or tenant.id


@memoized
def source_systems(tenant: Tenant) -> tuple[str, ...]:
    """The source systems of the tenant's stored observations: where its computed figures'
    inputs come from."""
    query = select(obs.c.source_system).where(obs.c.tenant_id == tenant.id).distinct()
    with runtime.engine.connect() as conn:
        return tuple(sorted(conn.scalars(query)))


@memoized
def period_coverage(tenant: Tenant) -> pd.DataFrame:
    """Quarters that have data, oldest first, with their number of observations."""
    query = (
        select(obs.c.year, obs.c.quarter, func.count().label("observations"))
        .where(obs.c.tenant_id == tenant.id)
        .group_by(obs.c.year, obs.c.quarter)
        .order_by(obs.c.year, obs.c.quarter)
    )
    return _read(query)


def available_periods(tenant: Tenant) -> list[Period]:
    coverage = period_coverage(tenant)
    return [Period(int(y), int(q)) for y, q in zip(coverage["year"], coverage["quarter"], strict=True)]


def latest_complete_period(tenant: Tenant) -> Period | None:
    """The latest quarter with at least 90% of the observations of the fullest quarter."""
    coverage = period_coverage(tenant)
    if coverage.empty:
        return None
    complete = coverage[coverage["observations"] >= COMPLETE_SHARE * coverage["observations"].max()]
    last = complete.iloc[-1]
    return Period(int(last["year"]), int(last["quarter"]))


@memoized
def panel(tenant: Tenant) -> pd.DataFrame:
    """The tenant's complete wide panel: regions and nation, all quarters and indicators."""
    query = select(obs.c.indicator_id, obs.c.region_code, obs.c.year, obs.c.quarter, obs.c.value).where(
        obs.c.tenant_id == tenant.id
    )
    long = _read(query)
    if long.empty:
        return pd.DataFrame(columns=[*aggregate.KEYS, "ordinal", *catalog().ids])
    settings = tenant_catalog(tenant)
    wide = aggregate.complete(aggregate.to_wide(long, settings), settings)
    wide.insert(3, "ordinal", wide["year"] * 4 + wide["quarter"] - 1)
    return wide


@memoized
def observations(tenant: Tenant, start: Period, end: Period,
                 region_codes: tuple[str, ...] | None = None,
                 indicator_ids: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Stored observations with their metadata, filtered by period range, regions and indicators."""
    query = select(
        obs.c.indicator_id, obs.c.region_code, obs.c.year, obs.c.quarter, obs.c.value,
        obs.c.quality_flag, obs.c.source_system, obs.c.batch_id, obs.c.loaded_at,
    ).where(
        obs.c.tenant_id == tenant.id,
        (obs.c.year * 4 + obs.c.quarter - 1).between(start.ordinal, end.ordinal),
    )
    if region_codes is not None:
        query = query.where(obs.c.region_code.in_(region_codes))
    if indicator_ids is not None:
        query = query.where(obs.c.indicator_id.in_(indicator_ids))
    query = query.order_by(obs.c.indicator_id, obs.c.region_code, obs.c.year, obs.c.quarter)
    return _read(query)


def _region_series(tenant: Tenant, region_code: str) -> pd.DataFrame:
    """The panel rows of one region (or the nation), indexed by period ordinal."""
    frame = panel(tenant)
    return frame[frame["region_code"] == region_code].set_index("ordinal")


@memoized
def indicator_snapshot(tenant: Tenant, period: Period, region_codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per indicator for the selection at a quarter: value, previous quarter, same
    quarter last year, changes, status and progress toward the target."""
    rows = selection_series(tenant, region_codes)
    records = []
    for indicator in tenant_catalog(tenant).indicators:
        column = rows[indicator.id] if indicator.id in rows else pd.Series(dtype=float)
        value, previous, year_ago = (_at(column, p) for p in (period, period.previous, period.year_ago))
        progress = aggregate.target_progress(column, indicator, period)
        records.append({
            "indicator_id": indicator.id,
            "pillar": indicator.pillar,
            "value": value,
            "previous": previous,
            "year_ago": year_ago,
            "change_previous": _difference(value, previous),
            "change_year_ago": _difference(value, year_ago),
            "status": aggregate.status(value, indicator),
            "target": indicator.target.value if indicator.target else None,
            "target_year": indicator.target.year if indicator.target else None,
            "target_status": progress.status if progress else None,
            "target_progress_pct": progress.progress_pct if progress else None,
        })
    return pd.DataFrame(records)


@memoized
def regional_snapshot(tenant: Tenant, period: Period, indicator_id: str) -> pd.DataFrame:
    """Every region and the nation at one quarter for one indicator, with status."""
    frame = panel(tenant)
    at = frame[frame["ordinal"] == period.ordinal][["region_code", indicator_id]]
    at = at.rename(columns={indicator_id: "value"}).reset_index(drop=True)
    indicator = catalog()[indicator_id]
    at["status"] = [aggregate.status(v, indicator) for v in at["value"]]
    return at


@memoized
def index_breakdown(tenant: Tenant, period: Period, region_codes: tuple[str, ...] = ()) -> aggregate.IndexBreakdown:
    """The sustainability index of the selection at a quarter with its components."""
    rows = selection_series(tenant, region_codes)
    if period.ordinal not in rows.index:
        return aggregate.index_breakdown(pd.Series(dtype=float), tenant_catalog(tenant))
    return aggregate.index_breakdown(rows.loc[period.ordinal], tenant_catalog(tenant))


@memoized
def trend_series(tenant: Tenant, start: Period, end: Period, region_codes: tuple[str, ...],
                 indicator_id: str) -> pd.DataFrame:
    """The indicator for the nation and each selected region over the range:
    region_code, ordinal, value."""
    frame = panel(tenant)
    codes = (NATIONAL_CODE, *region_codes)
    rows = frame[frame["region_code"].isin(codes) & frame["ordinal"].between(start.ordinal, end.ordinal)]
    return rows[["region_code", "ordinal", indicator_id]].rename(columns={indicator_id: "value"}).reset_index(drop=True)


def _at(column: pd.Series, period: Period) -> float | None:
    value = column.get(period.ordinal)
    return None if value is None or pd.isna(value) else float(value)


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def scope_of(region_codes: tuple[str, ...]) -> str | tuple[str, ...]:
    """What the headline figures describe: the nation (no region, or the nation selected),
    one region, or several regions combined."""
    regions = tuple(code for code in region_codes if code != NATIONAL_CODE)
    if not regions or NATIONAL_CODE in region_codes:
        return NATIONAL_CODE
    return regions[0] if len(regions) == 1 else regions


@memoized
def selection_series(tenant: Tenant, region_codes: tuple[str, ...]) -> pd.DataFrame:
    """Wide rows indexed by period ordinal for the selection's scope. Several regions are
    combined by the same rules as the national figures (sums, weighted means, derived
    indicators and the index recomputed), so a combined selection is never an average."""
    scope = scope_of(region_codes)
    if isinstance(scope, str):
        return _region_series(tenant, scope)
    frame = panel(tenant)
    regional = frame[frame["region_code"].isin(scope)][[*aggregate.KEYS, *catalog().base_ids]]
    settings = tenant_catalog(tenant)
    combined = aggregate.add_derived(aggregate.national(regional, settings), settings)
    combined["ordinal"] = combined["year"] * 4 + combined["quarter"] - 1
    return combined.set_index("ordinal")


@memoized
def view_rows(tenant: Tenant, start: Period, end: Period, region_codes: tuple[str, ...],
              indicator_id: str) -> pd.DataFrame:
    """The rows behind the table and the CSV: the indicator for the selected regions (all
    regions when none is selected) and the nation over the range. Stored observations keep
    their quality flag and source; computed figures (national, derived) are flagged
    "computed"."""
    regions = tuple(c for c in region_codes if c != NATIONAL_CODE) or tuple(
        sorted(set(panel(tenant)["region_code"]) - {NATIONAL_CODE}))
    indicator = catalog()[indicator_id]
    frame = panel(tenant)
    in_range = frame[frame["ordinal"].between(start.ordinal, end.ordinal)]
    computed = in_range[["region_code", "year", "quarter", indicator_id]].rename(columns={indicator_id: "value"})
    if not indicator.is_derived:
        computed = computed[computed["region_code"] == NATIONAL_CODE]
    else:
        computed = computed[computed["region_code"].isin((NATIONAL_CODE, *regions))]
    computed = computed.dropna(subset=["value"]).assign(
        indicator_id=indicator_id, quality_flag="computed", source_system=COMPUTED_SOURCE)
    parts = [computed]
    if not indicator.is_derived:
        stored = observations(tenant, start, end, regions, (indicator_id,))
        parts.append(stored.drop(columns=["batch_id", "loaded_at"]))
    rows = pd.concat(parts, ignore_index=True)
    rows["is_national"] = rows["region_code"] == NATIONAL_CODE
    rows = rows.sort_values(["is_national", "region_code", "year", "quarter"],
                            ascending=[False, True, True, True], ignore_index=True)
    return rows[["indicator_id", "region_code", "year", "quarter", "value", "quality_flag", "source_system"]]


@memoized
def target_progress(tenant: Tenant, period: Period, region_codes: tuple[str, ...] = ()) -> list:
    """Progress toward every target of the tenant for the selection at a quarter."""
    rows = selection_series(tenant, region_codes)
    return [aggregate.target_progress(rows[i.id], i, period) for i in tenant_catalog(tenant).indicators
            if i.target is not None and i.id in rows]


@memoized
def movers(tenant: Tenant, period: Period, region_codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Change of every directional indicator against the same quarter last year, judged by
    its direction: `score_change` is the change of the normalised score (positive = better)."""
    snapshot = indicator_snapshot(tenant, period, region_codes)
    records = []
    for row in snapshot.itertuples(index=False):
        indicator = catalog()[row.indicator_id]
        if indicator.direction == "none" or pd.isna(row.value) or pd.isna(row.year_ago):
            continue
        change = float(aggregate.normalise(row.value, indicator) - aggregate.normalise(row.year_ago, indicator))
        records.append({"indicator_id": row.indicator_id, "value": row.value, "year_ago": row.year_ago,
                        "change": row.change_year_ago, "score_change": change})
    return pd.DataFrame(records, columns=["indicator_id", "value", "year_ago", "change", "score_change"])
