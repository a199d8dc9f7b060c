"""The frame around every page: navigation, who is signed in, the synthetic-data notice,
the page slot."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.text import t


@dataclass(frozen=True)
class NavLink:
    path: str
    text_key: str
    component_id: str


@dataclass(frozen=True)
class Visitor:
    """Who is looking, as the server decided: what the frame shows about them."""
    auth_on: bool
    links: tuple[NavLink, ...]  # the menu entries this visitor may open, in order
    username: str | None = None
    role: str | None = None
    tenant_name: str | None = None
    csrf_token: str | None = None


def shell(visitor: Visitor, lang: str = "en") -> html.Div:
    links = [dbc.NavItem(dbc.NavLink(t(link.text_key, lang), href=link.path, id=link.component_id))
             for link in visitor.links]
    navbar = dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand(t("app_title", lang), href="/", className="fw-semibold"),
            dbc.Nav(links + [account_menu(visitor, lang)], navbar=True, className="ms-auto align-items-center"),
        ], fluid=True),
        color="dark",
        dark=True,
        className="mb-3",
    )
    notices = [dbc.Alert([html.I(className="bi bi-info-circle me-2", **{"aria-hidden": "true"}),
                          t("synthetic_notice", lang)],
                         color="light", className="py-2 small border mb-2", id=ids.SYNTHETIC_NOTICE)]
    if not visitor.auth_on:
        notices.insert(0, dbc.Alert([html.I(className="bi bi-unlock me-2", **{"aria-hidden": "true"}),
                                     t("auth_off_banner", lang)],
                                    color="warning", className="py-2 small mb-2", id=ids.AUTH_OFF_BANNER))
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.PAGE_TITLE),
        navbar,
        dbc.Container(notices, fluid=True),
        dbc.Container(dcc.Loading(html.Main(id=ids.PAGE), delay_show=300, target_components={ids.PAGE: "children"}),
                      fluid=True),
    ], lang=lang, dir="rtl" if lang == "ar" else "ltr")


def account_menu(visitor: Visitor, lang: str):
    if not visitor.auth_on or visitor.username is None:
        return None
    return html.Div([
        html.Span([html.I(className="bi bi-person-circle me-1", **{"aria-hidden": "true"}),
                   t("signed_in_as", lang, user=visitor.username, role=visitor.role, tenant=visitor.tenant_name)],
                  className="navbar-text small me-2", id=ids.SIGNED_IN_AS),
        html.Form([
            dcc.Input(type="hidden", name="csrf_token", value=visitor.csrf_token),
            html.Button(t("logout", lang), type="submit", className="btn btn-outline-light btn-sm", id=ids.LOGOUT),
        ], method="POST", action="/logout", className="d-inline"),
    ], className="d-flex align-items-center ms-3")
