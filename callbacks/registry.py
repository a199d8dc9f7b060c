"""The page registry: one record a page. The router, the navigation, each page's <title>,
the role checks on every callback and the role-matrix tests all derive from it.

Adding a page: a layout module in layouts/, a callback module in callbacks/ with
`page(search, lang)` (and `register(callbacks)` when it has callbacks), an entry in PAGES and
its text keys in both languages. The router passes the URL's language; a callback reads it
from the URL with `language_of(search)` (add `State(ids.URL, "search")` when it has no search).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import ModuleType

from werkzeug.exceptions import Forbidden

from callbacks import (
    account_password,
    admin_history,
    admin_targets,
    admin_users,
    admin_weights,
    audit_page,
    dashboard,
    data_page,
    diagnostics,
    executive,
    profile,
    quality_page,
    settings_page,
)
from security.web import PASSWORD_PATH, allowed, must_change_password

MAIN_MENU = "main"  # where a page's link goes; None keeps a page out of the navigation


@dataclass(frozen=True)
class Page:
    slug: str  # names the page's navigation link id: nav-<slug>
    path: str  # lower case, no trailing slash
    title_key: str  # text of its navigation link and <title>
    module: ModuleType  # page(search, lang) builds it; register(callbacks) wires its callbacks
    permission: str  # see security/roles.py
    nav: str | None = MAIN_MENU
    prefix: bool = False  # also serves path/<rest>; its page() gets `rest` as a third argument

    @property
    def nav_id(self) -> str:
        return f"nav-{self.slug}"


# in menu order
PAGES: tuple[Page, ...] = (
    Page("dashboard", "/", "nav_dashboard", dashboard, "dashboard"),
    Page("executive", "/executive", "nav_executive", executive, "dashboard"),
    Page("profile", "/region", "nav_profile", profile, "dashboard", nav=None, prefix=True),
    Page("diagnostics", "/diagnostics", "nav_diagnostics", diagnostics, "diagnostics"),
    Page("settings", "/settings", "nav_settings", settings_page, "settings"),
    Page("audit", "/audit", "nav_audit", audit_page, "audit"),
    Page("data", "/data", "nav_data", data_page, "data"),  # issue 10
    Page("quality", "/quality", "nav_quality", quality_page, "quality"),  # issue 10
    Page("targets", "/admin/targets", "nav_targets", admin_targets, "manage_settings"),
    Page("weights", "/admin/weights", "nav_weights", admin_weights, "manage_settings"),
    Page("users", "/admin/users", "nav_users", admin_users, "manage_users"),
    Page("history", "/admin/history", "nav_history", admin_history, "manage_settings", nav=None),
    Page("password", "/account/password", "nav_password", account_password, "change_password", nav=None),
)
_BY_PATH = {page.path: page for page in PAGES}


def page_for(pathname) -> Page | None:
    """The page at a URL path (any case, with or without a trailing slash), or None."""
    if not isinstance(pathname, str):
        return None
    path = pathname.rstrip("/").lower() or "/"
    if path in _BY_PATH:
        return _BY_PATH[path]
    head = path.rsplit("/", 1)[0]
    page = _BY_PATH.get(head)
    return page if page is not None and page.prefix else None


def rest_of(page: Page, pathname: str) -> str:
    """What follows a prefix page's path in `pathname` (one path segment, original case)."""
    return pathname.rstrip("/")[len(page.path) + 1:]


def landing(page: Page | None) -> Page | None:
    """The page to show for `page`: the home page sends a role that may not see it (ops) to
    the first page of the menu it may open, instead of a dead end."""
    if must_change_password():  # signed in with a one-time password: nowhere else first
        return _BY_PATH[PASSWORD_PATH]
    if page is None or page.path != "/" or allowed(page.permission):
        return page
    return next(iter(navigation()), page)


def navigation() -> list[Page]:
    """The pages in the main menu that the current request may open, in order."""
    return [page for page in PAGES if page.nav == MAIN_MENU and allowed(page.permission)]


def require(permission: str, func):
    """`func`, refused with 403 before it runs unless the request may do `permission`."""

    @functools.wraps(func)
    def guarded(*args, **kwargs):
        if not allowed(permission):
            raise Forbidden(f"your role may not use this ({permission})")
        return func(*args, **kwargs)

    return guarded


class PageCallbacks:
    """The app as a page's module sees it: `callback` registers like `app.callback`, with
    the page's permission checked on the server before the function runs."""

    def __init__(self, app, page: Page, owners: dict[str, Page]):
        self._app, self._page, self._owners = app, page, owners

    def callback(self, *args, **kwargs):
        def register(func):
            before = set(self._app.callback_map)
            self._app.callback(*args, **kwargs)(require(self._page.permission, func))
            for key in set(self._app.callback_map) - before:
                self._owners[key] = self._page
            return func

        return register

    def clientside_callback(self, *args, **kwargs) -> None:
        """A callback that runs in the browser on what the page already holds: it reads no
        data from the server, so there is no permission to check."""
        self._app.clientside_callback(*args, **kwargs)


def register_page_callbacks(app) -> dict[str, Page]:
    """Wire every page's callbacks through its permission; returns {callback key: page}."""
    owners: dict[str, Page] = {}
    for page in PAGES:
        if hasattr(page.module, "register"):
            page.module.register(PageCallbacks(app, page, owners))
    return owners
