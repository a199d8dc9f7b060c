"""Forecasts and values that stand out, drawn and written: the forecast as a dashed line with
its 80% and 95% bands added to a trend figure, marks on the values that stand out, the
sentence of the forecast's track record, and the list of values that stand out (for the
profile and the /quality page: `anomaly_section`)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from data import anomalies, forecasts
from data.catalog import Indicator, catalog
from data.periods import Period
from data.regions import region_name
from layouts import ids
from layouts.components import scroll_region
from layouts.format import digits, format_integer, format_number, format_period, format_value
from layouts.markup import static_table
from layouts.text import t

FORECAST_COLOUR = "#6f42c1"
BAND_FILL = {80: "rgba(111,66,193,0.22)", 95: "rgba(111,66,193,0.10)"}
MARK_COLOUR = "#d63384"
ANOMALIES_LISTED = 20


def add_forecast(figure: go.Figure, points: pd.DataFrame, indicator: Indicator, lang: str) -> go.Figure:
    """The forecast as a dashed line, with its 95% and 80% bands when it has them; the
    category axis is extended by the forecast quarters."""
    if points.empty:
        return figure
    labels = [format_period(Period(int(y), int(q)), lang) for y, q in zip(points["year"], points["quarter"],
                                                                             strict=True)]
    for level in (95, 80):
        if points[f"lo{level}"].notna().all():
            figure.add_trace(go.Scatter(
                x=labels + labels[::-1], y=[*points[f"hi{level}"], *points[f"lo{level}"][::-1]], fill="toself",
                fillcolor=BAND_FILL[level], line=dict(width=0), hoverinfo="skip",
                name=t("forecast_band", lang, level=format_integer(level, lang))))
    shown = [format_number(v, indicator.decimals, lang) for v in points["forecast"]]
    figure.add_trace(go.Scatter(
        x=labels, y=points["forecast"].tolist(), mode="lines+markers", name=t("forecast_line", lang),
        line=dict(color=FORECAST_COLOUR, dash="dash", width=2), marker=dict(size=4),
        text=[f"{p}: {v} {indicator.unit(lang)}" for p, v in zip(labels, shown, strict=True)],
        hovertemplate="%{text}<extra>%{fullData.name}</extra>"))
    axis = figure.layout.xaxis.categoryarray
    if axis is not None:
        figure.update_xaxes(categoryarray=[*axis, *[x for x in labels if x not in axis]])
    figure.update_yaxes(autorange=True, range=None)
    return figure


def add_marks(figure: go.Figure, marks: pd.DataFrame, indicator: Indicator, lang: str) -> go.Figure:
    """Circle the values that stand out (marks: region_code, year, quarter, value, expected)."""
    if marks is None or marks.empty:
        return figure
    labels = [format_period(Period(int(y), int(q)), lang) for y, q in zip(marks["year"], marks["quarter"],
                                                                            strict=True)]
    text = [t("mark_hover", lang, region=region_name(c, lang), value=format_value(v, indicator, lang),
              expected=format_value(e, indicator, lang))
            for c, v, e in zip(marks["region_code"], marks["value"], marks["expected"], strict=True)]
    figure.add_trace(go.Scatter(
        x=labels, y=marks["value"].tolist(), mode="markers", name=t("mark_name", lang), text=text,
        marker=dict(size=13, symbol="circle-open", color=MARK_COLOUR, line=dict(width=2.5)),
        hovertemplate="%{text}<extra></extra>"))
    return figure


def track_record(skill: dict | None, reason: str | None, lang: str) -> str:
    """The forecast's backtest in a sentence, or why there is no forecast (or no interval)."""
    if reason is not None:
        return t(f"forecast_reason_{reason}", lang)
    held = t("forecast_held", lang, held=format_integer(int(skill["held80"]), lang),
             tested=format_integer(int(skill["tested"]), lang),
             mase=format_number(skill["mase"], 2, lang), naive=format_number(skill["mase_naive"], 2, lang))
    return held + (" " + t("forecast_naive_shown", lang) if skill["model"] == forecasts.NAIVE else "")


