"""Small building blocks shared by the pages."""

from __future__ import annotations

import hashlib
import json

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from data.aggregate import is_improvement
from data.catalog import INDEX_ID, Indicator, catalog
from data.periods import Period
from data.regions import region_name
from layouts import ids
from layouts.format import format_number, format_period
from layouts.text import direction, t

GRAPH_CONFIG = {"displaylogo": False,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage", "sendChartToCloud"]}
PLOTLY_TEXT = {  # plotly.js's own words on the chart toolbar and hints -> text key
    "Zoom": "plot_zoom", "Pan": "plot_pan", "Zoom in": "plot_zoom_in", "Zoom out": "plot_zoom_out",
    "Autoscale": "plot_autoscale", "Reset axes": "plot_reset_axes",
    "Double-click to zoom back out": "plot_zoom_back", "Double-click on legend to isolate one trace": "plot_isolate",
}


DROPDOWN_TEXT = ("select_all", "deselect_all", "selected_count", "search", "clear_search", "clear_selection",
                 "no_options_found")  # dcc.Dropdown's own words: text keys dropdown_<name>


def dropdown(lang: str, **props) -> dcc.Dropdown:
    """A dcc.Dropdown whose own words (Select all, Search...) are in the page's language."""
    return dcc.Dropdown(labels={name: t(f"dropdown_{name}", lang) for name in DROPDOWN_TEXT}, **props)


def graph_config(lang: str) -> dict:
    """dcc.Graph's config with plotly.js's toolbar in the page's language."""
    if lang == "en":
        return GRAPH_CONFIG
    dictionary = {english: t(key, lang) for english, key in PLOTLY_TEXT.items()}
    return {**GRAPH_CONFIG, "locale": lang, "locales": {lang: {"dictionary": dictionary}}}


def chart(graph_id: str, figure, lang: str) -> html.Div:
    """A chart in a box of the figure's height, there before dcc.Graph's script has loaded: the
    page does not grow under the reader, and what lies below (the lazily loaded grid) stays put."""
    graph = dcc.Graph(id=graph_id, figure=figure, config=graph_config(lang), className="chart")
    return html.Div(graph, style={"minHeight": f"{figure['layout']['height']}px"})


STATUS_STYLE = {  # colour, icon and text: the status never rests on colour alone
    "green": ("success", "bi-check-circle-fill", "status_green"),
    "amber": ("warning", "bi-exclamation-triangle-fill", "status_amber"),
    "red": ("danger", "bi-x-octagon-fill", "status_red"),
    None: ("secondary", "bi-dash-circle", "status_none"),
}


def status_badge(status: str | None, lang: str = "en", **props) -> dbc.Badge:
    colour, icon, key = STATUS_STYLE.get(status, STATUS_STYLE[None])
    text_colour = "dark" if colour == "warning" else None
    return dbc.Badge(
        [html.I(className=f"bi {icon} me-1", **{"aria-hidden": "true"}), t(key, lang)],
        color=colour,
        text_color=text_colour,
        className="status-badge",
        **props,
    )


def message(title: str, body: str, colour: str = "info", level: int = 2, **props) -> dbc.Alert:
    """A titled message; `level` 1 when it is the whole page (not found, not allowed...)."""
    heading = html.H1 if level == 1 else html.H2
    return dbc.Alert([heading(title, className="h5"), html.P(body, className="mb-0")],
                     color=colour, **props)


def download_link(label: str, href: str | None, component_id, reason: str | None = None) -> html.A:
    """A download button; when the export cannot work here it is disabled and says why."""
    if reason:
        return html.A([html.I(className="bi bi-slash-circle me-1", **{"aria-hidden": "true"}), reason],
                      id=component_id, className="btn btn-outline-secondary btn-sm disabled",
                      **{"aria-disabled": "true"})
    return html.A([html.I(className="bi bi-download me-1", **{"aria-hidden": "true"}), label],
                  id=component_id, href=href, download="", className="btn btn-outline-primary btn-sm")


def notice(messages: list[str], lang: str):
    if not messages:
        return None
    return dbc.Alert([html.Strong(t("notice_title", lang)),
                      html.Ul([html.Li(m) for m in messages], className="mb-0")],
                     color="warning", dismissable=True, className="py-2")


def chart_text(figure: dict, lang: str, heading_level: int = 2, graph_id: str | None = None) -> list:
    """What a chart says in words, from the text alternative its builder attached: the title
    as a heading, a one-sentence summary, and its data in a table that opens on demand. With
    `graph_id` the table is drawn in the browser from the graph's figure when it is opened
    (assets/chart_data.js): a filter change then sends and mounts no table at all."""
    meta = (figure.get("layout") or {}).get("meta") or {}
    heading = html.H2 if heading_level == 2 else html.H3
    parts = [heading(meta.get("title", ""), className="h6 mb-1 chart-title"),
             html.P(meta.get("summary", ""), className="small text-body-secondary mb-1 chart-summary")]
    if meta.get("rows"):
        data = html.Div(id=ids.chart_data(graph_id)) if graph_id else data_table(meta)
        summary = html.Summary(t("chart_data", lang), className="small",
                               **({"id": ids.chart_data_open(graph_id), "n_clicks": 0} if graph_id else {}))
        # A new key for new data: the browser mounts a closed <details> whose clicks count from 0.
        # Derived from the content, so the same view is always answered with the same bytes.
        parts.append(html.Details([summary, html.Div(data, className="chart-data")], className="mb-1",
                                  key=_content_key(meta) if graph_id else None))
    return parts


def chart_heading(figure: dict, graph_id: str, png_name: str, png_href: str | None, png_reason: str | None,
                  lang: str) -> html.Div:
    """A chart's words (see `chart_text`) with its PNG download beside them."""
    return html.Div([
        html.Div(chart_text(figure, lang), id=ids.chart_text(graph_id), className="flex-grow-1"),
        html.Div(download_link(t("download_png", lang), png_href, {"type": ids.PNG_LINK, "index": png_name},
                               png_reason), className="flex-shrink-0"),
    ], className="d-flex gap-2 align-items-start")


def _content_key(meta: dict) -> str:
    return hashlib.sha256(json.dumps(meta, sort_keys=True, default=str).encode()).hexdigest()[:16]


def data_table(meta: dict):
    """A chart's data as a table (assets/chart_data.js draws the same in the browser)."""
    table = dbc.Table([html.Thead(html.Tr([html.Th(c, scope="col") for c in meta["columns"]])),
                       html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in meta["rows"]])],
                      size="sm", className="small mb-0")
    return scroll_region(table, meta.get("title", ""))


