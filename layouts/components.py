"""Small building blocks shared by the pages."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from data.aggregate import is_improvement
from data.catalog import INDEX_ID, Indicator, catalog
from data.periods import Period
from data.regions import region_name
from layouts import ids
from layouts.format import format_number
from layouts.text import t

GRAPH_CONFIG = {"displaylogo": False,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]}

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


def message(title: str, body: str, colour: str = "info", **props) -> dbc.Alert:
    return dbc.Alert([html.H2(title, className="h5"), html.P(body, className="mb-0")],
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
        html.Div([t("index_title", lang), " · ", html.Span(scope_label(scope, lang), id=ids.SCOPE_LABEL),
                  " · ", t("period_label", lang, period=period)], className="text-muted"),
        html.Div([
            html.Span(shown, id=ids.INDEX_VALUE, className="display-5 fw-bold me-3"),
            html.Span(indicator.unit(lang), className="text-muted me-3"),
            status_badge(row["status"], lang, id=ids.INDEX_STATUS),
            html.Div([change_line(row, "change_previous", indicator, lang),
                      change_line(row, "change_year_ago", indicator, lang)], className="ms-4 small"),
        ], className="d-flex align-items-center flex-wrap"),
    ]), className="shadow-sm")


def change_line(row: pd.Series, column: str, indicator: Indicator, lang: str) -> html.Div:
    change = number_or_none(row[column])
    if change is None:
        return html.Div(f"– {t(column, lang)}", className="text-muted")
    shown, better = shown_change(change, indicator)
    arrow = "▲" if shown > 0 else "▼" if shown < 0 else "■"
    colour = "text-success" if better else "text-danger" if better is False else "text-muted"
    unchanged = [t("unchanged", lang), " "] if shown == 0 else []
    return html.Div([html.Span(f"{arrow} {change_text(shown, indicator)}", className=f"{colour} fw-semibold me-1"),
                     *unchanged, t(column, lang)])


def shown_change(change: float, indicator: Indicator) -> tuple[float, bool | None]:
    """A change as shown (rounded to the indicator's decimals; one that rounds to zero is 0,
    never -0) and whether it is for the better (None when unchanged or without direction)."""
    shown = round(change, indicator.decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return shown, is_improvement(shown, indicator)


def change_text(shown: float, indicator: Indicator) -> str:
    """+1.2 or -0.3, and 0.0 without a sign."""
    return f"{shown:+,.{indicator.decimals}f}" if shown else f"{0:.{indicator.decimals}f}"


def number_or_none(value) -> float | None:
    """A number from a data frame cell, or None for a missing value."""
    return None if value is None or pd.isna(value) else float(value)
