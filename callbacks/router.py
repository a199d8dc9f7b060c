"""The frame of every page, and the one callback that chooses the page for the URL (from
the registry) and builds it with its data in one round trip."""

from __future__ import annotations

from dash import Input, Output, State
from flask import g

from callbacks.failures import failure_message
from callbacks.registry import landing, navigation, page_for
from data import queries
from data.tenancy import current_tenant
from layouts import ids
from layouts.components import message
from layouts.shell import NavLink, Visitor, shell
from layouts.text import t
from ops.telemetry import track
from security.web import allowed, csrf_token, signed_in


def layout():
    """The frame for whoever asks (Dash calls this for every page load)."""
    account = signed_in()
    links = tuple(NavLink(page.path, page.title_key, page.nav_id) for page in navigation())
    if account is None:
        return shell(Visitor(auth_on=g.get("hub_auth", False), links=links))
    return shell(Visitor(auth_on=True, links=links, username=account.username, role=account.role,
                         tenant_name=queries.tenant_name(current_tenant()), csrf_token=csrf_token()))


def register(app) -> None:
    app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.PAGE_TITLE, "data"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )(render_page)
    # The browser tab names the page, for users and screen readers moving between pages.
    app.clientside_callback(
        "function (title) { if (title) { document.title = title; } }",
        Input(ids.PAGE_TITLE, "data"),
    )


def page_title(page) -> str:
    return f"{t(page.title_key)} · {t('app_short')}" if page else t("page_not_found")


def render_page(pathname, search=None):
    """The page at `pathname` for the current user, and its title."""
    page = landing(page_for(pathname))
    search = search if isinstance(search, str) else ""
    track("page_view", page=page.path if page else "not_found", query=search)
    if page is None:
        shown = pathname if isinstance(pathname, str) else ""
        return message(t("page_not_found"), t("page_not_found_body", path=shown), "warning"), page_title(None)
    if not allowed(page.permission):
        return message(t("not_allowed_title"), t("not_allowed_body", role=signed_in().role), "warning"), \
            page_title(page)
    try:
        return page.module.page(search), page_title(page)
    except Exception as error:
        return failure_message("page", error, page=page.path), page_title(page)
