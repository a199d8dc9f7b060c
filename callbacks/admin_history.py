"""The history of the organisation's targets or weights (`kind=` in the URL): every version
side by side, and any old one restored as a new version (issue 14)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from dash import Input, Output, State

from callbacks.admin_common import actor, audited, read_number, success
from data import stewardship
from data.runtime import runtime
from data.stewardship import KINDS, WEIGHTS, SettingError, tenant_catalog
from data.tenancy import current_tenant
from layouts import ids
from layouts.format import format_integer
from layouts.stewardship import history_page, problems_alert
from layouts.text import language_of, t

ACTION = {"weights": "weights_change", "targets": "target_change"}


def kind_of(search) -> str:
    """The setting the URL names; the weights when it names none or something else."""
    kind = dict(parse_qsl((search or "").lstrip("?"))).get("kind") if isinstance(search, str) else None
    return kind if kind in KINDS else WEIGHTS


def page(search: str = "", lang: str = "en"):
    tenant = current_tenant()
    kind = kind_of(search)
    return history_page(kind, stewardship.history(runtime.engine, tenant.id, kind), tenant_catalog(tenant), lang)


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.HISTORY_RESULT, "children"),
        Input(ids.HISTORY_RESTORE, "n_clicks"),
        State(ids.URL, "search"),
        State(ids.HISTORY_VERSION, "value"),
        State(ids.SETTING_REASON, "value"),
        prevent_initial_call=True,
    )(restore)


def restore(_clicks, search, version, reason):
    lang = language_of(search)
    tenant = current_tenant()
    kind = kind_of(search)
    number = read_number(version)
    try:
        if number is None or not number.is_integer():
            raise SettingError([("version_unknown", {"version": version})])
        new = stewardship.restore(runtime.engine, tenant.id, kind, int(number), reason, actor())
    except SettingError as refused:
        return problems_alert(refused.problems, tenant_catalog(tenant), lang)
    audited(ACTION[kind], version=new, restored_from=int(number), reason=reason.strip())
    return success(t("history_restored", lang, version=format_integer(new, lang),
                     old=format_integer(int(number), lang)))
