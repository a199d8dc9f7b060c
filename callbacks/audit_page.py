"""The audit log page: the signed-in steward's tenant only, filtered by action and user."""

from __future__ import annotations

from dash import Input, Output, State

from data.runtime import runtime
from data.tenancy import current_tenant
from layouts import ids
from layouts.audit_page import audit_page, audit_rows, csv_link
from layouts.text import language_of
from security import audit


def page(_search: str = "", lang: str = "en"):
    tenant_id = current_tenant().id
    names, actions = audit.names_and_actions(runtime.engine, tenant_id)
    return audit_page(audit.recent(runtime.engine, tenant_id), names, actions, lang)


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.AUDIT_TABLE, "rowData"),
        Output(ids.AUDIT_DOWNLOAD, "href"),
        Input(ids.AUDIT_FILTER_ACTION, "value"),
        Input(ids.AUDIT_FILTER_USER, "value"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )(filtered)


def filtered(action, user, search):
    """The entries of one action and one user (empty: all); the server reads only the
    tenant's own log, whatever the filters say."""
    lang = language_of(search)
    action = action if isinstance(action, str) else ""
    user = user if isinstance(user, str) else ""
    entries = audit.recent(runtime.engine, current_tenant().id, action=action or None, username=user or None)
    return audit_rows(entries, lang), csv_link(action, user, lang)
