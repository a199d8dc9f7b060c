"""The Dashboard page and its one callback: every filter change, map or bar click, card click
and back/forward step is one round trip that updates every view and the URL together."""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from urllib.parse import urlencode

from dash import ALL, ClientsideFunction, Input, Output, State, ctx, no_update

from callbacks import insight_overlay
from callbacks.failures import failure_message
from data import queries
from data.catalog import INDEX_ID, catalog
from data.periods import Period
from data.regions import region_name
from data.stewardship import tenant_catalog
from data.tenancy import Tenant
from exports.png import availability
from layouts import components, ids
from layouts import dashboard as layout
from layouts.components import message
from layouts.format import format_number, format_period
from layouts.text import language_of, t
from ops.telemetry import track
from security.web import allowed
from services.charts import screen_chart
from services.view import LANGUAGE_PARAMETER, View, options_for, view_of_request

CONTROLS = {
    "period": ids.FILTER_PERIOD, "from": ids.FILTER_FROM, "to": ids.FILTER_TO,
    "regions": ids.FILTER_REGIONS, "pillar": ids.FILTER_PILLAR, "indicator": ids.FILTER_INDICATOR,
}
CHART_GRAPHS = (ids.TREND, ids.REGIONS_BAR, ids.MAP)
CONTROL_OUTPUTS = {"period": "period", "start": "from", "end": "to", "regions": "regions", "pillar": "pillar",
                   "indicator": "indicator"}  # output -> control (CONTROLS)
OUTPUTS = dict(
    period=Output(ids.FILTER_PERIOD, "value"),
    start=Output(ids.FILTER_FROM, "value"),
    end=Output(ids.FILTER_TO, "value"),
    regions=Output(ids.FILTER_REGIONS, "value"),
    pillar=Output(ids.FILTER_PILLAR, "value"),
    indicator=Output(ids.FILTER_INDICATOR, "value"),
    indicator_options=Output(ids.FILTER_INDICATOR, "options"),
    search=Output(ids.DASHBOARD_URL, "search"),
    notice=Output(ids.NOTICE, "children"),
    headline=Output(ids.HEADLINE, "children"),
    cards=Output(ids.KPI_CARDS, "children"),
    cards_heading=Output(ids.KPI_HEADING, "children"),
    trend=Output(ids.TREND, "figure"),
    bar=Output(ids.REGIONS_BAR, "figure"),
    map=Output(ids.MAP, "figure"),
    trend_text=Output(ids.chart_text(ids.TREND), "children"),
    bar_text=Output(ids.chart_text(ids.REGIONS_BAR), "children"),
    map_text=Output(ids.chart_text(ids.MAP), "children"),
    rows=Output(ids.TABLE, "rowData"),
    columns=Output(ids.TABLE, "columnDefs"),
    table_title=Output(ids.TABLE_TITLE, "children"),
    csv_href=Output(ids.DOWNLOAD_CSV, "href"),
    png_trend=Output({"type": ids.PNG_LINK, "index": "trend"}, "href"),
    png_regions=Output({"type": ids.PNG_LINK, "index": "regions"}, "href"),
    png_map=Output({"type": ids.PNG_LINK, "index": "map"}, "href"),
    profile_href=Output(ids.PROFILE_LINK, "href"),
    profile_text=Output(ids.PROFILE_LINK, "children"),
    # Each KPI card's selection, updated in place when only the indicator changes (issue 16)
    **{f"card_{part}": Output({"type": kind, "index": ALL}, prop)
       for part, (kind, prop) in layout.KPI_SELECTION.items()},
)
INPUTS = dict(
    search=Input(ids.DASHBOARD_URL, "search"),
    controls={name: Input(component, "value") for name, component in CONTROLS.items()},
    colour_by=Input(ids.MAP_COLOUR_BY, "value"),
    map_click=Input(ids.MAP, "clickData"),
    bar_click=Input(ids.REGIONS_BAR, "clickData"),
    clear=Input(ids.CLEAR_REGIONS, "n_clicks"),
    card_clicks=Input({"type": ids.KPI_CARD, "index": ALL}, "n_clicks"),
    forecast=State(ids.TREND_FORECAST, "value"),
    pathname=State(ids.DASHBOARD_URL, "pathname"),
)


