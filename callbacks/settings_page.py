"""The Settings page: Clear Cache empties the cache every worker shares."""

from __future__ import annotations

import logging

from dash import Input, Output, State, no_update
from flask import g, request

from callbacks.failures import failure_message
from data.runtime import runtime
from layouts import ids
from layouts.settings_page import cache_cleared, cache_state, settings_page
from layouts.text import language_of
from ops.telemetry import track
from security import audit
from security.web import signed_in

log = logging.getLogger(__name__)


def page(_search: str = "", lang: str = "en"):
    return settings_page(runtime.cache.backend_name, runtime.cache.entry_count(), lang)


def clear(_clicks, search=None):
    """Empty the shared cache; returns the message and the cache's new state."""
    cache = runtime.cache
    lang = language_of(search)
    try:
        entries = cache.clear()
    except Exception as error:  # e.g. Redis unreachable: say so, keep the page
        return failure_message("cache_clear", error, "settings_clear_failed", lang=lang), no_update
    log.info("cache cleared: %s entries removed from the %s", entries, cache.backend_name,
             extra={"entries": entries, "backend": cache.backend_name})
    track("cache_clear", entries=entries, backend=cache.backend_name)
    account = signed_in()
    audit.record(runtime.engine, "cache_clear", g.get("hub_tenant"), account.username if account else None,
                 request.remote_addr, entries=entries, backend=cache.backend_name)
    return cache_cleared(cache.backend_name, entries, lang), cache_state(cache.backend_name, cache.entry_count(), lang)


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.SETTINGS_CACHE_RESULT, "children"),
        Output(ids.SETTINGS_CACHE_STATE, "children"),
        Input(ids.SETTINGS_CLEAR_CACHE, "n_clicks"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )(clear)
