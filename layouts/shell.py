"""The frame around every page: navigation, the synthetic-data notice, the page slot."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.text import t


def shell(lang: str = "en") -> html.Div:
    navbar = dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand(t("app_title", lang), href="/", className="fw-semibold"),
            dbc.Nav([
                dbc.NavItem(dbc.NavLink(t("nav_dashboard", lang), href="/", id=ids.NAV_DASHBOARD)),
                dbc.NavItem(dbc.NavLink(t("nav_diagnostics", lang), href="/diagnostics",
                                        id=ids.NAV_DIAGNOSTICS)),
            ], navbar=True, className="ms-auto"),
        ], fluid=True),
        color="dark",
        dark=True,
        className="mb-3",
    )
    notice = dbc.Container(
        dbc.Alert([html.I(className="bi bi-info-circle me-2", **{"aria-hidden": "true"}),
                   t("synthetic_notice", lang)],
                  color="light", className="py-2 small border", id="synthetic-notice"),
        fluid=True,
    )
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        navbar,
        notice,
        dbc.Container(dcc.Loading(html.Main(id=ids.PAGE), delay_show=300), fluid=True),
    ], lang=lang, dir="rtl" if lang == "ar" else "ltr")
