"""The Settings page: Clear Cache empties the cache every worker shares."""

from __future__ import annotations

import logging
import uuid

from dash import Input, Output, no_update
from dash.exceptions import PreventUpdate
from flask import current_app, g, request

from data import cache
from data.engine import get_engine
from layouts import ids
from layouts.settings_page import cache_clear_failed, cache_cleared, cache_state, settings_page
from ops.telemetry import track
from security import audit
from security.web import allowed, signed_in

log = logging.getLogger(__name__)


def page(_search: str = ""):
    return settings_page(cache.backend_name(), cache.entry_count())


def clear(_clicks):
    """Empty the shared cache; returns the message and the cache's new state."""
    if not allowed("settings"):
        raise PreventUpdate
    backend = cache.backend_name()
    try:
        entries = cache.clear_cache()
    except Exception as error:  # e.g. Redis unreachable: say so, keep the page
        reference = uuid.uuid4().hex[:8]
        log.exception("clearing the %s failed (reference %s)", backend, reference)
        track("error", where="cache_clear", error_type=type(error).__name__, reference=reference)
        return cache_clear_failed(reference), no_update
    log.info("cache cleared: %s entries removed from the %s", entries, backend,
             extra={"entries": entries, "backend": backend})
    track("cache_clear", entries=entries, backend=backend)
    account = signed_in()
    audit.record(get_engine(current_app.config["HUB_SETTINGS"].database_url), "cache_clear",
                 g.get("hub_tenant"), account.username if account else None, request.remote_addr,
                 entries=entries, backend=backend)
    return cache_cleared(backend, entries), cache_state(backend, cache.entry_count())


def register(app) -> None:
    app.callback(
        Output(ids.SETTINGS_CACHE_RESULT, "children"),
        Output(ids.SETTINGS_CACHE_STATE, "children"),
        Input(ids.SETTINGS_CLEAR_CACHE, "n_clicks"),
        prevent_initial_call=True,
    )(clear)
