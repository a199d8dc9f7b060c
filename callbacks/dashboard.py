"""The Dashboard page."""

from __future__ import annotations

from data import queries
from data.catalog import catalog
from data.regions import NATIONAL_CODE
from data.tenancy import Tenant, current_tenant
from layouts.components import message
from layouts.dashboard import dashboard_page
from layouts.text import t


def page(_search: str = ""):
    return dashboard_view(current_tenant())


def dashboard_view(tenant: Tenant, lang: str = "en"):
    period = queries.latest_complete_period(tenant)
    if period is None:
        return message(t("no_data_title", lang), t("no_data_body", lang))
    snapshot = queries.indicator_snapshot(tenant, period, NATIONAL_CODE)
    return dashboard_page(snapshot, period, NATIONAL_CODE, catalog(), lang)
