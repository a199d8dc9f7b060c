"""Chooses the page for the URL and builds it with its data in one round trip."""

from __future__ import annotations

import logging
import uuid

from dash import Input, Output
from flask import current_app

from data import queries
from data.catalog import catalog
from data.regions import NATIONAL_CODE
from data.tenancy import Tenant, current_tenant
from layouts import ids
from layouts.components import message
from layouts.dashboard import dashboard_page
from layouts.diagnostics import diagnostics_page
from layouts.text import t
from ops.health import health_report

log = logging.getLogger(__name__)


def register(app) -> None:
    app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
    )(render_page)


def render_page(pathname: str | None, search: str | None = None):
    path = (pathname or "/").rstrip("/").lower() or "/"
    try:
        if path == "/":
            return dashboard_view(current_tenant())
        if path == "/diagnostics":
            return diagnostics_page(health_report(current_app.config["HUB_SETTINGS"]))
        return message(t("page_not_found"), t("page_not_found_body", path=pathname), "warning")
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("page %s failed (reference %s)", path, reference)
        return message(t("error_title"), t("error_body", reference=reference), "danger")


def dashboard_view(tenant: Tenant, lang: str = "en"):
    period = queries.latest_complete_period(tenant)
    if period is None:
        return message(t("no_data_title", lang), t("no_data_body", lang))
    snapshot = queries.indicator_snapshot(tenant, period, NATIONAL_CODE)
    return dashboard_page(snapshot, period, NATIONAL_CODE, catalog(), lang)
