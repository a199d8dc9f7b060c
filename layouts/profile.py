"""A region's (or the nation's) profile: every indicator with its standing among the regions,
the index and its breakdown, strongest and weakest indicators, the forecast of the chosen
indicator with its track record, the target outlook, the values that stand out and the
summary in words."""

from __future__ import annotations

from dataclasses import replace

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from data.catalog import catalog
from data.regions import NATIONAL_CODE, region_name
from layouts import ids
from layouts.components import (
    change_text,
    chart,
    chart_heading,
    download_link,
    dropdown,
    headline,
    message,
    number_or_none,
    scroll_hint,
    scroll_region,
    shown_change,
    status_badge,
)
from layouts.executive import breakdown_table
from layouts.figures import sparkline_svg
from layouts.format import format_integer, format_period, format_value
from layouts.insight import anomaly_table, narrative_card, outlook_list, track_record, unusual_method
from layouts.markup import static_table
from layouts.text import t


def profile_layout(options, view, code: str, content: dict, search: str, lang: str = "en") -> html.Div:
    periods = [{"label": format_period(p, lang), "value": str(p)} for p in reversed(options.periods)]
    indicators = [{"label": catalog()[i].name(lang), "value": i} for i in options.indicators]
    return html.Div([
        dcc.Location(id=ids.PROFILE_URL, refresh=False, pathname=f"/region/{code}", search=search, hash="", href=""),
        html.Div(dbc.Row([
            dbc.Col(html.H1(t("profile_title", lang, place=region_name(code, lang)), className="h4 mb-0"), xs=12, md=4),
            dbc.Col([dbc.Label(t("filter_period", lang), html_for=ids.PROFILE_PERIOD,
                               className="small mb-0 text-body-secondary"),
                     dropdown(lang, id=ids.PROFILE_PERIOD, options=periods, value=str(view.period), clearable=False)],
                    xs=12, md=3),
            dbc.Col([dbc.Label(t("profile_forecast_indicator", lang), html_for=ids.PROFILE_INDICATOR,
                               className="small mb-0 text-body-secondary"),
                     dropdown(lang, id=ids.PROFILE_INDICATOR, options=indicators, value=view.indicator,
                              clearable=False)], xs=12, md=5),
        ], className="g-2 align-items-end"), className="filter-bar py-2 mb-2"),
        region_menu(options.regions, code, content["query"], lang),
        dcc.Loading(html.Div(content["body"], id=ids.PROFILE_BODY), delay_show=250,
                    overlay_style={"visibility": "visible", "opacity": 0.6}),
    ])


def region_menu(regions, code: str, query: str, lang: str) -> html.Details:
    """Links to the profile of the nation and of every region, keeping the view."""
    links = [html.Li(html.Strong(region_name(c, lang), **{"aria-current": "page"}) if c == code else
                     dcc.Link(region_name(c, lang), href=f"/region/{c}{query}"), className="list-inline-item")
             for c in (NATIONAL_CODE, *regions)]
    return html.Details([html.Summary(t("profile_other_places", lang), className="small"),
                         html.Ul(links, className="list-inline small mb-2 profile-menu")],
                        id=ids.PROFILE_REGIONS, className="mb-2")


def profile_body(data: dict, lang: str = "en") -> html.Div:
    """`data`: code, period, table, index_row, breakdown, strongest, weakest, figure, outlook
    (SeriesOutlook), targets, anomalies, narrative, links, png_reason."""
    code = data["code"]
    return html.Div([
        html.Div([
            dcc.Link(t("profile_to_dashboard", lang), href=data["links"]["dashboard"], className="btn btn-link btn-sm"),
            dcc.Link(t("nav_executive", lang), href=data["links"]["executive"], className="btn btn-link btn-sm"),
            download_link(t("download_pdf", lang), data["links"]["pdf"], ids.DOWNLOAD_PDF),
        ], className="d-flex gap-2 justify-content-end flex-wrap mb-2"),
        narrative_card(data["narrative"], ids.PROFILE_NARRATIVE, lang),
        headline(data["index_row"], data["period"], code, lang),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([html.H2(t("breakdown_heading", lang), className="h6"), scroll_hint(lang),
                                           scroll_region(breakdown_table(data["breakdown"], lang),
                                                         t("breakdown_heading", lang))]),
                             className="shadow-sm h-100"), lg=6),
            dbc.Col(standing_card(data["strongest"], data["weakest"], code, lang), lg=6),
        ], className="g-3 my-1"),
        forecast_card(data, lang),
        dbc.Card(dbc.CardBody([html.H2(t("profile_indicators_heading", lang), className="h6"), scroll_hint(lang),
                               scroll_region(indicator_table(data["table"], code, lang),
                                             t("profile_indicators_heading", lang))]), className="shadow-sm my-3"),
        dbc.Card(dbc.CardBody([html.H2(t("unusual_heading", lang), className="h6"),
                               anomaly_table(data["anomalies"], lang, ids.PROFILE_ANOMALIES),
                               unusual_method(lang)]),
                 className="shadow-sm my-3"),
    ])


