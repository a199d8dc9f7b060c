"""The data quality page (analysts and stewards): completeness heatmap and missing cells,
freshness, counts by quality flag, values that stand out, and the history of load batches."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from data.catalog import catalog
from data.periods import parse_period
from data.regions import region_name
from layouts import ids
from layouts.components import chart, chart_text, scroll_region
from layouts.figures import base_layout, describe
from layouts.format import format_integer, format_percent, format_period, format_time
from layouts.insight import anomaly_section
from layouts.markup import static_table
from layouts.text import t

SHOWN_MISSING = 200
SHOWN_BATCHES = 50


@dataclass(frozen=True)
class Quality:
    shares: pd.DataFrame  # indicator x period: share of regions with a value
    missing: pd.DataFrame
    freshness: pd.DataFrame
    flags: pd.DataFrame
    batches: pd.DataFrame
    outliers: pd.DataFrame | None  # values that stand out; None while being computed


def quality_page(quality: Quality, lang: str = "en") -> html.Div:
    figure = completeness_figure(quality.shares, lang).to_plotly_json()
    return html.Div([
        html.H1(t("quality_title", lang), className="h4", id=ids.QUALITY_TITLE),
        html.P(t("quality_intro", lang), className="text-muted small"),
        _card(t("quality_completeness", lang), [
            *chart_text(figure, lang, heading_level=3),
            chart(ids.QUALITY_HEATMAP, figure, lang),
            _missing(quality.missing, lang)]),
        _card(t("quality_freshness", lang), [html.P(t("quality_freshness_rule", lang), className="small"),
                                              _freshness(quality.freshness, lang)], id=ids.QUALITY_FRESHNESS),
        _card(t("quality_flags", lang), [_flags(quality.flags, lang)], id=ids.QUALITY_FLAGS),
        html.Div(anomaly_section(quality.outliers, lang), id=ids.QUALITY_OUTLIERS),
        _card(t("quality_batches", lang), [_batches(quality.batches, lang)], id=ids.QUALITY_BATCHES),
    ])


def _card(title: str, body: list, **props) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(html.H2(title, className="h6 mb-0 fw-semibold")), dbc.CardBody(body)],
                    className="mb-3", **props)


def completeness_figure(shares: pd.DataFrame, lang: str) -> go.Figure:
    names = [catalog()[i].name(lang) for i in shares.index]
    periods = [format_period(parse_period(p), lang) for p in shares.columns]
    z = (shares.fillna(0) * 100).round(0).to_numpy()
    figure = go.Figure(go.Heatmap(z=z, x=periods, y=names, zmin=0, zmax=100, colorscale="Blues",
                                  colorbar=dict(title="%"), hovertemplate="%{y}<br>%{x}: %{z:.0f}%<extra></extra>"))
    title = t("quality_heatmap_title", lang)
    figure.update_layout(**base_layout(title, height=120 + 24 * len(names), lang=lang))
    figure.update_layout(margin=dict(l=220, r=24, t=48, b=40), yaxis=dict(autorange="reversed"))
    complete = int((shares.fillna(0) >= 1).to_numpy().sum())
    summary = t("quality_heatmap_summary", lang, complete=format_integer(complete, lang),
                cells=format_integer(shares.size, lang))
    rows = [[name, *(format_percent(v, 0, lang) for v in shares.loc[i].fillna(0))]
            for name, i in zip(names, shares.index, strict=True)]
    return describe(figure, title, summary, [t("intake_col_indicator", lang), *periods], rows)


def _table(head: list[str], body: list[list], label: str):
    table = static_table([html.Thead(html.Tr([html.Th(c, scope="col") for c in head])),
                          html.Tbody([html.Tr([html.Td(str(cell)) for cell in row]) for row in body])],
                         className="small mb-2 table-striped")
    return scroll_region(table, label)


def _missing(missing: pd.DataFrame, lang: str):
    title = t("quality_missing", lang, count=format_integer(len(missing), lang))
    if missing.empty:
        return html.P(t("quality_nothing_missing", lang), className="small", id=ids.QUALITY_MISSING)
    body = [[catalog()[r.indicator_id].name(lang), region_name(r.region_code, lang),
             format_period(parse_period(r.period), lang)] for r in missing.head(SHOWN_MISSING).itertuples(index=False)]
    head = [t(k, lang) for k in ("intake_col_indicator", "intake_col_region", "intake_col_period")]
    return html.Details([html.Summary(title, className="small"), _table(head, body, title)], id=ids.QUALITY_MISSING)


def _freshness(rows: pd.DataFrame, lang: str):
    head = [t(k, lang) for k in ("intake_col_period", "quality_deadline", "quality_loaded", "quality_status")]
    body = [[format_period(r.period, lang), r.deadline.isoformat(), r.loaded.isoformat() if r.loaded else "-",
             t(f"quality_fresh_{r.status}", lang)] for r in rows.itertuples(index=False)]
    return _table(head, body, t("quality_freshness", lang))


def _flags(flags: pd.DataFrame, lang: str):
    head = [t("quality_flag", lang), t("quality_observations", lang)]
    body = [[t(f"quality_flag_{r.quality_flag}", lang), format_integer(int(r.observations), lang)]
            for r in flags.itertuples(index=False)]
    return _table(head, body, t("quality_flags", lang))


def _batches(batches: pd.DataFrame, lang: str):
    head = [t(k, lang) for k in ("quality_batch_when", "quality_batch_who", "quality_batch_file",
                                 "quality_batch_source", "quality_batch_rows", "quality_batch_state")]
    body = [[format_time(r.loaded_at, lang), r.uploaded_by or "-", r.file_name or r.description or "-",
             r.source_system, format_integer(int(r.row_count), lang),
             t("quality_rolled_back" if r.rolled_back else "quality_in_force", lang)]
            for r in batches.head(SHOWN_BATCHES).itertuples(index=False)]
    return _table(head, body, t("quality_batches", lang))
