"""The state of a tenant's data (issue 10): completeness by indicator, region and quarter,
freshness against "loaded within 45 days of the quarter's end", and counts by quality flag."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import func, select

from data import schema
from data.cache import memoized
from data.catalog import catalog
from data.periods import Period
from data.regions import REGION_CODES
from data.runtime import runtime
from data.tenancy import Tenant

obs = schema.sustainability_indicators
FRESH_DAYS = 45
SHOWN_QUARTERS = 8


def quarter_end(period: Period) -> date:
    first_of_next = period.shift(1)
    return date(first_of_next.year, first_of_next.quarter * 3 - 2, 1) - timedelta(days=1)


def recent_periods(today: date, count: int = SHOWN_QUARTERS) -> list[Period]:
    """The `count` latest quarters that have ended by `today`, oldest first."""
    current = Period(today.year, (today.month - 1) // 3 + 1)
    return [current.shift(-n) for n in range(count, 0, -1)]


@memoized
def loads_by_cell(tenant: Tenant, periods: tuple[Period, ...]) -> pd.DataFrame:
    """Stored observations of the periods: indicator, region, year, quarter, first load."""
    ordinals = [p.ordinal for p in periods]
    query = select(obs.c.indicator_id, obs.c.region_code, obs.c.year, obs.c.quarter, obs.c.loaded_at).where(
        obs.c.tenant_id == tenant.id, (obs.c.year * 4 + obs.c.quarter - 1).in_(ordinals))
    with runtime.engine.connect() as conn:
        return pd.read_sql(query, conn)


def completeness(tenant: Tenant, periods: list[Period]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The share of regions with a value per indicator (rows) and quarter (columns), and the
    missing cells: indicator_id, region_code, period."""
    stored = loads_by_cell(tenant, tuple(periods))
    labels = [str(p) for p in periods]
    full = pd.MultiIndex.from_product([catalog().base_ids, REGION_CODES, labels],
                                      names=["indicator_id", "region_code", "period"]).to_frame(index=False)
    present = stored.assign(period=stored["year"].astype(str) + "Q" + stored["quarter"].astype(str))
    marked = full.merge(present[["indicator_id", "region_code", "period"]].assign(present=True), how="left",
                        on=["indicator_id", "region_code", "period"])
    marked["present"] = marked["present"].fillna(False).astype(bool)
    shares = marked.pivot_table(index="indicator_id", columns="period", values="present", aggfunc="mean")
    shares = shares.reindex(index=catalog().base_ids, columns=labels)
    return shares, marked[~marked["present"]].drop(columns="present").reset_index(drop=True)


def freshness(tenant: Tenant, periods: list[Period], today: date) -> pd.DataFrame:
    """Per quarter: its deadline (quarter end + 45 days), when its data was first loaded and
    whether that was on time, late, still due or missing."""
    stored = loads_by_cell(tenant, tuple(periods))
    first = stored.groupby(stored["year"] * 4 + stored["quarter"] - 1)["loaded_at"].min()
    rows = []
    for period in periods:
        deadline = quarter_end(period) + timedelta(days=FRESH_DAYS)
        loaded = first.get(period.ordinal)
        loaded_day = pd.Timestamp(loaded).date() if loaded is not None and pd.notna(loaded) else None
        rows.append({"period": period, "deadline": deadline, "loaded": loaded_day,
                     "status": _fresh_status(loaded_day, deadline, today)})
    return pd.DataFrame(rows)


def _fresh_status(loaded: date | None, deadline: date, today: date) -> str:
    if loaded is not None:
        return "on_time" if loaded <= deadline else "late"
    return "due" if today <= deadline else "missing"


@memoized
def flag_counts(tenant: Tenant) -> pd.DataFrame:
    query = select(obs.c.quality_flag, func.count().label("observations")).where(
        obs.c.tenant_id == tenant.id).group_by(obs.c.quality_flag).order_by(obs.c.quality_flag)
    with runtime.engine.connect() as conn:
        return pd.read_sql(query, conn)


def today() -> date:
    return datetime.now(UTC).date()
