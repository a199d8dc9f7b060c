"""The audit log page for stewards: read only, each entry's detail in words, filtered by
action and user, downloadable as CSV (issue 14)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from layouts import ids
from layouts.components import grid_options, scroll_hint, scroll_region
from layouts.format import format_time
from layouts.text import has_text, t


def audit_page(entries: pd.DataFrame, names: list[str], actions: list[str], lang: str = "en") -> html.Div:
    columns = [{"field": f, "headerName": t(k, lang)} for f, k in (
        ("time", "col_time"), ("user", "col_user"), ("action", "col_action"), ("detail", "col_detail"),
        ("address", "col_address"))]
    every = {"label": t("audit_all", lang), "value": ""}
    return html.Div([
        html.H1(t("audit_title", lang), className="h4", id=ids.AUDIT_TITLE),
        html.P(t("audit_intro", lang), className="text-muted small"),
        dbc.Row([
            dbc.Col([dbc.Label(t("audit_filter_action", lang), html_for=ids.AUDIT_FILTER_ACTION, className="small"),
                     dbc.Select(id=ids.AUDIT_FILTER_ACTION, value="", size="sm", options=[every] + [
                         {"label": action_name(a, lang), "value": a} for a in actions])], xs=12, md=4),
            dbc.Col([dbc.Label(t("audit_filter_user", lang), html_for=ids.AUDIT_FILTER_USER, className="small"),
                     dbc.Select(id=ids.AUDIT_FILTER_USER, value="", size="sm",
                                options=[every] + [{"label": n, "value": n} for n in names])], xs=12, md=4),
            dbc.Col(html.A([html.I(className="bi bi-download me-1", **{"aria-hidden": "true"}),
                            t("audit_download", lang)], href=csv_link("", "", lang), id=ids.AUDIT_DOWNLOAD,
                           className="btn btn-outline-primary btn-sm"), xs=12, md=4),
        ], className="g-2 align-items-end mb-2"),
        scroll_hint(lang),
        scroll_region(dag.AgGrid(id=ids.AUDIT_TABLE, rowData=audit_rows(entries, lang), columnDefs=columns,
                                  className="ag-theme-alpine",
                                  defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1,
                                                 "minWidth": 130, "wrapText": True, "autoHeight": True},
                                  dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=20)),
                      labelled_by=ids.AUDIT_TITLE, wide=True),
    ])


def audit_rows(entries: pd.DataFrame, lang: str) -> list[dict]:
    return [{"time": format_time(r.occurred_at, lang), "user": r.username or "", "action": action_name(r.action, lang),
             "detail": detail_text(r.detail, lang), "address": r.client_address or ""}
            for r in entries.itertuples(index=False)]


def csv_link(action: str, user: str, lang: str) -> str:
    params = {k: v for k, v in (("action", action), ("user", user)) if v}
    if lang != "en":
        params["lang"] = lang
    return "/export/audit.csv" + ("?" + urlencode(params) if params else "")


def action_name(action: str, lang: str) -> str:
    """An audited action in words; an action this version does not know keeps its code."""
    return t(f"action_{action}", lang) if has_text(f"action_{action}") else action


def detail_text(detail: str, lang: str) -> str:
    """An entry's detail in words ("Reason: …; Version: 2"), not JSON; empty values left out.
    Detail that is not a JSON object (older entries) is shown as it is."""
    try:
        fields = json.loads(detail) if detail else {}
    except ValueError:
        return detail
    if not isinstance(fields, dict):
        return detail
    return "; ".join(f"{_field_name(key, lang)}: {_field_value(key, value, lang)}"
                     for key, value in fields.items() if value not in (None, "", [], {}))


def _field_name(key: str, lang: str) -> str:
    return t(f"audit_field_{key}", lang) if has_text(f"audit_field_{key}") else key


def _field_value(key: str, value, lang: str) -> str:
    if key == "role" and has_text(f"role_{value}"):
        return t(f"role_{value}", lang)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
