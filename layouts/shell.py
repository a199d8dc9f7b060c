"""The frame around every page: a skip link, the navigation with the language switch, who is
signed in, the synthetic-data notice and the page slot. The router fills the header for each
page (it knows the URL, and so the language); assets/hub.js opens and closes the collapsed menu."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.text import other_language, t


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


def skeleton(opened: tuple[str, str] | None = None, header_children=None, page=None,
             title: str | None = None) -> html.Div:
    """What every page load starts with. With `opened` (the pathname and query string the
    browser shows), the header and page come filled in and the URL holds them, so no callback
    runs; without, the URL learns them from the browser and the router callbacks fill both."""
    location = dcc.Location(id=ids.URL, refresh=False) if opened is None else \
        dcc.Location(id=ids.URL, refresh=False, pathname=opened[0], search=opened[1], hash="", href="")
    return html.Div([
        location,
        dcc.Store(id=ids.PAGE_TITLE, data=title),
        html.Div(header_children, id=ids.HEADER),
        dbc.Container(dcc.Loading(html.Main(page, id=ids.PAGE, tabIndex="-1"), delay_show=300,
                                  target_components={ids.PAGE: "children"}), fluid=True),
    ])


def header(visitor: Visitor, current_path: str | None, search: str, lang: str, pathname: str | None = None) -> list:
    """Skip link, navigation bar and notices for the page at `current_path` (its registry
    path; `pathname`, the address itself, when it is longer: /region/SA-01)."""
    notices = [dbc.Alert([html.I(className="bi bi-info-circle me-2", **{"aria-hidden": "true"}),
                          t("synthetic_notice", lang)],
                         color="light", className="py-2 small border mb-2", id=ids.SYNTHETIC_NOTICE)]
    if not visitor.auth_on:
        notices.insert(0, dbc.Alert([html.I(className="bi bi-unlock me-2", **{"aria-hidden": "true"}),
                                     t("auth_off_banner", lang)],
                                    color="warning", className="py-2 small mb-2", id=ids.AUTH_OFF_BANNER))
    return [
        html.A(t("skip_to_content", lang), href=f"#{ids.PAGE}", className="visually-hidden-focusable skip-link"),
        navbar(visitor, current_path, search, lang, pathname or current_path),
        dbc.Container(notices, fluid=True),
    ]


def localised_href(path: str, lang: str) -> str:
    """A link to `path` that keeps the page's language."""
    return path if lang == "en" else f"{path}?lang={lang}"


def language_switch_href(path: str, search: str, lang: str) -> str:
    """The current URL in the other language (assets/hub.js refreshes it on use, because the
    dashboard changes its query string as filters change)."""
    params = dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=True))
    params["lang"] = lang
    return f"{path}?{urlencode(params, safe=',')}"


def navbar(visitor: Visitor, current_path: str | None, search: str, lang: str, pathname: str | None) -> html.Nav:
    items = []
    for link in visitor.links:
        current = link.path == current_path
        items.append(html.Li(html.A(
            t(link.text_key, lang), href=localised_href(link.path, lang), id=link.component_id,
            className="nav-link active" if current else "nav-link", **({"aria-current": "page"} if current else {}),
        ), className="nav-item"))
    other = other_language(lang)
    switch = html.A(t("language_name", other), id=ids.LANGUAGE_SWITCH, lang=other, hrefLang=other,
                    href=language_switch_href(pathname or "/", search, other),
                    className="btn btn-outline-light btn-sm language-switch", **{"data-lang": other})
    return html.Nav(html.Div([
        html.A([html.Span(t("app_title", lang), className="d-none d-xl-inline"),
                html.Span(t("app_short", lang), className="d-xl-none")],
               href=localised_href("/", lang), className="navbar-brand fw-semibold text-wrap"),
        html.Button(html.Span(className="navbar-toggler-icon"), type="button", id=ids.NAV_TOGGLE,
                    className="navbar-toggler", **{"aria-controls": ids.NAV_MENU, "aria-expanded": "false",
                                                    "aria-label": t("nav_toggle", lang)}),
        html.Div([
            html.Ul(items, className="navbar-nav me-auto"),
            html.Div([account_menu(visitor, lang), switch],
                     className="d-flex flex-wrap align-items-center gap-2 py-2 py-lg-0"),
        ], id=ids.NAV_MENU, className="collapse navbar-collapse"),
    ], className="container-fluid"), className="navbar navbar-expand-lg navbar-dark bg-dark mb-3",
        **{"aria-label": t("nav_label", lang), "data-bs-theme": "dark"})


def account_menu(visitor: Visitor, lang: str):
    if not visitor.auth_on or visitor.username is None:
        return None
    role = t(f"role_{visitor.role}", lang)
    return html.Div([
        html.Span([html.I(className="bi bi-person-circle me-1", **{"aria-hidden": "true"}),
                   t("signed_in_as", lang, user=visitor.username, role=role, tenant=visitor.tenant_name)],
                  className="navbar-text small", id=ids.SIGNED_IN_AS),
        html.A(t("nav_password", lang), href=f"/account/password?lang={lang}", id=ids.ACCOUNT_LINK,
               className="btn btn-outline-light btn-sm"),
        html.Form([
            dcc.Input(type="hidden", name="csrf_token", value=visitor.csrf_token),
            html.Button(t("logout", lang), type="submit", className="btn btn-outline-light btn-sm", id=ids.LOGOUT),
        ], method="POST", action="/logout", className="d-inline"),
    ], className="d-flex flex-wrap align-items-center gap-2")
