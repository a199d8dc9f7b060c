"""The dashboard page: filter bar, headline index, KPI cards, trend, regional comparison,
map and data table. Functions here build components from data they are given; no queries."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from data.catalog import Indicator, catalog
from data.regions import NATIONAL_CODE, region_name
from layouts import ids
from layouts.components import (
    change_line,
    chart,
    download_link,
    dropdown,
    grid_options,
    number_or_none,
    scroll_hint,
    scroll_region,
    status_badge,
)
from layouts.figures import STATUS_COLOURS, sparkline_svg, target_decimals
from layouts.format import digits, format_number, format_percent, format_period, format_value
from layouts.insight import trend_controls
from layouts.markup import markup
from layouts.text import t


def dashboard_layout(options, view, content: dict, search: str, png_reason: str = "",
                     show_table: bool = True, lang: str = "en") -> html.Div:
    """The whole page. `content` holds the initial value of every output of the dashboard
    callback (see callbacks/dashboard.py), so the page arrives complete in one round trip."""
    return html.Div([
        # Every property set, so that mounting reports no change and fires no callback;
        # back and forward still update it. An empty href never differs in a way that matters.
        dcc.Location(id=ids.DASHBOARD_URL, refresh=False, pathname="/", search=search, hash="", href=""),
        html.H1(t("nav_dashboard", lang), className="visually-hidden"),
        filter_bar(options, view, content, lang),
        html.Div(content["notice"], id=ids.NOTICE),
        # No dcc.Loading wrapper here: it re-renders everything inside it on every change. Dash
        # marks each output being updated with data-dash-is-loading, which the CSS shows.
        html.Div([
            html.Div(content["headline"], id=ids.HEADLINE, className="mb-3"),
            html.Section([html.H2(content["cards_heading"], id=ids.KPI_HEADING, className="visually-hidden"),
                          dbc.Row(content["cards"], id=ids.KPI_CARDS, className="g-2 mb-3")],
                         **{"aria-labelledby": ids.KPI_HEADING}),
            chart_card("trend", ids.TREND, content, png_reason, lang, className="mb-3",
                       extra=[trend_controls(content["profile_href"], content["profile_text"], lang)]),
            dbc.Row([
                dbc.Col(chart_card("regions", ids.REGIONS_BAR, content, png_reason, lang, className="h-100"), lg=7),
                dbc.Col(chart_card("map", ids.MAP, content, png_reason, lang, className="h-100", extra=[
                    map_colour_choice(lang),
                    html.P(t("map_note", lang), className="small text-body-secondary mb-0"),
                ]), lg=5),
            ], className="g-3 mb-3"),
            data_table_card(content, show_table, lang),
        ]),
    ])


CHART_OUTPUTS = {"trend": "trend", "regions": "bar", "map": "map"}  # chart name -> content key


def chart_card(name: str, graph_id: str, content: dict, png_reason: str, lang: str, extra: list | None = None,
               className: str = "") -> dbc.Card:
    """A chart with its title, summary and data in words above it, and its PNG download."""
    key = CHART_OUTPUTS[name]
    return dbc.Card(dbc.CardBody([
        html.Div([
            html.Div(content[f"{key}_text"], id=ids.chart_text(graph_id), className="flex-grow-1"),
            png_button(name, content, png_reason, lang),
        ], className="d-flex gap-2 align-items-start"),
        chart(graph_id, content[key], lang),
        *(extra or []),
    ]), className=f"shadow-sm {className}")


def map_colour_choice(lang: str) -> html.Fieldset:
    return html.Fieldset([
        html.Legend(t("map_colour_by", lang), className="small text-body-secondary float-start me-2 mb-0 w-auto"),
        dbc.RadioItems(id=ids.MAP_COLOUR_BY, value="status", inline=True,
                       options=[{"label": t("map_by_status", lang), "value": "status"},
                                {"label": t("map_by_value", lang), "value": "value"}],
                       className="small"),
    ], className="d-flex flex-wrap align-items-center gap-2 mt-1")


def png_button(name: str, content: dict, png_reason: str, lang: str) -> html.Div:
    href = content.get(f"png_{name}")
    reason = None if isinstance(href, str) else t("png_unavailable", lang, reason=png_reason)
    return html.Div(download_link(t("download_png", lang), href if isinstance(href, str) else None,
                                  {"type": ids.PNG_LINK, "index": name}, reason), className="flex-shrink-0")


def filter_bar(options, view, content: dict, lang: str) -> html.Section:
    periods = [{"label": format_period(p, lang), "value": str(p)} for p in reversed(options.periods)]
    regions = [{"label": region_name(NATIONAL_CODE, lang), "value": NATIONAL_CODE}] + [
        {"label": region_name(code, lang), "value": code} for code in options.regions]
    pillars = [{"label": catalog().pillar_name(p, lang), "value": p} for p in options.pillars]

    quarter = 2 if lang == "ar" else 1  # Arabic quarter names are longer than 2025Q4

    def labelled(label: str, control, width: dict) -> dbc.Col:
        return dbc.Col([dbc.Label(label, html_for=control.id, className="small mb-0 text-body-secondary"), control],
                       **width)

    controls = dbc.Row([
        labelled(t("filter_period", lang), dropdown(lang, id=ids.FILTER_PERIOD, options=periods,
                                                        value=str(view.period), clearable=False),
                 dict(xs=6, md=2 * quarter, xl=quarter)),
        labelled(t("filter_from", lang), dropdown(lang, id=ids.FILTER_FROM, options=periods,
                                                      value=str(view.start), clearable=False),
                 dict(xs=6, md=2 * quarter, xl=quarter)),
        labelled(t("filter_to", lang), dropdown(lang, id=ids.FILTER_TO, options=periods,
                                                    value=str(view.end), clearable=False),
                 dict(xs=6, md=2 * quarter, xl=quarter)),
        labelled(t("filter_regions", lang), dropdown(lang, id=ids.FILTER_REGIONS, options=regions,
                                                         value=list(view.regions), multi=True,
                                                         placeholder=t("filter_regions_placeholder", lang)),
                 dict(xs=12, md=6, xl=3)),
        dbc.Col(dbc.Button(t("clear_regions", lang), id=ids.CLEAR_REGIONS, color="link", size="sm",
                           className="px-0 clear-regions"), xs="auto"),
        labelled(t("filter_pillar", lang), dropdown(lang, id=ids.FILTER_PILLAR, options=pillars,
                                                        value=view.pillar, clearable=False),
                 dict(xs=6, md=3, xl=2)),
        labelled(t("filter_indicator", lang), dropdown(lang, id=ids.FILTER_INDICATOR,
                                                           options=content["indicator_options"],
                                                           value=view.indicator, clearable=False),
                 dict(xs=6, md=4, xl=2)),
    ], className="g-2 align-items-end", id=ids.FILTER_CONTROLS)
    return html.Section([
        html.H2(t("filters_heading", lang), className="visually-hidden", id=ids.FILTERS_HEADING),
        filter_toggle(lang),
        controls,
    ], className="filter-bar py-2 mb-2", **{"aria-labelledby": ids.FILTERS_HEADING})


def filter_toggle(lang: str) -> html.Button:
    """On a phone the filters fold away behind this button (assets/hub.js opens them)."""
    return html.Button([html.I(className="bi bi-funnel me-1", **{"aria-hidden": "true"}), t("filters_toggle", lang)],
                       id=ids.FILTER_TOGGLE, type="button", className="btn btn-outline-secondary btn-sm d-md-none",
                       **{"aria-expanded": "false", "aria-controls": ids.FILTER_CONTROLS})


def indicator_options(indicator_ids: list[str], lang: str) -> list[dict]:
    return [{"label": catalog()[i].name(lang), "value": i} for i in indicator_ids]


KPI_SELECTION = {"frame": (ids.KPI_FRAME, "className"), "pressed": (ids.KPI_NAME, "aria-pressed")}


def kpi_selection(selected: bool) -> dict:
    """How a card shows whether its indicator is charted (see KPI_SELECTION): an indicator
    change updates only these, in the two cards it moves between."""
    return {"frame": "h-100 kpi-card" + (" border-primary border-2 kpi-selected" if selected else ""),
            "pressed": "true" if selected else "false"}


def kpi_card(row: pd.Series, indicator: Indicator, series: list[float], selected: bool, lang: str) -> dbc.Col:
    """One indicator of the selection: value, changes, status, target and a sparkline.
    Clicking it charts the indicator."""
    value = number_or_none(row["value"])
    sparkline = sparkline_svg(series, STATUS_COLOURS.get(row["status"]) or "#0d6efd")
    selection = kpi_selection(selected)
    # The card is clickable anywhere; its name is the button keyboards and screen readers use
    # (Bootstrap's stretched-link makes the button cover the card).
    name = html.H3(html.Button(indicator.name(lang), type="button", id={"type": ids.KPI_NAME, "index": indicator.id},
                               title=f"{indicator.description(lang)} {t('click_card_hint', lang)}",
                               className="btn btn-link p-0 text-reset text-decoration-none stretched-link kpi-name",
                               **{"aria-pressed": selection["pressed"]}),
                   className="small fw-normal mb-1")
    body = [
        name,
        markup([  # no callback reaches inside: one component, not about twenty (layouts/markup.py)
            html.Div(format_value(value, indicator, lang), className="fs-5 fw-semibold tile-value"),
            html.Div([status_badge(row["status"], lang)], className="mb-1"),
            html.Div([change_line(row, "change_previous", indicator, lang),
                      change_line(row, "change_year_ago", indicator, lang)], className="small"),
            target_line(row, indicator, lang),
            html.Img(src=sparkline, alt="", className="sparkline mt-1") if sparkline else None,
        ]),
    ]
    return dbc.Col(html.Div(
        dbc.Card(dbc.CardBody(body, className="p-2"), id={"type": ids.KPI_FRAME, "index": indicator.id},
                 className=selection["frame"]),
        id={"type": ids.KPI_CARD, "index": indicator.id}, n_clicks=0, className="h-100 position-relative",
    ), xs=12, sm=6, lg=4, xl=3, className="kpi-col")


def target_line(row: pd.Series, indicator: Indicator, lang: str):
    target = indicator.target
    if target is None or not isinstance(row.get("target_status"), str):
        return None
    goal = format_number(target.value, target_decimals(target.value), lang)
    if target.every_year:
        key = "target_every_year" if indicator.direction == "higher" else "target_every_year_lower"
        text = t(key, lang, target=goal)
    else:
        text = t("target_label", lang, target=goal, year=digits(str(target.year), lang))
    status = row["target_status"]
    colour = {"achieved": "success", "on_track": "success", "at_risk": "warning",
              "off_track": "danger"}.get(status, "secondary")
    progress = number_or_none(row.get("target_progress_pct"))
    return html.Div([
        html.Span(text, className="me-1"),
        dbc.Badge(t(f"target_{status}", lang), color=colour, text_color="dark" if colour == "warning" else None),
        html.Span(" " + t("progress_label", lang, progress=format_percent(progress / 100, 0, lang)),
                  className="text-body-secondary")
        if progress is not None and status != "achieved" else None,
    ], className="small mt-1 target-line")


def data_table_card(content: dict, show: bool, lang: str) -> dbc.Card:
    """The table of the view's rows (kept in the page but hidden and empty for roles that
    may not see row-level data, so the callback's outputs always exist)."""
    return dbc.Card(dbc.CardBody([
        html.Div([
            html.H2(content["table_title"], id=ids.TABLE_TITLE, className="h6 mb-0"),
            html.A([html.I(className="bi bi-download me-1", **{"aria-hidden": "true"}), t("download_csv", lang)],
                   id=ids.DOWNLOAD_CSV, href=content["csv_href"], className="btn btn-outline-primary btn-sm",
                   download=""),
        ], className="d-flex flex-wrap gap-2 justify-content-between align-items-center mb-2"),
        scroll_hint(lang),
        scroll_region(dag.AgGrid(
            id=ids.TABLE,
            rowData=content["rows"],
            getRowId="params.data.id",  # rows are updated in place, not rebuilt, on a change
            columnDefs=content["columns"],
            defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1, "minWidth": 110},
            dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=20, animateRows=False),
            className="ag-theme-alpine",
        ), labelled_by=ids.TABLE_TITLE, wide=True),
    ]), className="shadow-sm mb-4", style=None if show else {"display": "none"})


def table_columns(indicator: Indicator, lang: str) -> list[dict]:
    """The data table's columns; values sort and filter as numbers and show as written in the
    language (`value_text`, formatted on the server)."""
    return [
        {"field": "region", "headerName": t("col_region", lang)},
        {"field": "period", "headerName": t("col_period", lang)},
        {"field": "value", "headerName": t("col_value", lang), "type": "rightAligned",
         "filter": "agNumberColumnFilter", "valueFormatter": {"function": "params.data.value_text"}},
        {"field": "unit", "headerName": t("col_unit", lang)},
        {"field": "quality", "headerName": t("col_quality", lang)},
        {"field": "source", "headerName": t("col_source", lang)},
    ]