def register(callbacks) -> None:
    callbacks.callback(output=OUTPUTS, inputs=INPUTS, prevent_initial_call=True)(update_dashboard)
    for graph in CHART_GRAPHS:  # each chart's data table, drawn in the browser when opened
        callbacks.clientside_callback(ClientsideFunction("hub_chart_data", "table"),
                                      Output(ids.chart_data(graph), "children"),
                                      Input(ids.chart_data_open(graph), "n_clicks", allow_optional=True),
                                      Input(graph, "figure", allow_optional=True))
    insight_overlay.register(callbacks)


def page(search: str = "", lang: str = "en"):
    """The dashboard for the view in the query string, complete with its data, in `lang`."""
    asked = view_of_request(search)
    if asked is None:
        return message(t("no_data_title", lang), t("no_data_body", lang), level=1)
    content = build_content(asked.tenant, asked.view, asked.notices, lang=lang)
    return layout.dashboard_layout(asked.options, asked.view, content, search, png_reason=availability(lang)[1],
                                   show_table=allowed("data_table"), lang=lang)


def update_dashboard(search, controls, colour_by, map_click, bar_click, clear, card_clicks, forecast, pathname):
    """Work out the view from whatever changed, then rebuild every output for it, in the
    language the URL names."""
    if (pathname if isinstance(pathname, str) else "/").rstrip("/") != "":
        return _with_card_lists({name: no_update for name in OUTPUTS})  # the dashboard is not on screen
    lang = language_of(search)
    try:
        if ctx.triggered_id == ids.DASHBOARD_URL:
            asked, shown = view_of_request(search), None
            changed = None  # back or forward: the page may show anything, so redraw it all
        else:
            asked = view_of_request(_query_from_controls(controls, map_click, bar_click, lang))
            shown = Shown(view_of_request(search).view, _cards_on_screen())
            changed = _changed(shown.view, asked.view)
            if ctx.triggered_id == ids.MAP_COLOUR_BY:
                changed.add("colour")
        view = asked.view
        content = build_content(asked.tenant, view, asked.notices, colour_by or "status", lang, changed=changed,
                                shown=shown, forecast_on=insight_overlay.forecast_on(forecast))
        track("filter_change", trigger=_trigger_name(), period=str(view.period), regions=len(view.regions),
              pillar=view.pillar, indicator=view.indicator)
    except Exception as error:
        failure = {name: no_update for name in OUTPUTS}
        failure["notice"] = failure_message("dashboard update", error, lang=lang)
        return _with_card_lists(failure)
    query = view.query_string(lang)
    content["search"] = no_update if query == search else query
    return _with_card_lists(_changed_controls_only(content, controls))


def _with_card_lists(content: dict) -> dict:
    """Dash wants a list for each pattern-matching output: one no_update per card on screen
    for a part not sent."""
    cards = len(_cards_on_screen())
    return {name: [no_update] * cards if name.startswith("card_") and value is no_update else value
            for name, value in content.items()}


def _changed_controls_only(content: dict, controls: dict) -> dict:
    """A control already showing its value is not sent it again: each one sent re-renders."""
    for output, control in CONTROL_OUTPUTS.items():
        if content[output] == controls.get(control):
            content[output] = no_update
    return content


@dataclass(frozen=True)
class Shown:
    """What the page shows before a change: its view and the indicators of its KPI cards."""
    view: View
    cards: list[str]


def _cards_on_screen() -> list[str]:
    """The indicators whose cards are on the page, in order (from the request's outputs)."""
    for entry in ctx.outputs_list or []:
        if isinstance(entry, list) and entry and isinstance(entry[0].get("id"), dict) \
                and entry[0]["id"].get("type") == ids.KPI_FRAME:
            return [output["id"].get("index") for output in entry]
    return []


