"""The audit log page: the signed-in steward's tenant only."""

from __future__ import annotations

from flask import current_app

from data.engine import get_engine
from data.tenancy import current_tenant
from layouts.audit_page import audit_page
from security import audit


def page(_search: str = ""):
    engine = get_engine(current_app.config["HUB_SETTINGS"].database_url)
    return audit_page(audit.recent(engine, current_tenant().id))
