"""The dashboard page: the headline index and the indicators at a glance."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from data.catalog import INDEX_ID, Catalog
from data.periods import Period
from data.regions import region_name
from layouts import ids
from layouts.components import status_badge
from layouts.format import format_number, format_value
from layouts.text import t


def dashboard_page(snapshot: pd.DataFrame, period: Period, region_code: str,
                   catalog: Catalog, lang: str = "en") -> html.Div:
    """`snapshot` is the data layer's indicator snapshot for the region and quarter."""
    rows = snapshot.set_index("indicator_id")
    return html.Div([
        index_headline(rows.loc[INDEX_ID], period, region_code, catalog, lang),
        html.H2(t("status_grid_title", lang), className="h5 mt-4 mb-3"),
        status_grid(rows, catalog, lang),
    ])


def index_headline(row: pd.Series, period: Period, region_code: str, catalog: Catalog, lang: str) -> dbc.Card:
    indicator = catalog[INDEX_ID]
    value = None if pd.isna(row["value"]) else row["value"]
    shown = format_number(value, indicator.decimals, lang) if value is not None else t("index_insufficient", lang)
    return dbc.Card(dbc.CardBody([
        html.Div(f"{t('index_title', lang)} · {region_name(region_code, lang)} · "
                 f"{t('period_label', lang, period=period)}", className="text-muted"),
        html.Div([
            html.Span(shown, id=ids.INDEX_VALUE, className="display-5 fw-bold me-3"),
            html.Span(indicator.unit(lang), className="text-muted me-3"),
            status_badge(row["status"], lang, id=ids.INDEX_STATUS),
        ], className="d-flex align-items-center flex-wrap"),
    ]), className="shadow-sm")


def status_grid(rows: pd.DataFrame, catalog: Catalog, lang: str) -> html.Div:
    sections = []
    for pillar in catalog.pillars:
        cards = [indicator_tile(rows.loc[i.id], i, lang) for i in catalog.in_pillar(pillar)
                 if i.id != INDEX_ID]
        if cards:
            sections.append(html.Section([
                html.H3(catalog.pillar_name(pillar, lang), className="h6 text-uppercase text-muted"),
                dbc.Row(cards, className="g-2 mb-3"),
            ]))
    return html.Div(sections, id=ids.STATUS_GRID)


def indicator_tile(row: pd.Series, indicator, lang: str) -> dbc.Col:
    value = None if pd.isna(row["value"]) else row["value"]
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(indicator.name(lang), className="small text-muted"),
        html.Div(format_value(value, indicator, lang), className="fs-5 fw-semibold tile-value"),
        status_badge(row["status"], lang),
    ], className="p-2"), className="h-100", id=f"tile-{indicator.id}"), xs=12, sm=6, md=4, xl=3)
