"""The audit log page for stewards: read only."""

from __future__ import annotations

import dash_ag_grid as dag
import pandas as pd
from dash import html

from layouts import ids
from layouts.text import t


def audit_page(entries: pd.DataFrame, lang: str = "en") -> html.Div:
    rows = [{"time": f"{r.occurred_at:%Y-%m-%d %H:%M:%S}", "user": r.username or "", "action": r.action,
             "detail": r.detail, "address": r.client_address or ""} for r in entries.itertuples(index=False)]
    columns = [{"field": f, "headerName": t(k, lang)} for f, k in (
        ("time", "col_time"), ("user", "col_user"), ("action", "col_action"), ("detail", "col_detail"),
        ("address", "col_address"))]
    return html.Div([
        html.H1(t("audit_title", lang), className="h4"),
        html.P(t("audit_intro", lang), className="text-muted small"),
        dag.AgGrid(id=ids.AUDIT_TABLE, rowData=rows, columnDefs=columns, className="ag-theme-alpine",
                   defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1},
                   dashGridOptions={"pagination": True, "paginationPageSize": 20}, style={"height": "640px"}),
    ])
