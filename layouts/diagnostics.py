"""The Diagnostics page: the smoke checks with their reasons."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from layouts import ids
from layouts.text import t


def diagnostics_page(report: dict, lang: str = "en") -> html.Div:
    healthy = report["status"] == "healthy"
    summary = (t("diagnostics_healthy", lang) if healthy
               else t("diagnostics_unhealthy", lang, failed=", ".join(report["failing"])))
    rows = [
        html.Tr([
            html.Td(check["name"]),
            html.Td(dbc.Badge(
                [html.I(className=f"bi {'bi-check-circle-fill' if check['ok'] else 'bi-x-octagon-fill'} me-1",
                        **{"aria-hidden": "true"}),
                 t("check_pass" if check["ok"] else "check_fail", lang)],
                color="success" if check["ok"] else "danger")),
            html.Td(check["detail"], className="small"),
        ], id=f"check-{key}")
        for key, check in report["checks"].items()
    ]
    return html.Div([
        html.H1(t("diagnostics_title", lang), className="h4"),
        dbc.Alert(summary, color="success" if healthy else "danger", id=ids.DIAGNOSTICS_STATUS),
        dbc.Table([html.Tbody(rows)], bordered=False, hover=True, id=ids.DIAGNOSTICS_CHECKS),
        html.P([t("version_label", lang, version=report["version"] or "?"), " · ",
                t("environment_label", lang, environment=report["environment"])],
               className="text-muted small"),
    ])
