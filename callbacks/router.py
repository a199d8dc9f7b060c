"""Chooses the page for the URL and builds it with its data in one round trip."""

from __future__ import annotations

import logging
import uuid

from dash import Input, Output, State

from callbacks import dashboard, diagnostics
from layouts import ids
from layouts.components import message
from layouts.text import t

log = logging.getLogger(__name__)

# path (lower case, no trailing slash) -> function(search) returning the page
PAGES = {
    "/": dashboard.page,
    "/diagnostics": diagnostics.page,
}


def register(app) -> None:
    app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )(render_page)


def render_page(pathname: str | None, search: str | None = None):
    path = (pathname or "/").rstrip("/").lower() or "/"
    build = PAGES.get(path)
    if build is None:
        return message(t("page_not_found"), t("page_not_found_body", path=pathname), "warning")
    try:
        return build(search or "")
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("page %s failed (reference %s)", path, reference)
        return message(t("error_title"), t("error_body", reference=reference), "danger")
