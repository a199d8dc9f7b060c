"""The executive overview: the index with its breakdown, every indicator's traffic light,
progress toward targets, and the biggest movers, with downloads for slides and briefs."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from data.catalog import INDEX_ID, catalog
from data.regions import NATIONAL_CODE, region_name
from layouts import ids
from layouts.components import (
    change_text,
    chart,
    chart_heading,
    download_link,
    dropdown,
    headline,
    scroll_hint,
    scroll_region,
    shown_change,
    status_badge,
)
from layouts.figures import target_decimals
from layouts.format import digits, format_number, format_percent, format_period, format_value
from layouts.markup import Markup, static_table
from layouts.text import t

TARGET_COLOURS = {"achieved": "success", "on_track": "success", "at_risk": "warning", "off_track": "danger"}


def executive_layout(options, view, content: dict, search: str, lang: str = "en") -> html.Div:
    periods = [{"label": format_period(p, lang), "value": str(p)} for p in reversed(options.periods)]
    regions = [{"label": region_name(NATIONAL_CODE, lang), "value": NATIONAL_CODE}] + [
        {"label": region_name(code, lang), "value": code} for code in options.regions]
    return html.Div([
        dcc.Location(id=ids.EXECUTIVE_URL, refresh=False, pathname="/executive", search=search, hash="", href=""),
        html.Div(dbc.Row([
            dbc.Col(html.H1(t("exec_title", lang), className="h4 mb-0"), xs=12, md=4),
            dbc.Col([dbc.Label(t("filter_period", lang), html_for=ids.EXEC_PERIOD,
                               className="small mb-0 text-body-secondary"),
                     dropdown(lang, id=ids.EXEC_PERIOD, options=periods, value=str(view.period), clearable=False)],
                    xs=6, md=2),
            dbc.Col([dbc.Label(t("filter_regions", lang), html_for=ids.EXEC_REGIONS,
                               className="small mb-0 text-body-secondary"),
                     dropdown(lang, id=ids.EXEC_REGIONS, options=regions, value=list(view.regions), multi=True,
                                  placeholder=t("filter_regions_placeholder", lang))], xs=12, md=6),
        ], className="g-2 align-items-end"), className="filter-bar py-2 mb-2"),
        dcc.Loading(html.Div(content["body"], id=ids.EXEC_BODY), delay_show=250,
                    overlay_style={"visibility": "visible", "opacity": 0.6}),
    ])


def executive_body(data: dict, lang: str = "en") -> html.Div:
    """`data`: snapshot, breakdown, figure, targets, movers, period, scope, links, png_reason."""
    snapshot = data["snapshot"].set_index("indicator_id")
    return html.Div([
        html.Div([
            download_link(t("download_pdf", lang), data["links"]["pdf"], ids.DOWNLOAD_PDF, data["pdf_reason"]),
            download_link(t("download_xlsx", lang), data["links"]["xlsx"], ids.DOWNLOAD_XLSX, data["xlsx_reason"]),
        ], className="d-flex gap-2 justify-content-end mb-2"),
        headline(snapshot.loc[INDEX_ID], data["period"], data["scope"], lang),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.H2(t("breakdown_heading", lang), className="h6"),
                scroll_hint(lang),
                scroll_region(breakdown_table(data["breakdown"], lang), t("breakdown_heading", lang)),
            ]), className="shadow-sm h-100"), lg=5),
            dbc.Col(dbc.Card(dbc.CardBody([
                chart_heading(data["figure"], ids.EXEC_BREAKDOWN_CHART, "index-breakdown", data["links"]["png"],
                              data["png_reason"], lang),
                chart(ids.EXEC_BREAKDOWN_CHART, data["figure"], lang),
            ]), className="shadow-sm h-100"), lg=7),
        ], className="g-3 my-1"),
        dbc.Row([
            dbc.Col(movers_card(t("improvements_heading", lang), data["movers"], True, ids.EXEC_IMPROVEMENTS,
                                lang), md=6),
            dbc.Col(movers_card(t("deteriorations_heading", lang), data["movers"], False, ids.EXEC_DETERIORATIONS,
                                lang), md=6),
        ], className="g-3 my-1"),
        dbc.Card(dbc.CardBody([html.H2(t("targets_heading", lang), className="h6"),
                               scroll_hint(lang),
                               scroll_region(targets_table(data["targets"], lang), t("targets_heading", lang)),
                               html.P(t("targets_method", lang), className="small text-body-secondary mb-0")]),
                 className="shadow-sm my-3"),
        html.H2(t("grid_heading", lang), className="h6 mt-3"),
        status_grid(snapshot, lang),
    ])


def breakdown_table(breakdown, lang: str) -> Markup:
    rows = []
    for part in breakdown.components.itertuples(index=False):
        indicator = catalog()[part.component]
        rows.append(html.Tr([
            html.Td(indicator.name(lang)),
            html.Td(format_value(None if pd.isna(part.value) else part.value, indicator, lang), className="text-end"),
            html.Td(format_number(None if pd.isna(part.score) else part.score, 1, lang), className="text-end"),
            html.Td(format_percent(part.weight, 0, lang), className="text-end"),
            html.Td(format_number(None if pd.isna(part.contribution) else part.contribution, 2, lang),
                    className="text-end"),
        ]))
    total = format_number(breakdown.value, catalog()[INDEX_ID].decimals, lang) if breakdown.value is not None \
        else t("index_insufficient", lang)
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in
                               ("col_component", "col_raw_value", "col_score", "col_weight", "col_contribution")]))
    foot = html.Tfoot(html.Tr([html.Th(t("breakdown_total", lang), colSpan=4), html.Th(total, className="text-end")]))
    return static_table([head, html.Tbody(rows), foot], id=ids.EXEC_BREAKDOWN_TABLE, hover=True)


def targets_table(targets: list, lang: str) -> Markup:
    rows = []
    for progress in targets:
        indicator = catalog()[progress.indicator_id]
        target = format_number(progress.target, target_decimals(progress.target), lang)
        goal = (t("target_floor" if indicator.direction == "higher" else "target_ceiling", lang, target=target)
                if progress.target_year is None
                else f"{target} {t('target_by', lang, year=digits(str(progress.target_year), lang))}")
        rows.append(html.Tr([
            html.Td(indicator.name(lang)),
            html.Td(goal),
            html.Td(format_value(progress.current, indicator, lang), className="text-end"),
            html.Td("–" if progress.progress_pct is None else format_percent(progress.progress_pct / 100, 0, lang),
                    className="text-end"),
            html.Td(_rate(progress.required_rate, indicator, lang), className="text-end"),
            html.Td(_rate(progress.achieved_rate, indicator, lang), className="text-end"),
            html.Td(dbc.Badge(t(f"target_{progress.status}", lang),
                              color=TARGET_COLOURS.get(progress.status, "secondary"),
                              text_color="dark" if progress.status == "at_risk" else None)),
        ]))
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in (
        "col_indicator", "col_target", "col_current", "col_progress", "col_needed", "col_achieved", "col_status")]))
    return static_table([head, html.Tbody(rows)], id=ids.EXEC_TARGETS, hover=True, className="small")


def _rate(rate, indicator, lang: str) -> str:
    return "–" if rate is None else format_number(rate, indicator.decimals + 1, lang, signed=True)


def _mover(row, improving: bool, lang: str) -> html.Li:
    indicator = catalog()[row.indicator_id]
    change = change_text(shown_change(row.change, indicator)[0], indicator, lang)
    return html.Li([html.Span(indicator.name(lang), className="me-2"),
                    html.Span(html.Bdi(f"{change} {indicator.unit(lang)}"),
                              className="text-better fw-semibold" if improving else "text-worse fw-semibold")])


def movers_card(title: str, movers: pd.DataFrame, improving: bool, component_id: str, lang: str) -> dbc.Card:
    chosen = movers[movers["score_change"] > 0] if improving else movers[movers["score_change"] < 0]
    chosen = chosen.sort_values("score_change", ascending=not improving).head(5)
    items = [_mover(row, improving, lang) for row in chosen.itertuples(index=False)]
    return dbc.Card(dbc.CardBody([
        html.H2(title, className="h6"),
        html.Ol(items, className="mb-0 small") if items else html.P(t("movers_none", lang), className="small mb-0"),
    ]), className="shadow-sm h-100", id=component_id)


def status_grid(snapshot: pd.DataFrame, lang: str) -> html.Div:
    sections = []
    for pillar in catalog().pillars:
        tiles = [_tile(snapshot.loc[i.id], i, lang) for i in catalog().in_pillar(pillar) if i.id in snapshot.index]
        if tiles:
            sections.append(html.Section([
                html.H3(catalog().pillar_name(pillar, lang), className="h6 text-uppercase text-body-secondary"),
                dbc.Row(tiles, className="g-2 mb-3"),
            ]))
    return html.Div(sections, id=ids.EXEC_STATUS_GRID)


def _tile(row: pd.Series, indicator, lang: str) -> dbc.Col:
    value = None if pd.isna(row["value"]) else row["value"]
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(indicator.name(lang), className="small text-body-secondary"),
        html.Div(format_value(value, indicator, lang), className="fw-semibold tile-value"),
        status_badge(row["status"], lang),
    ], className="p-2"), className="h-100", id=ids.status_tile(indicator.id)), xs=6, md=4, xl=2)