def anomaly_table(found: pd.DataFrame | None, lang: str, table_id: str = "anomaly-table"):
    """The values that stand out, largest first; a sentence while computing or when none."""
    if found is None or found.empty:
        return html.P(t("unusual_computing" if found is None else "unusual_none", lang), className="small mb-0",
                      id=table_id)
    rows = []
    for row in found.head(ANOMALIES_LISTED).itertuples(index=False):
        indicator = catalog()[row.indicator_id]
        rows.append(html.Tr([
            html.Td(indicator.name(lang)), html.Td(region_name(row.region_code, lang)),
            html.Td(format_period(Period(int(row.year), int(row.quarter)), lang)),
            html.Td(format_value(row.value, indicator, lang), className="text-end"),
            html.Td(format_value(row.expected, indicator, lang), className="text-end"),
            html.Td(format_number(row.score, 1, lang, signed=True), className="text-end"),
        ]))
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in (
        "col_indicator", "col_region", "col_period", "col_value", "col_expected", "col_anomaly_score")]))
    return scroll_region(static_table([head, html.Tbody(rows)], id=table_id), t("unusual_heading", lang))


def anomaly_section(found: pd.DataFrame | None, lang: str = "en") -> dbc.Card:
    """Every value that stands out in a tenant's data (None while computing), for /quality."""
    return dbc.Card(dbc.CardBody([
        html.H2(t("unusual_heading", lang), className="h6"),
        anomaly_table(found, lang, "quality-anomalies"),
        unusual_method(lang),
    ]), className="shadow-sm my-3")


def unusual_method(lang: str) -> html.P:
    return html.P(t("unusual_method", lang, threshold=format_number(anomalies.THRESHOLD, 0, lang),
                    shift=format_number(anomalies.SHIFT_THRESHOLD, 0, lang)),
                  className="small text-body-secondary mt-2 mb-0")


def narrative_card(sentences: list[str], component_id: str, lang: str) -> dbc.Card:
    return dbc.Card(dbc.CardBody([html.H2(t("story_heading", lang), className="h6"),
                                  html.Div([html.P(s, className="mb-1") for s in sentences], id=component_id)]),
                    className="shadow-sm mb-3")


def outlook_list(targets, component_id: str, lang: str):
    """Each target's outlook from the forecast, or why there is none yet."""
    if targets is None:
        return html.P(t("story_outlook_computing", lang), className="small mb-0", id=component_id)
    return html.Ul([html.Li(t(f"story_outlook_{outlook}", lang, name=catalog()[i].name(lang),
                              year=digits(str(year), lang) if year else ""))
                    for i, outlook, year in targets], className="small mb-0", id=component_id)


def executive_insight(sentences: list[str], targets, code: str | None, query: str, lang: str) -> dbc.Row:
    """The executive page's summary in words, beside the target outlook and the link to the
    profile of the selection (when it is one place)."""
    link = [dcc.Link(t("profile_link", lang, place=region_name(code, lang)), href=f"/region/{code}{query}",
                     id=ids.PROFILE_LINK, className="btn btn-outline-primary btn-sm")] if code else []
    outlook = html.P(t("story_outlook_combined", lang), className="small mb-0", id=ids.EXEC_OUTLOOK) \
        if code is None else outlook_list(targets, ids.EXEC_OUTLOOK, lang)
    return dbc.Row([
        dbc.Col(narrative_card(sentences, ids.EXEC_NARRATIVE, lang), lg=8),
        dbc.Col(dbc.Card(dbc.CardBody([html.H2(t("outlook_heading", lang), className="h6"), outlook,
                                       html.Div(link, className="mt-2")]), className="shadow-sm mb-3"), lg=4),
    ], className="g-3")


def trend_controls(profile_href: str, profile_text: str, lang: str) -> html.Div:
    """Under the dashboard's trend chart: the forecast toggle (off by default) and the link to
    the selection's profile (kept up to date by the dashboard's callback)."""
    return html.Div([
        dbc.Checklist(id=ids.TREND_FORECAST, value=[], switch=True, className="small",
                      options=[{"label": t("forecast_toggle", lang), "value": "show"}]),
        dcc.Link(profile_text, href=profile_href, id=ids.PROFILE_LINK, className="small"),
    ], className="d-flex flex-wrap gap-3 align-items-center mt-1")
