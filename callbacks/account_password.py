"""Change your password (every signed-in user; forced after a one-time password), with the
command line's rules (issue 14)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State
from flask_login import login_user

from callbacks.admin_common import audited
from data.runtime import runtime
from layouts import ids
from layouts.accounts import password_changed, password_page
from layouts.text import language_of, t
from security import accounts
from security.web import signed_in


def page(_search: str = "", lang: str = "en"):
    account = signed_in()
    return password_page(account.username if account else None, bool(account and account.must_change_password),
                         lang)


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.PASSWORD_RESULT, "children"),
        Input(ids.PASSWORD_SAVE, "n_clicks"),
        State(ids.URL, "search"),
        State(ids.PASSWORD_CURRENT, "value"),
        State(ids.PASSWORD_NEW, "value"),
        State(ids.PASSWORD_REPEAT, "value"),
        prevent_initial_call=True,
    )(change)


def change(_clicks, search, current, new, repeat):
    """Check and store the new password; this session goes on under the account's new
    session version, every other session of the account ends."""
    lang = language_of(search)
    account = signed_in()
    if account is None:
        return dbc.Alert(t("password_sign_in_off", lang), color="secondary")
    problem = _problem(current, new, repeat)
    if problem is None:
        try:
            accounts.change_own_password(runtime.engine, account.username, current, new)
        except accounts.AccountError:
            problem = "password_wrong_current"
    if problem is not None:
        return dbc.Alert(t(problem, lang, length=accounts.MIN_PASSWORD_LENGTH), color="danger")
    renewed, _ = accounts.authenticate(runtime.engine, account.username, new)
    login_user(renewed)
    audited("password_change", user=account.username)
    return password_changed(lang)


def _problem(current, new, repeat) -> str | None:
    if not all(isinstance(v, str) and v for v in (current, new, repeat)):
        return "password_missing"
    if new != repeat:
        return "password_mismatch"
    if len(new) < accounts.MIN_PASSWORD_LENGTH:
        return "password_too_short"
    return "password_same" if new == current else None
