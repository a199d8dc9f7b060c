"""Chooses the page for the URL and builds it with its data in one round trip."""

from __future__ import annotations

import logging
import uuid

from dash import Input, Output, State
from flask import g

from callbacks import audit_page, dashboard, diagnostics, executive, settings_page
from data import queries
from data.tenancy import current_tenant
from layouts import ids
from layouts.components import message
from layouts.shell import NAVIGATION, Visitor, shell
from layouts.text import t
from ops.telemetry import track
from security.web import allowed, csrf_token, signed_in

log = logging.getLogger(__name__)

# path (lower case, no trailing slash) -> (function(search) returning the page, permission)
PAGES = {
    "/": (dashboard.page, "dashboard"),
    "/executive": (executive.page, "dashboard"),
    "/diagnostics": (diagnostics.page, "diagnostics"),
    "/settings": (settings_page.page, "settings"),
    "/audit": (audit_page.page, "audit"),
}


def layout():
    """The frame for whoever asks (Dash calls this for every page load)."""
    account = signed_in()
    pages = tuple(path for path, _, _ in NAVIGATION if allowed(PAGES[path][1]))
    if account is None:
        return shell(Visitor(auth_on=g.get("hub_auth", False), pages=pages))
    return shell(Visitor(auth_on=True, pages=pages, username=account.username, role=account.role,
                         tenant_name=queries.tenant_name(current_tenant()), csrf_token=csrf_token()))


def register(app) -> None:
    app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )(render_page)


def render_page(pathname: str | None, search: str | None = None):
    path = (pathname or "/").rstrip("/").lower() or "/"
    build, permission = PAGES.get(path, (None, None))
    track("page_view", page=path if build else "not_found", query=search or "")
    if build is None:
        return message(t("page_not_found"), t("page_not_found_body", path=pathname), "warning")
    if not allowed(permission):
        return message(t("not_allowed_title"), t("not_allowed_body", role=signed_in().role), "warning")
    try:
        return build(search or "")
    except Exception as error:
        reference = uuid.uuid4().hex[:8]
        log.exception("page %s failed (reference %s)", path, reference)
        track("error", where="page", page=path, error_type=type(error).__name__, reference=reference)
        return message(t("error_title"), t("error_body", reference=reference), "danger")
