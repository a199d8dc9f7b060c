"""The accounts page (stewards, their own organisation only): list, create, change role,
disable, re-enable, reset password, unlock; every action audited (issue 14)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, no_update
from flask import current_app

from callbacks.admin_common import audited
from data.runtime import runtime
from data.tenancy import current_tenant
from layouts import ids
from layouts.accounts import account_options, one_time_password, users_page, users_table
from layouts.text import language_of, t
from security import account_admin, accounts

AUDIT_ACTION = {"role": "role_change", "disable": "user_disabled", "enable": "user_enabled",
                "reset": "password_reset", "unlock": "user_unlocked"}


def page(_search: str = "", lang: str = "en"):
    return users_page(_users(), lang)


def _users() -> list[dict]:
    return accounts.list_users(runtime.engine, current_tenant().id)


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.USERS_RESULT, "children"),
        Output(ids.USERS_TABLE, "children"),
        Output(ids.USERS_TARGET, "options"),
        Input(ids.USERS_CREATE, "n_clicks"),
        Input(ids.USERS_APPLY, "n_clicks"),
        State(ids.URL, "search"),
        State(ids.USERS_NEW_NAME, "value"),
        State(ids.USERS_NEW_ROLE, "value"),
        State(ids.USERS_TARGET, "value"),
        State(ids.USERS_ACTION, "value"),
        State(ids.USERS_ROLE, "value"),
        prevent_initial_call=True,
    )(manage)


def manage(_create_clicks, _apply_clicks, search, new_name, new_role, target, action, role):
    lang = language_of(search)
    try:
        if ctx.triggered_id == ids.USERS_CREATE:
            result = _create(new_name, new_role, lang)
        else:
            result = _act(target, action, role, lang)
    except account_admin.Refused as refused:
        return dbc.Alert(t(refused.key, lang), color="danger"), no_update, no_update
    users = _users()
    return result, users_table(users, lang), account_options(users)


def _create(name, role, lang: str):
    username, password = account_admin.create(runtime.engine, current_tenant().id, name, role)
    audited("user_created", user=username, role=role)
    return one_time_password(t("users_created", lang, user=username), password)


def _act(target, action, role, lang: str):
    password = account_admin.act(runtime.engine, current_app, current_tenant().id, target, action, role)
    detail = {"user": target, "role": role} if action == "role" else {"user": target}
    audited(AUDIT_ACTION[action], **detail)
    if password is not None:
        return one_time_password(t("users_reset_done", lang, user=target), password)
    return dbc.Alert(t(f"users_done_{action}", lang, user=target, role=t(f"role_{role}", lang)
                       if role in account_admin.ASSIGNABLE_ROLES else ""), color="success")