def standing_card(strongest: pd.DataFrame, weakest: pd.DataFrame, code: str, lang: str) -> dbc.Card:
    if code == NATIONAL_CODE:
        body = [html.P(t("profile_standing_nation", lang), className="small mb-0")]
    else:
        body = [html.H3(t("profile_strongest", lang), className="h6 small fw-bold"),
                _standing_list(strongest, ids.PROFILE_STRONGEST, lang),
                html.H3(t("profile_weakest", lang), className="h6 small fw-bold mt-2"),
                _standing_list(weakest, ids.PROFILE_WEAKEST, lang)]
    return dbc.Card(dbc.CardBody([html.H2(t("profile_standing_heading", lang), className="h6"), *body]),
                    className="shadow-sm h-100")


def _standing_list(rows: pd.DataFrame, component_id: str, lang: str) -> html.Ol:
    return html.Ol([html.Li([catalog()[r.indicator_id].name(lang), " · ",
                             t("profile_rank", lang, rank=format_integer(int(r.rank), lang),
                               count=format_integer(int(r.regions_ranked), lang))])
                    for r in rows.itertuples(index=False)], className="small mb-0", id=component_id)


def forecast_card(data: dict, lang: str) -> dbc.Card:
    outlook = data["outlook"]
    return dbc.Card(dbc.CardBody([
        chart_heading(data["figure"], ids.PROFILE_FORECAST, "forecast", data["links"]["png"], data["png_reason"],
                      lang),
        html.P(track_record(outlook.skill, outlook.reason, lang), id=ids.PROFILE_TRACK, className="small fw-semibold"),
        chart(ids.PROFILE_FORECAST, data["figure"], lang),
        html.H3(t("outlook_heading", lang), className="h6 mt-2"),
        outlook_list(data["targets"], ids.PROFILE_OUTLOOK, lang),
    ]), className="shadow-sm my-3")


def indicator_table(table: pd.DataFrame, code: str, lang: str):
    """All 24 indicators (static markup: about 450 elements that no callback reaches)."""
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in (
        "col_indicator", "col_value", "col_status", "col_change_quarter", "col_change_year", "col_rank",
        "col_gap_national", "col_gap_target", "col_last_quarters")]))
    body = html.Tbody([_indicator_row(r, code, lang) for _, r in table.iterrows()])
    return static_table([head, body], id=ids.PROFILE_INDICATORS, hover=True)


def _indicator_row(row: pd.Series, code: str, lang: str) -> html.Tr:
    indicator = catalog()[row["indicator_id"]]
    rank = number_or_none(row["rank"])
    spark = sparkline_svg(row["spark"])
    return html.Tr([
        html.Th(indicator.name(lang), scope="row", className="fw-normal"),
        html.Td(format_value(number_or_none(row["value"]), indicator, lang), className="text-end"),
        html.Td(status_badge(row["status"], lang)),
        html.Td(_change(row["change_previous"], indicator, lang), className="text-end"),
        html.Td(_change(row["change_year_ago"], indicator, lang), className="text-end"),
        html.Td("–" if rank is None else t("profile_rank", lang, rank=format_integer(int(rank), lang),
                                            count=format_integer(int(row["regions_ranked"]), lang))),
        html.Td("–" if code == NATIONAL_CODE else _change(row["gap_national"], indicator, lang), className="text-end"),
        html.Td(_change(row["gap_target"], indicator, lang), className="text-end"),
        html.Td(html.Img(src=spark, alt=t("sparkline_alt", lang, name=indicator.name(lang)), height=24)
                if spark else "–"),
    ])


def _change(value, indicator, lang: str) -> str:
    value = number_or_none(value)
    return "–" if value is None else html.Bdi(change_text(shown_change(value, indicator)[0], indicator, lang))


def place_query(view, code: str, lang: str) -> str:
    """The view's query string with the place as its selection (the nation: none)."""
    return replace(view, regions=() if code == NATIONAL_CODE else (code,)).query_string(lang)


def unknown_place(code: str, lang: str):
    return message(t("profile_unknown_title", lang), t("profile_unknown_body", lang, code=code[:40]), "warning",
                   level=1)

