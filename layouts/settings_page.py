"""The Settings page: the shared cache and its Clear Cache button."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from layouts import ids
from layouts.format import format_integer
from layouts.text import t


def settings_page(backend: str, entries: int | None, lang: str = "en") -> html.Div:
    return html.Div([
        html.H1(t("settings_title", lang), className="h4 mb-3"),
        dbc.Card([
            dbc.CardHeader(html.H2(t("settings_cache_title", lang), className="h6 mb-0 fw-semibold")),
            dbc.CardBody([
                html.P(t("settings_cache_body", lang), className="small"),
                html.P(cache_state(backend, entries, lang), className="small text-muted",
                       id=ids.SETTINGS_CACHE_STATE),
                dbc.Button([html.I(className="bi bi-trash3 me-1", **{"aria-hidden": "true"}),
                            t("settings_clear_cache", lang)],
                           id=ids.SETTINGS_CLEAR_CACHE, color="warning"),
                html.Div(id=ids.SETTINGS_CACHE_RESULT, className="mt-3", role="status"),
            ]),
        ], className="mb-3"),
    ])


def cache_state(backend: str, entries: int | None, lang: str = "en") -> str:
    count = format_integer(entries, lang) if entries is not None else t("diag_not_counted", lang)
    return t("settings_cache_state", lang, backend=backend, entries=count)


def cache_cleared(backend: str, entries: int | None, lang: str = "en") -> dbc.Alert:
    if backend == "NullCache":
        return dbc.Alert(t("settings_cache_off", lang), color="secondary")
    if entries is None:
        return dbc.Alert(t("settings_cleared_this_worker", lang), color="warning")
    return dbc.Alert(t("settings_cleared", lang, entries=format_integer(entries, lang), backend=backend),
                     color="success")

