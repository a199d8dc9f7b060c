"""The Diagnostics page."""

from __future__ import annotations

from flask import current_app

from layouts.diagnostics import diagnostics_page
from ops.health import health_report


def page(_search: str = ""):
    return diagnostics_page(health_report(current_app.config["HUB_SETTINGS"]))