GRID_TEXT = {  # AG Grid's own words (localeText key -> text key)
    "page": "grid_page", "of": "grid_of", "to": "grid_to", "more": "grid_more",
    "firstPage": "grid_first_page", "previousPage": "grid_previous_page", "nextPage": "grid_next_page",
    "lastPage": "grid_last_page", "pageSizeSelectorLabel": "grid_page_size", "noRowsToShow": "grid_no_rows",
    "loadingOoo": "grid_loading", "filterOoo": "grid_filter", "equals": "grid_equals", "notEqual": "grid_not_equal",
    "contains": "grid_contains", "notContains": "grid_not_contains", "startsWith": "grid_starts_with",
    "endsWith": "grid_ends_with", "blank": "grid_blank", "notBlank": "grid_not_blank", "lessThan": "grid_less_than",
    "greaterThan": "grid_greater_than", "lessThanOrEqual": "grid_less_than_or_equal",
    "greaterThanOrEqual": "grid_greater_than_or_equal", "inRange": "grid_in_range", "andCondition": "grid_and",
    "orCondition": "grid_or", "selectAll": "grid_select_all", "searchOoo": "grid_search",
}


def grid_options(lang: str, **options) -> dict:
    """AG Grid options in the page's language and direction. The grid is as tall as its page
    of rows (no scrolling inside it); `scroll_region` scrolls it sideways on a phone."""
    return {**options, "enableRtl": direction(lang) == "rtl", "domLayout": "autoHeight",
            "localeText": {key: t(text_key, lang) for key, text_key in GRID_TEXT.items()}}


