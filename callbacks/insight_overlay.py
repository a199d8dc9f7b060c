"""The dashboard's trend chart with the values that stand out marked and, when its toggle is
on, the forecast of each line; and the link to the profile of the selection. A callback of
its own beside the dashboard's: it reads the forecasts and values that stand out that the
background job computed (never computing them) and runs after the dashboard has updated the URL."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import Input, Output, State, no_update

from data.catalog import catalog
from data.regions import NATIONAL_CODE, region_name
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
        Input(ids.TREND_FORECAST, "value"),
        Input(ids.DASHBOARD_URL, "search"),
        State(ids.DASHBOARD_URL, "pathname"),
        prevent_initial_call="initial_duplicate",
    )(trend_overlay)


def trend_overlay(toggle, search, pathname):
    if (pathname if isinstance(pathname, str) else "/").rstrip("/") != "":
        return no_update, no_update, no_update
    lang = language_of(search)
    asked = view_of_request(search or "")
    if asked is None:
        return no_update, no_update, no_update
    view = asked.view
    figure = go.Figure(screen_chart(asked.tenant, "trend", view, lang=lang))
    indicator = catalog()[view.indicator]
    places = (NATIONAL_CODE, *(c for c in view.regions if c != NATIONAL_CODE))
    if SHOW in (toggle or []):
        for code in places:
            add_forecast(figure, series_outlook(asked.tenant, code, view.indicator).points, indicator, lang)
    marks = anomalies_in(asked.tenant, places, view.start, view.end)
    if marks is not None and len(places) > 1:
        add_marks(figure, marks[marks["indicator_id"] == view.indicator], indicator, lang)
    code = places[1] if len(places) == 2 else NATIONAL_CODE
    return figure, f"/region/{code}{view.query_string(lang)}", t("profile_link", lang, place=region_name(code, lang))
