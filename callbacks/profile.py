"""The region profile page (/region/<code>, the nation at /region/SA) and its callback
(period and forecast indicator)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

from dash import Input, Output, State, ctx, no_update

from callbacks.failures import failure_message
from data import queries
from data.catalog import INDEX_ID
from data.regions import NATIONAL_CODE, resolve_region
from data.tenancy import Tenant
from exports.png import availability
from layouts import ids
from layouts import profile as layout
from layouts.components import message, notice
from layouts.text import language_of, t
from services import insight
from services.charts import chart
from services.narrative import narrative
from services.view import View, view_of_request


def register(callbacks) -> None:
    callbacks.callback(
        output=dict(body=Output(ids.PROFILE_BODY, "children"), period=Output(ids.PROFILE_PERIOD, "value"),
                    indicator=Output(ids.PROFILE_INDICATOR, "value"), search=Output(ids.PROFILE_URL, "search")),
        inputs=dict(search=Input(ids.PROFILE_URL, "search"), period=Input(ids.PROFILE_PERIOD, "value"),
                    indicator=Input(ids.PROFILE_INDICATOR, "value"), pathname=State(ids.PROFILE_URL, "pathname")),
        prevent_initial_call=True,
    )(update_profile)


def place(rest: str, regions) -> str | None:
    """The canonical code of the place in the path (the nation when none), or None."""
    code = resolve_region(rest) if rest else NATIONAL_CODE
    return code if code == NATIONAL_CODE or code in regions else None


def page(search: str = "", lang: str = "en", rest: str = ""):
    asked = view_of_request(search)
    if asked is None:
        return message(t("no_data_title", lang), t("no_data_body", lang), level=1)
    code = place(rest, asked.options.regions)
    if code is None:
        return layout.unknown_place(rest, lang)
    content = {"body": body(asked.tenant, asked.view, code, asked.notices, lang),
               "query": asked.view.query_string(lang)}
    return layout.profile_layout(asked.options, asked.view, code, content, search, lang)


def update_profile(search, period, indicator, pathname):
    lang = language_of(search)
    try:
        if ctx.triggered_id == ids.PROFILE_URL:
            asked = view_of_request(search)
        else:
            params = dict(parse_qsl((search or "").lstrip("?")))
            params.update(period=period or "", indicator=indicator or "")
            params.pop("pillar", None)  # the indicator names its pillar
            asked = view_of_request(urlencode(params))
        code = place(_rest(pathname), asked.options.regions)
        view = asked.view
        content = body(asked.tenant, view, code or NATIONAL_CODE, asked.notices, lang)
    except Exception as error:
        return dict(body=failure_message("profile update", error, lang=lang), period=no_update,
                    indicator=no_update, search=no_update)
    query = view.query_string(lang)
    return dict(body=content, period=str(view.period), indicator=view.indicator,
                search=no_update if query == search else query)


def _rest(pathname) -> str:
    parts = (pathname if isinstance(pathname, str) else "").rstrip("/").split("/")
    return parts[2] if len(parts) > 2 else ""


def body(tenant: Tenant, view: View, code: str, notices: list[str], lang: str):
    regions = () if code == NATIONAL_CODE else (code,)
    here = replace(view, regions=regions)
    table = insight.profile_table(tenant, view.period, code)
    strongest, weakest = insight.standing(table)
    query, place_query = view.query_string(lang), here.query_string(lang)
    png_ok, png_reason = availability(lang)
    figure = chart("forecast", tenant, here, lang=lang)
    figure.update_layout(margin=dict(t=32))
    screen = figure.to_plotly_json()
    screen["layout"].pop("title", None)  # the card's heading is the title
    data = dict(
        code=code, period=view.period, table=table, strongest=strongest, weakest=weakest,
        index_row=queries.indicator_snapshot(tenant, view.period, regions).set_index("indicator_id").loc[INDEX_ID],
        breakdown=queries.index_breakdown(tenant, view.period, regions),
        figure=screen, outlook=insight.series_outlook(tenant, code, view.indicator),
        targets=insight.target_outlooks(tenant, code),
        anomalies=insight.anomalies_in(tenant, regions, view.start, view.end),
        narrative=narrative(tenant, view.period, regions, lang),
        links={"dashboard": "/" + place_query, "executive": "/executive" + place_query,
               "pdf": "/export/brief.pdf" + place_query, "png": "/export/forecast.png" + place_query,
               "self": f"/region/{code}{query}"},
        png_reason=None if png_ok else t("png_unavailable", lang, reason=png_reason),
    )
    return [notice(notices, lang), layout.profile_body(data, lang)]
