"""What a proposed set of index weights would show, computed by the one formula in
data/aggregate.py on the tenant's panel: the weights preview of stewards and the what-if
weights of the executive page (issue 14). Nothing here is stored."""

from __future__ import annotations

import math

import pandas as pd

from data import aggregate, queries
from data.catalog import INDEX_ID, catalog
from data.periods import Period
from data.regions import NATIONAL_CODE
from data.stewardship import check_weights, tenant_catalog, with_settings
from data.tenancy import Tenant

MAX_PARAMETER = 1000  # characters of a `weights=` value read at most


def index_comparison(tenant: Tenant, period: Period, weights: dict[str, float]) -> pd.DataFrame:
    """The nation and every region at `period`: the index under the tenant's current weights
    (official) and under `weights` (proposed), the regions' ranks under each and the change
    of rank (positive: up). The nation first, then the regions by proposed rank."""
    frame = queries.panel(tenant)
    rows = frame[frame["ordinal"] == period.ordinal]
    proposed = aggregate.sustainability_index(rows, with_settings(tenant_catalog(tenant), weights=weights))
    result = pd.DataFrame({"region_code": rows["region_code"].to_numpy(), "official": rows[INDEX_ID].to_numpy(float),
                           "proposed": proposed.to_numpy(float)})
    regional = result["region_code"] != NATIONAL_CODE
    for column in ("official", "proposed"):
        result.loc[regional, f"rank_{column}"] = result.loc[regional, column].rank(ascending=False, method="min")
    result["rank_change"] = result["rank_official"] - result["rank_proposed"]
    result["order"] = result["rank_proposed"].where(regional, 0)
    return result.sort_values(["order", "region_code"], ignore_index=True).drop(columns="order")


def proposed_breakdown(tenant: Tenant, period: Period, region_codes: tuple[str, ...],
                       weights: dict[str, float]) -> aggregate.IndexBreakdown:
    """The selection's index at `period` with its components, under `weights`."""
    rows = queries.selection_series(tenant, region_codes)
    row = rows.loc[period.ordinal] if period.ordinal in rows.index else pd.Series(dtype=float)
    return aggregate.index_breakdown(row, with_settings(tenant_catalog(tenant), weights=weights))


def current_annual_values(tenant: Tenant, period: Period) -> dict[str, float | None]:
    """The nation's mean of the four quarters ending at `period`, per indicator: what a new
    target by a year must be no worse than."""
    series = queries.selection_series(tenant, ())
    return {i.id: aggregate.annual_mean(series[i.id], period) for i in catalog().indicators if i.id in series}


def parse_weights(text) -> dict[str, float] | None:
    """Weights from a URL's `weights=` ("component:0.2,component:0.15,..."); None when the
    text is malformed or the weights break the rules (every component, 0 to 0.5, sum 1)."""
    if not isinstance(text, str) or not text or len(text) > MAX_PARAMETER:
        return None
    weights = {}
    for part in text.split(","):
        name, _, number = part.partition(":")
        try:
            value = float(number)
        except ValueError:
            return None
        if not math.isfinite(value) or name in weights:
            return None
        weights[name] = value
    return None if check_weights(weights) else weights


def weights_parameter(weights: dict[str, float]) -> str:
    """The `weights=` value of a set of weights (catalog order)."""
    return ",".join(f"{cid}:{weights[cid]:g}" for cid in catalog().index_weights)
