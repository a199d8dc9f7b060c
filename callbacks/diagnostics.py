"""The Diagnostics page and its Refresh button."""

from __future__ import annotations

from dash import Input, Output

from data.runtime import runtime
from data.tenancy import current_tenant
from layouts import ids
from layouts.diagnostics import diagnostics_body, diagnostics_page
from ops.diagnostics import diagnostics_report


def page(_search: str = ""):
    return diagnostics_page(_report())


def refresh(_clicks):
    return diagnostics_body(_report())


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.DIAGNOSTICS_BODY, "children"),
        Input(ids.DIAGNOSTICS_REFRESH, "n_clicks"),
        prevent_initial_call=True,
    )(refresh)


def _report() -> dict:
    return diagnostics_report(runtime.settings, current_tenant())
