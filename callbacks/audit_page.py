"""The audit log page: the signed-in steward's tenant only."""

from __future__ import annotations

from data.runtime import runtime
from data.tenancy import current_tenant
from layouts.audit_page import audit_page
from security import audit


def page(_search: str = "", lang: str = "en"):
    return audit_page(audit.recent(runtime.engine, current_tenant().id), lang)
