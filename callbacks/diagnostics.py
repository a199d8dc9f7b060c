"""The Diagnostics page and its Refresh button."""

from __future__ import annotations

from dash import Input, Output
from dash.exceptions import PreventUpdate
from flask import current_app

from data.tenancy import current_tenant
from layouts import ids
from layouts.diagnostics import diagnostics_body, diagnostics_page
from ops.diagnostics import diagnostics_report
from security.web import allowed


def page(_search: str = ""):
    return diagnostics_page(_report())


def refresh(_clicks):
    if not allowed("diagnostics"):
        raise PreventUpdate
    return diagnostics_body(_report())


def register(app) -> None:
    app.callback(
        Output(ids.DIAGNOSTICS_BODY, "children"),
        Input(ids.DIAGNOSTICS_REFRESH, "n_clicks"),
        prevent_initial_call=True,
    )(refresh)


def _report() -> dict:
    return diagnostics_report(current_app.config["HUB_SETTINGS"], current_tenant())
