"""The named charts of a view, built from the memoized data layer by the figure builders.
The dashboard and the PNG export both call `chart`, so a download equals the screen."""

from __future__ import annotations

import plotly.graph_objects as go

from data import queries
from data.cache import memoized
from data.catalog import INDEX_ID
from data.stewardship import tenant_catalog
from data.tenancy import Tenant
from layouts.components import scope_label
from layouts.figures import index_breakdown_figure, region_map_figure, regions_bar_figure, trend_figure
from layouts.format import arabic_indic_digits, format_number, format_period
from layouts.text import t
from services.view import View

CHARTS = ("trend", "regions", "map", "index-breakdown", "forecast")


def screen_chart(tenant: Tenant, name: str, view: View, colour_by: str = "status", lang: str = "en") -> dict:
    """The chart as the browser receives it (see `chart_json`)."""
    return chart_json(tenant, name, view, colour_by, lang, arabic_indic_digits())


@memoized
def chart_json(tenant: Tenant, name: str, view: View, colour_by: str, lang: str, _arabic_digits: bool) -> dict:
    """The chart as plain JSON, cached per tenant, view, language and digit style: building and
    validating a figure costs more than all of the queries behind it. On screen the title is
    the chart card's heading (it wraps on a phone and no toolbar covers it), so the figure
    itself goes without one."""
    figure = chart(name, tenant, view, colour_by, lang)
    figure.update_layout(margin=dict(t=32))
    screen = figure.to_plotly_json()
    screen["layout"].pop("title", None)
    return screen


def chart(name: str, tenant: Tenant, view: View, colour_by: str = "status", lang: str = "en") -> go.Figure:
    indicator = tenant_catalog(tenant)[view.indicator]  # the tenant's target line
    if name == "trend":
        series = queries.trend_series(tenant, view.start, view.end, view.regions, view.indicator)
        return trend_figure(series, indicator, view.start, view.end, lang)
    if name in ("regions", "map"):
        regional = queries.regional_snapshot(tenant, view.period, view.indicator)
        if name == "regions":
            return regions_bar_figure(regional, indicator, view.period, view.regions, lang)
        return region_map_figure(regional, indicator, view.period, colour_by, view.regions, lang)
    if name == "index-breakdown":
        breakdown = queries.index_breakdown(tenant, view.period, view.regions)
        value = format_number(breakdown.value, tenant_catalog(tenant)[INDEX_ID].decimals, lang)
        title = t("breakdown_title", lang, value=value, scope=scope_label(queries.scope_of(view.regions), lang),
                  period=format_period(view.period, lang))
        return index_breakdown_figure(breakdown.components, breakdown.value, title, lang)
    if name == "forecast":
        return forecast_chart(tenant, view, lang)
    raise ValueError(f"unknown chart {name!r}")


def forecast_chart(tenant: Tenant, view: View, lang: str = "en") -> go.Figure:
    """The place's trend of the view's indicator, its forecast with the 80% and 95% bands and
    the values that stand out (the profile, its PNG). The track record is in the summary."""
    from layouts.insight import add_forecast, add_marks, track_record
    from services.insight import anomalies_in, scope_code, series_outlook

    indicator = tenant_catalog(tenant)[view.indicator]
    code = scope_code(view.regions)
    series = queries.trend_series(tenant, view.start, view.end, view.regions, view.indicator)
    series = series[series["region_code"] == (code or series["region_code"].iloc[0])] if len(series) else series
    figure = trend_figure(series, indicator, view.start, view.end, lang)
    outlook = series_outlook(tenant, code, view.indicator)
    add_forecast(figure, outlook.points, indicator, lang)
    marks = anomalies_in(tenant, view.regions, view.start, view.end, view.indicator)
    if marks is not None:
        add_marks(figure, marks[marks["region_code"] == code], indicator, lang)
    scope = scope_label(queries.scope_of(view.regions), lang)
    title = t("forecast_title", lang, indicator=indicator.name(lang), scope=scope)
    meta = figure.layout.meta
    summary = f"{meta['summary']} {track_record(outlook.skill, outlook.reason, lang)}"
    figure.update_layout(title_text=title, meta={**meta, "title": title, "summary": summary})
    return figure