def _changed(before: View, after: View) -> set[str]:
    return {f.name for f in fields(View) if getattr(before, f.name) != getattr(after, f.name)}


def _trigger_name() -> str:
    trigger = ctx.triggered_id
    return trigger.get("type", "card") if isinstance(trigger, dict) else str(trigger)


def _query_from_controls(controls: dict, map_click, bar_click, lang: str) -> str:
    """The query string the controls describe, with the triggering action applied."""
    params = {name: value for name, value in controls.items() if name != "regions"}
    params[LANGUAGE_PARAMETER] = lang
    regions = [r for r in (controls.get("regions") or []) if isinstance(r, str)]
    trigger = ctx.triggered_id
    if trigger == ids.CLEAR_REGIONS:
        regions = []
    elif trigger in (ids.MAP, ids.REGIONS_BAR):
        clicked = _clicked_region(map_click if trigger == ids.MAP else bar_click)
        if clicked and clicked not in regions:
            regions.append(clicked)
    elif isinstance(trigger, dict) and trigger.get("type") == ids.KPI_CARD:
        params["indicator"] = trigger.get("index")
    elif trigger == ids.FILTER_PILLAR:
        params.pop("indicator", None)  # a new pillar starts at its first indicator
    params["regions"] = ",".join(regions)
    return urlencode({k: v for k, v in params.items() if isinstance(v, str) and v})


def _clicked_region(click) -> str | None:
    try:
        code = click["points"][0]["customdata"]
    except (KeyError, IndexError, TypeError):
        return None
    return code if isinstance(code, str) else None


# Which parts of the view each output shows; an output whose parts did not change is not
# sent again, so the browser redraws only what moved. Outputs not listed always go.
DEPENDS_ON = {
    "indicator_options": {"pillar"},
    "headline": {"period", "regions"},
    "cards": {"period", "start", "end", "regions", "pillar"},  # an indicator change: only the selection
    "cards_heading": {"pillar"},
    "trend": {"start", "end", "regions", "indicator"},
    "bar": {"period", "regions", "indicator"},
    "map": {"period", "regions", "indicator", "colour"},
    "trend_text": {"start", "end", "regions", "indicator"},
    "bar_text": {"period", "regions", "indicator"},
    "map_text": {"period", "regions", "indicator", "colour"},
    "rows": {"start", "end", "regions", "indicator"},
    "columns": {"indicator"},
    "table_title": {"start", "end", "indicator"},
}


