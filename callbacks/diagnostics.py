"""The Diagnostics page and its Refresh button."""

from __future__ import annotations

from dash import Input, Output, State

from data.runtime import runtime
from data.tenancy import current_tenant
from layouts import ids
from layouts.diagnostics import diagnostics_body, diagnostics_page
from layouts.text import language_of
from ops.diagnostics import diagnostics_report


def page(_search: str = "", lang: str = "en"):
    return diagnostics_page(_report(lang), lang)


def refresh(_clicks, search=None):
    lang = language_of(search)
    return diagnostics_body(_report(lang), lang)


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.DIAGNOSTICS_BODY, "children"),
        Input(ids.DIAGNOSTICS_REFRESH, "n_clicks"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )(refresh)


def _report(lang: str) -> dict:
    return diagnostics_report(runtime.settings, current_tenant(), lang)
