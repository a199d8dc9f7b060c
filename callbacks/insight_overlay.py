"""The dashboard's trend chart with the values that stand out marked and, when its toggle is
on, the forecast of each line; and the link to the profile of the selection. Callbacks of
their own beside the dashboard's: they read the forecasts and values that stand out that the
background job computed (never computing them) and run after the dashboard has updated the URL.
The trend is sent again only when there is something to add to it, so a filter change does
not draw it twice."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import Input, Output, State, no_update

from data.regions import NATIONAL_CODE, region_name
from data.stewardship import tenant_catalog
from layouts import ids
from layouts.insight import add_forecast, add_marks
from layouts.text import language_of, t
from services.charts import screen_chart
from services.insight import anomalies_in, series_outlook
from services.view import view_of_request

SHOW = "show"


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.TREND, "figure", allow_duplicate=True),
        Output(ids.PROFILE_LINK, "href"),
        Output(ids.PROFILE_LINK, "children"),
        Input(ids.DASHBOARD_URL, "search"),
        State(ids.TREND_FORECAST, "value"),
        State(ids.DASHBOARD_URL, "pathname"),
        prevent_initial_call="initial_duplicate",
    )(after_change)
    callbacks.callback(
        Output(ids.TREND, "figure", allow_duplicate=True),
        Input(ids.TREND_FORECAST, "value"),
        State(ids.DASHBOARD_URL, "search"),
        State(ids.DASHBOARD_URL, "pathname"),
        prevent_initial_call=True,
    )(on_toggle)


def after_change(search, toggle, pathname):
    """A new view: the profile link, and the trend again only when marks or forecasts go on it."""
    asked = _asked(search, pathname)
    if asked is None:
        return no_update, no_update, no_update
    lang = language_of(search)
    places = _places(asked.view)
    code = places[1] if len(places) == 2 else NATIONAL_CODE
    link = f"/region/{code}{asked.view.query_string(lang)}", t("profile_link", lang, place=region_name(code, lang))
    marks = _marks(asked, places)
    if not _forecast_on(toggle) and (marks is None or marks.empty):
        return no_update, *link
    return _trend(asked, places, toggle, marks, lang), *link


def on_toggle(toggle, search, pathname):
    """The forecast switched on or off: the trend with or without it."""
    asked = _asked(search, pathname)
    if asked is None:
        return no_update
    places = _places(asked.view)
    return _trend(asked, places, toggle, _marks(asked, places), language_of(search))


def _asked(search, pathname):
    if (pathname if isinstance(pathname, str) else "/").rstrip("/") != "":
        return None
    return view_of_request(search or "")


def _forecast_on(toggle) -> bool:
    return isinstance(toggle, list) and SHOW in toggle


def _places(view) -> tuple[str, ...]:
    return (NATIONAL_CODE, *(c for c in view.regions if c != NATIONAL_CODE))


def _marks(asked, places):
    """The values that stand out of the view's indicator in the selected regions, or None."""
    if len(places) < 2:
        return None
    marks = anomalies_in(asked.tenant, places, asked.view.start, asked.view.end)
    return None if marks is None else marks[marks["indicator_id"] == asked.view.indicator]


def _trend(asked, places, toggle, marks, lang) -> go.Figure:
    view = asked.view
    figure = go.Figure(screen_chart(asked.tenant, "trend", view, lang=lang))
    indicator = tenant_catalog(asked.tenant)[view.indicator]
    if _forecast_on(toggle):
        for place in places:
            add_forecast(figure, series_outlook(asked.tenant, place, view.indicator).points, indicator, lang)
    if marks is not None:
        add_marks(figure, marks, indicator, lang)
    return figure
