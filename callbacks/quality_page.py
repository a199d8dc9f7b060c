"""The data quality page (/quality): the signed-in user's tenant only."""

from __future__ import annotations

from data import quality
from data.intake.store import batch_history
from data.runtime import runtime
from data.tenancy import current_tenant
from layouts.quality_page import Quality, quality_page
from services.insight import all_anomalies


def page(_search: str = "", lang: str = "en"):
    tenant = current_tenant()
    today = quality.today()
    periods = quality.recent_periods(today)
    shares, missing = quality.completeness(tenant, periods)
    return quality_page(Quality(shares, missing, quality.freshness(tenant, periods, today),
                                quality.flag_counts(tenant), batch_history(runtime.engine, tenant.id),
                                all_anomalies(tenant)), lang)
