"""The audit log page for stewards: read only."""

from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd
from dash import html

from layouts import ids
from layouts.components import grid_options, scroll_hint, scroll_region
from layouts.format import format_time
from layouts.text import has_text, t


def audit_page(entries: pd.DataFrame, lang: str = "en") -> html.Div:
    rows = [{"time": format_time(r.occurred_at, lang), "user": r.username or "", "action": action_name(r.action, lang),
             "detail": r.detail, "address": r.client_address or ""} for r in entries.itertuples(index=False)]
    columns = [{"field": f, "headerName": t(k, lang)} for f, k in (
        ("time", "col_time"), ("user", "col_user"), ("action", "col_action"), ("detail", "col_detail"),
        ("address", "col_address"))]
    return html.Div([
        html.H1(t("audit_title", lang), className="h4", id=ids.AUDIT_TITLE),
        html.P(t("audit_intro", lang), className="text-muted small"),
        scroll_hint(lang),
        scroll_region(dag.AgGrid(id=ids.AUDIT_TABLE, rowData=rows, columnDefs=columns, className="ag-theme-alpine",
                                  defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1,
                                                 "minWidth": 130},
                                  dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=20)),
                      labelled_by=ids.AUDIT_TITLE, wide=True),
    ])


def action_name(action: str, lang: str) -> str:
    """An audited action in words; an action this version does not know keeps its code."""
    return t(f"action_{action}", lang) if has_text(f"action_{action}") else action