def build_content(tenant: Tenant, view: View, notices: list[str], colour_by: str = "status",
                  lang: str = "en", changed: set[str] | None = None, shown: Shown | None = None,
                  forecast_on: bool = False) -> dict:
    """Every output of the dashboard for one view, from the memoized data layer; with
    `changed` (the parts of the view that changed), only the outputs that show them. When
    only the indicator changed and `shown` (what the page shows) holds this pillar's cards,
    the cards stay and only the two whose selection moved are updated. The trend carries
    the values that stand out and, with `forecast_on`, the forecasts."""
    indicator = tenant_catalog(tenant)[view.indicator]
    pillar_ids = options_for(tenant).indicators_in(view.pillar)
    query = view.query_string(lang)
    charts = {name: functools.cache(lambda name=name: screen_chart(tenant, name, view, colour_by, lang))
              for name in layout.CHART_OUTPUTS}
    build = {
        "indicator_options": lambda: layout.indicator_options(pillar_ids, lang),
        "headline": lambda: components.headline(_snapshot(tenant, view).loc[INDEX_ID], view.period,
                                                queries.scope_of(view.regions), lang),
        "cards": lambda: _cards(tenant, view, pillar_ids, lang),
        "cards_heading": lambda: t("cards_heading", lang, pillar=catalog().pillar_name(view.pillar, lang)),
        "trend": lambda: insight_overlay.trend(tenant, view, charts["trend"](), forecast_on, lang),
        "bar": charts["regions"],
        "map": charts["map"],
        "trend_text": lambda: components.chart_text(charts["trend"](), lang, graph_id=ids.TREND),
        "bar_text": lambda: components.chart_text(charts["regions"](), lang, graph_id=ids.REGIONS_BAR),
        "map_text": lambda: components.chart_text(charts["map"](), lang, graph_id=ids.MAP),
        "rows": lambda: table_rows(queries.view_rows(tenant, view.start, view.end, view.regions, view.indicator),
                                   indicator, lang) if allowed("data_table") else [],
        "columns": lambda: layout.table_columns(indicator, lang),
        "table_title": lambda: t("table_title", lang, indicator=indicator.name(lang),
                                 start=format_period(view.start, lang), end=format_period(view.end, lang)),
    }
    profile_href, profile_text = insight_overlay.profile_link(view, lang)
    content = dict(
        period=str(view.period), start=str(view.start), end=str(view.end), regions=list(view.regions),
        pillar=view.pillar, indicator=view.indicator, search=query, notice=components.notice(notices, lang),
        csv_href="/export/data.csv" + query if allowed("export_csv") else None,
        profile_href=profile_href, profile_text=profile_text,
        **png_links(view, colour_by, lang),
    )
    if changed is not None and (shown is None or shown.cards != pillar_ids):
        changed = changed | {"pillar"}  # other cards on screen: build this pillar's
    for name, make in build.items():
        needed = changed is None or bool(DEPENDS_ON[name] & changed)
        content[name] = make() if needed else no_update
    if changed is not None and "regions" not in changed:
        content["profile_text"] = no_update  # the same place: only the link's view moved
    in_place = changed is not None and content["cards"] is no_update and "indicator" in changed
    content.update(_selection_updates(view, shown, pillar_ids) if in_place else
                   {f"card_{part}": no_update for part in layout.KPI_SELECTION})
    return content


def _selection_updates(view: View, shown: Shown, pillar_ids: list[str]) -> dict:
    """The selection of the two cards it moved between (no_update for the others): one
    property each, where rebuilding the cards would mount every card again."""
    moved = {shown.view.indicator, view.indicator}
    return {f"card_{part}": [layout.kpi_selection(i == view.indicator)[part] if i in moved else no_update
                             for i in pillar_ids] for part in layout.KPI_SELECTION}


def _snapshot(tenant: Tenant, view: View):
    return queries.indicator_snapshot(tenant, view.period, view.regions).set_index("indicator_id")


def _cards(tenant: Tenant, view: View, pillar_ids: list[str], lang: str) -> list:
    snapshot = _snapshot(tenant, view)
    series = queries.selection_series(tenant, view.regions)
    window = range(view.start.ordinal, view.end.ordinal + 1)
    settings = tenant_catalog(tenant)
    return [layout.kpi_card(snapshot.loc[i], settings[i], series[i].reindex(window).tolist(), i == view.indicator,
                            lang) for i in pillar_ids]


def png_links(view: View, colour_by: str, lang: str = "en") -> dict:
    """Links to the PNG of each chart, in the page's language; no link at all where PNG
    export cannot work."""
    if not availability()[0]:
        return {f"png_{name}": no_update for name in ("trend", "regions", "map")}
    query = view.query_string(lang)
    return {"png_trend": f"/export/trend.png{query}", "png_regions": f"/export/regions.png{query}",
            "png_map": f"/export/map.png{query}&colour={colour_by}"}


def table_rows(rows, indicator, lang: str) -> list[dict]:
    unit = indicator.unit(lang)
    return [
        {"id": f"{code}-{year}Q{quarter}", "region": region_name(code, lang),
         "period": format_period(Period(int(year), int(quarter)), lang),
         "value": round(float(value), indicator.decimals + 2),
         "value_text": format_number(float(value), indicator.decimals, lang), "unit": unit,
         "quality": t(f"quality_{quality}", lang), "source": source}
        for code, year, quarter, value, quality, source in zip(
            rows["region_code"], rows["year"], rows["quarter"], rows["value"], rows["quality_flag"],
            rows["source_system"], strict=True)
    ]

