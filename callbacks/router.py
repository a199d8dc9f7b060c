"""The frame of every page, filled in for the page the browser opened (`layout`); the callback
that chooses the page for a new URL (from the registry) and builds it in the URL's language in
one round trip, and the one that builds the header (navigation, language switch, notices)
beside it."""

from __future__ import annotations

from urllib.parse import urlsplit

from dash import Input, Output, State
from flask import g, has_request_context, request

from callbacks.failures import failure_message
from callbacks.registry import landing, navigation, page_for, rest_of
from data import queries
from data.tenancy import current_tenant
from layouts import ids
from layouts.components import message
from layouts.shell import NavLink, Visitor, header, skeleton
from layouts.text import language_of, t
from ops.telemetry import track
from security.payloads import MAX_TEXT
from security.web import allowed, csrf_token, signed_in


def layout():
    """What Dash serves for every page load: the page the browser opened, built in this same
    request, so that the first paint waits for no callback. The layout request does not carry
    the page's address; its Referer does (the app sends `Referrer-Policy: same-origin`). Without
    a usable one, the skeleton, filled by the router callbacks once the URL knows the address."""
    opened = opened_page()
    if opened is None:
        return skeleton()
    page, title = render_page(*opened)
    return skeleton(opened, render_header(*opened), page, title)


def opened_page() -> tuple[str, str] | None:
    """The pathname and query string ("" or "?...") of the page whose layout is asked for,
    from a same-origin Referer within the length any callback would accept; else None."""
    if not has_request_context() or not request.referrer or len(request.referrer) > MAX_TEXT:
        return None
    try:
        address = urlsplit(request.referrer)
    except ValueError:
        return None
    if f"{address.scheme}://{address.netloc}" != request.host_url.rstrip("/") or not address.path.startswith("/"):
        return None
    return address.path, f"?{address.query}" if address.query else ""


def register(app) -> None:
    # Not called at load: the layout comes filled in, or its URL sets the pathname and so calls them
    app.callback(
        Output(ids.PAGE, "children"),
        Output(ids.PAGE_TITLE, "data"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )(render_page)
    app.callback(
        Output(ids.HEADER, "children"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )(render_header)
    # The browser tab names the page, for users and screen readers moving between pages.
    app.clientside_callback(
        "function (title) { if (title) { document.title = title; } }",
        Input(ids.PAGE_TITLE, "data"),
    )


def visitor(lang: str) -> Visitor:
    account = signed_in()
    links = tuple(NavLink(page.path, page.title_key, page.nav_id) for page in navigation())
    if account is None:
        return Visitor(auth_on=g.get("hub_auth", False), links=links)
    return Visitor(auth_on=True, links=links, username=account.username, role=account.role,
                   tenant_name=queries.tenant_name(current_tenant(), lang), csrf_token=csrf_token())


def page_title(page, lang: str = "en") -> str:
    return f"{t(page.title_key, lang)} · {t('app_short', lang)}" if page else t("page_not_found", lang)


def render_header(pathname, search=None):
    """Skip link, navigation (the current page marked), language switch and notices."""
    page = page_for(pathname)
    search = search if isinstance(search, str) else ""
    lang = language_of(search)
    return header(visitor(lang), page.path if page else None, search, lang, pathname if page else None)


def render_page(pathname, search=None):
    """The page at `pathname` for the current user in the URL's language, and its title."""
    page = landing(page_for(pathname))
    search = search if isinstance(search, str) else ""
    lang = language_of(search)
    track("page_view", page=page.path if page else "not_found", query=search)
    if page is None:
        shown = pathname if isinstance(pathname, str) else ""
        return (message(t("page_not_found", lang), t("page_not_found_body", lang, path=shown), "warning", level=1),
                page_title(None, lang))
    if not allowed(page.permission):
        role = t(f"role_{signed_in().role}", lang)
        return (message(t("not_allowed_title", lang), t("not_allowed_body", lang, role=role), "warning", level=1),
                page_title(page, lang))
    try:
        args = (rest_of(page, pathname),) if page.prefix else ()
        return page.module.page(search, lang, *args), page_title(page, lang)
    except Exception as error:
        return failure_message("page", error, lang=lang, level=1, page=page.path), page_title(page, lang)
