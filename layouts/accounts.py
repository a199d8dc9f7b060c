"""The accounts page of an organisation's stewards and the change-password page of every
signed-in user (issue 14)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.components import scroll_hint, scroll_region
from layouts.format import format_time
from layouts.text import t
from security.account_admin import ACTIONS, ASSIGNABLE_ROLES


def users_page(users: list[dict], lang: str) -> html.Div:
    roles = [{"label": t(f"role_{r}", lang), "value": r} for r in ASSIGNABLE_ROLES]
    return html.Div([
        html.H1(t("users_title", lang), className="h4", id="users-title"),
        html.P(t("users_intro", lang), className="small text-body-secondary"),
        scroll_hint(lang),
        html.Div(users_table(users, lang), id=ids.USERS_TABLE),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("users_new_heading", lang), className="h6"),
                dbc.Label(t("users_name", lang), html_for=ids.USERS_NEW_NAME),
                dbc.Input(id=ids.USERS_NEW_NAME, maxLength=64, autoComplete="off"),
                dbc.Label(t("users_role", lang), html_for=ids.USERS_NEW_ROLE, className="mt-2"),
                dbc.Select(id=ids.USERS_NEW_ROLE, options=roles, value="analyst"),
                dbc.Button(t("users_create", lang), id=ids.USERS_CREATE, color="primary", className="mt-3"),
            ])), md=6, className="mb-3"),
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("users_change_heading", lang), className="h6"),
                dbc.Label(t("users_account", lang), html_for=ids.USERS_TARGET),
                dbc.Select(id=ids.USERS_TARGET, options=account_options(users)),
                dbc.Label(t("users_action", lang), html_for=ids.USERS_ACTION, className="mt-2"),
                dbc.Select(id=ids.USERS_ACTION, value="reset",
                           options=[{"label": t(f"users_action_{a}", lang), "value": a} for a in ACTIONS]),
                dbc.Label(t("users_new_role", lang), html_for=ids.USERS_ROLE, className="mt-2"),
                dbc.Select(id=ids.USERS_ROLE, options=roles, value="analyst"),
                dbc.Button(t("users_apply", lang), id=ids.USERS_APPLY, color="secondary", className="mt-3"),
            ])), md=6, className="mb-3"),
        ], className="mt-3"),
        html.Div(id=ids.USERS_RESULT, role="status"),
    ])


def account_options(users: list[dict]) -> list[dict]:
    return [{"label": u["username"], "value": u["username"]} for u in users if u["role"] in ASSIGNABLE_ROLES]


def users_table(users: list[dict], lang: str):
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in (
        "users_name", "users_role", "users_state", "users_last_sign_in")]))
    rows = [html.Tr([
        html.Th(u["username"], scope="row", className="fw-normal"),
        html.Td(t(f"role_{u['role']}", lang)),
        html.Td(_state(u, lang)),
        html.Td(format_time(u["last_login_at"], lang, seconds=False) if u["last_login_at"] else "–"),
    ]) for u in users]
    return scroll_region(dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, className="small mb-0"),
                         labelled_by="users-title")


def _state(user: dict, lang: str) -> str:
    if not user["is_active"]:
        return t("users_disabled", lang)
    return t("users_must_change", lang) if user["must_change_password"] else t("users_active", lang)


def one_time_password(text: str, password: str) -> dbc.Alert:
    """The one-time password, shown this once."""
    return dbc.Alert([html.P(text, className="mb-1"), html.Code(password, className="fs-5", id="one-time-password")],
                     color="success")


# --- change your password ------------------------------------------------------------------

def password_page(username: str | None, forced: bool, lang: str) -> html.Div:
    if username is None:
        return html.Div([html.H1(t("password_title", lang), className="h4"),
                         html.P(t("password_sign_in_off", lang))])
    fields = []
    for component_id, key, autocomplete in ((ids.PASSWORD_CURRENT, "password_current", "current-password"),
                                            (ids.PASSWORD_NEW, "password_new", "new-password"),
                                            (ids.PASSWORD_REPEAT, "password_repeat", "new-password")):
        fields += [dbc.Label(t(key, lang), html_for=component_id, className="mt-2"),
                   dbc.Input(id=component_id, type="password", autoComplete=autocomplete, maxLength=200)]
    return html.Div([
        html.H1(t("password_title", lang), className="h4"),
        dbc.Alert(t("password_forced", lang), color="warning") if forced else None,
        html.P(t("password_rules", lang), className="small text-body-secondary"),
        html.Div([*fields, dbc.Button(t("password_save", lang), id=ids.PASSWORD_SAVE, color="primary",
                                      className="mt-3")], style={"maxWidth": "24rem"}),
        html.Div(id=ids.PASSWORD_RESULT, className="mt-3", role="status"),
    ])


def password_changed(lang: str) -> dbc.Alert:
    return dbc.Alert([t("password_changed", lang), " ", dcc.Link(t("password_continue", lang), href=f"/?lang={lang}",
                                                                  className="alert-link")],
                     color="success")
