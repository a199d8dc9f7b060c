"""What the dashboard's trend chart gains from the insight job: the values that stand out,
marked whenever regions are selected, and, when its toggle is on, the forecast of each line;
and the link to the profile of the selection. They read what the background job computed
(never computing it). The dashboard's own callback draws them with every change, in its one
round trip; the toggle has a callback of its own."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import Input, Output, State, no_update

from data.regions import NATIONAL_CODE, region_name
from data.stewardship import tenant_catalog
from data.tenancy import Tenant
from layouts import ids
from layouts.insight import add_forecast, add_marks
from layouts.text import language_of, t
from services.charts import screen_chart
from services.insight import anomalies_in, series_outlook
from services.view import View, view_of_request

SHOW = "show"


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.TREND, "figure", allow_duplicate=True),
        Input(ids.TREND_FORECAST, "value"),
        State(ids.DASHBOARD_URL, "search"),
        State(ids.DASHBOARD_URL, "pathname"),
        prevent_initial_call=True,
    )(on_toggle)


def on_toggle(toggle, search, pathname):
    """The forecast switched on or off: the trend with or without it."""
    if (pathname if isinstance(pathname, str) else "/").rstrip("/") != "":
        return no_update
    asked = view_of_request(search or "")
    if asked is None:
        return no_update
    lang = language_of(search)
    return trend(asked.tenant, asked.view, screen_chart(asked.tenant, "trend", asked.view, lang=lang),
                 forecast_on(toggle), lang)


def forecast_on(toggle) -> bool:
    return isinstance(toggle, list) and SHOW in toggle


def profile_link(view: View, lang: str) -> tuple[str, str]:
    """The profile of the one region selected, else of the nation: its address (keeping the
    view) and its words."""
    places = _places(view)
    code = places[1] if len(places) == 2 else NATIONAL_CODE
    return f"/region/{code}{view.query_string(lang)}", t("profile_link", lang, place=region_name(code, lang))


def trend(tenant: Tenant, view: View, plain: dict, with_forecast: bool, lang: str) -> dict | go.Figure:
    """The trend chart `plain` (services.charts.screen_chart) with the values that stand out
    marked and, when asked, the forecasts; `plain` itself when there is nothing to add."""
    places = _places(view)
    marks = _marks(tenant, view, places)
    if with_forecast:
        figure = go.Figure(plain)  # the forecast extends the axis, so the layout changes too
        indicator = tenant_catalog(tenant)[view.indicator]
        for place in places:
            add_forecast(figure, series_outlook(tenant, place, view.indicator).points, indicator, lang)
        return add_marks(figure, marks, indicator, lang)
    if marks is None or marks.empty:
        return plain
    added = add_marks(go.Figure(), marks, tenant_catalog(tenant)[view.indicator], lang)
    return {**plain, "data": [*plain["data"], *(trace.to_plotly_json() for trace in added.data)]}


def _places(view: View) -> tuple[str, ...]:
    return (NATIONAL_CODE, *(c for c in view.regions if c != NATIONAL_CODE))


def _marks(tenant: Tenant, view: View, places: tuple[str, ...]):
    """The values that stand out of the view's indicator in the selected regions, or None."""
    if len(places) < 2:
        return None
    return anomalies_in(tenant, places, view.start, view.end, view.indicator)