def scroll_region(content, label: str | None = None, labelled_by: str | None = None, wide: bool = False):
    """A table that may be wider than a phone, in a region that scrolls sideways by itself
    (and takes keyboard focus to be scrolled), so the page never does. `wide` keeps a grid
    at a width where all its columns can be read."""
    name = {"aria-labelledby": labelled_by} if labelled_by else {"aria-label": label}
    inner = html.Div(content, className="table-scroll-content") if wide else content
    return html.Div(inner, className="table-scroll", tabIndex="0", role="region", **name)


def scroll_hint(lang: str) -> html.P:
    """Shown on narrow screens above a table that scrolls sideways inside its card."""
    return html.P([html.I(className="bi bi-arrow-left-right me-1", **{"aria-hidden": "true"}),
                   t("scroll_hint", lang)], className="small text-body-secondary d-md-none mb-1 scroll-hint")


def scope_label(scope, lang: str = "en") -> str:
    if isinstance(scope, str):
        return region_name(scope, lang)
    return t("scope_combined", lang, count=len(scope)) + ": " + ", ".join(region_name(c, lang) for c in scope)


def headline(row: pd.Series, period: Period, scope, lang: str) -> dbc.Card:
    """The sustainability index of the selection, with its changes."""
    indicator = catalog()[INDEX_ID]
    value = number_or_none(row["value"])
    shown = format_number(value, indicator.decimals, lang) if value is not None else t("index_insufficient", lang)
    return dbc.Card(dbc.CardBody([
        html.H2([t("index_title", lang), " · ", html.Span(scope_label(scope, lang), id=ids.SCOPE_LABEL),
                 " · ", t("period_label", lang, period=format_period(period, lang))],
                className="h6 fw-normal text-body-secondary"),
        html.Div([
            html.Span(shown, id=ids.INDEX_VALUE, className="display-5 fw-bold me-3"),
            html.Span(indicator.unit(lang), className="text-muted me-3"),
            status_badge(row["status"], lang, id=ids.INDEX_STATUS),
            html.Div([change_line(row, "change_previous", indicator, lang),
                      change_line(row, "change_year_ago", indicator, lang)], className="ms-4 small"),
        ], className="d-flex align-items-center flex-wrap"),
    ]), className="shadow-sm")


def change_line(row: pd.Series, column: str, indicator: Indicator, lang: str) -> html.Div:
    """The change with an arrow for its direction, and in words whether it is better or
    worse (the colour says it too, but never alone)."""
    change = number_or_none(row[column])
    if change is None:
        return html.Div(["– ", t(column, lang)], className="text-body-secondary")
    shown, better = shown_change(change, indicator)
    arrow = "▲" if shown > 0 else "▼" if shown < 0 else "■"
    verdict = t("better", lang) if better else t("worse", lang) if better is False else \
        t("unchanged", lang) if shown == 0 else ""
    colour = "text-better" if better else "text-worse" if better is False else "text-body-secondary"
    return html.Div([
        html.Span([html.Span(arrow, **{"aria-hidden": "true"}), " ", html.Bdi(change_text(shown, indicator, lang))],
                  className=f"{colour} fw-semibold me-1"),
        t(column, lang), " ", html.Span(verdict, className=colour) if verdict else None,
    ])


def shown_change(change: float, indicator: Indicator) -> tuple[float, bool | None]:
    """A change as shown (rounded to the indicator's decimals; one that rounds to zero is 0,
    never -0) and whether it is for the better (None when unchanged or without direction)."""
    shown = round(change, indicator.decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return shown, is_improvement(shown, indicator)


def change_text(shown: float, indicator: Indicator, lang: str = "en") -> str:
    """+1.2 or -0.3 in the language's digits, and 0.0 without a sign."""
    return format_number(shown, indicator.decimals, lang, signed=bool(shown))


def number_or_none(value) -> float | None:
    """A number from a data frame cell, or None for a missing value."""
    return None if value is None or pd.isna(value) else float(value)
