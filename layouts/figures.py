"""Figure builders: pure functions of DataFrames, built with graph_objects. The screen and
the PNG export use the same builders, so a chart and its download always agree."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from data.aggregate import status
from data.catalog import INDEX_ID, Indicator, catalog
from data.periods import Period
from data.regions import NATIONAL_CODE, region_name
from layouts.text import t

FONT_FAMILY = "Noto Sans, Noto Sans Arabic, DejaVu Sans, Arial, sans-serif"
STATUS_COLOURS = {"green": "#198754", "amber": "#e0a800", "red": "#dc3545", None: "#8a939b"}
BAND_COLOURS = {"green": "rgba(25,135,84,0.08)", "amber": "rgba(224,168,0,0.10)", "red": "rgba(220,53,69,0.08)"}
NATIONAL_COLOUR = "#212529"
REGION_COLOURS = ["#0d6efd", "#6f42c1", "#d63384", "#fd7e14", "#20c997", "#0dcaf0", "#6610f2",
                  "#198754", "#b02a37", "#997404", "#087990", "#495057", "#ab296a"]

# The schematic map: one tile per region at (column, row), north at the top.
TILES = {
    "SA-12": (1, 0), "SA-08": (2, 0),
    "SA-07": (0, 1), "SA-06": (1, 1), "SA-05": (2, 1),
    "SA-03": (1, 2), "SA-01": (2, 2), "SA-04": (3, 2),
    "SA-02": (1, 3), "SA-11": (2, 3),
    "SA-14": (2, 4), "SA-10": (3, 4),
    "SA-09": (2, 5),
}
STATUS_WORD = {"green": "band_green", "amber": "band_amber", "red": "band_red"}


def base_layout(title: str, height: int = 360, lang: str = "en") -> dict:
    return dict(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15)),
        font=dict(family=FONT_FAMILY, size=12, color="#212529"),
        height=height,
        margin=dict(l=56, r=24, t=48, b=40),
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel=dict(font=dict(family=FONT_FAMILY)),
        separators=".,",
    )


def empty_figure(title: str, lang: str = "en", height: int = 360) -> go.Figure:
    """A figure that says there is nothing to show instead of drawing empty axes."""
    figure = go.Figure(layout=base_layout(title, height, lang))
    figure.update_layout(
        xaxis=dict(visible=False), yaxis=dict(visible=False),
        annotations=[dict(text=t("no_data_selection", lang), showarrow=False, font=dict(size=16),
                          xref="paper", yref="paper", x=0.5, y=0.5)],
    )
    return figure


def trend_figure(series: pd.DataFrame, indicator: Indicator, start: Period, end: Period,
                 lang: str = "en") -> go.Figure:
    """Lines for the nation and each selected region; `series` has region_code, ordinal, value.
    Threshold bands show where good, watch and poor lie; a target shows as a line."""
    title = t("trend_title", lang, indicator=indicator.name(lang), start=start, end=end)
    series = series.dropna(subset=["value"])
    if series.empty:
        return empty_figure(title, lang)
    figure = go.Figure(layout=base_layout(title, lang=lang))
    labels = [str(Period.from_ordinal(o)) for o in range(start.ordinal, end.ordinal + 1)]
    regions = [c for c in dict.fromkeys(series["region_code"]) if c != NATIONAL_CODE]
    for position, code in enumerate([NATIONAL_CODE, *regions]):
        rows = series[series["region_code"] == code].sort_values("ordinal")
        if rows.empty:
            continue
        national = code == NATIONAL_CODE
        figure.add_trace(go.Scatter(
            x=[str(Period.from_ordinal(o)) for o in rows["ordinal"]],
            y=rows["value"].round(indicator.decimals + 1).tolist(),
            name=region_name(code, lang),
            mode="lines+markers",
            line=dict(width=3 if national else 2,
                      color=NATIONAL_COLOUR if national else REGION_COLOURS[(position - 1) % len(REGION_COLOURS)],
                      dash="solid" if national else None),
            marker=dict(size=4),
            hovertemplate=f"%{{x}}: %{{y:,.{indicator.decimals}f}} {indicator.unit(lang)}"
                          "<extra>%{fullData.name}</extra>",
        ))
    low, high = _value_span(series["value"], indicator)
    figure.update_layout(
        xaxis=dict(type="category", categoryorder="array", categoryarray=labels, showgrid=False,
                   nticks=12),
        yaxis=dict(title=indicator.unit(lang), range=[low, high], gridcolor="#eef0f2", zeroline=False),
        legend=dict(orientation="h", y=-0.18),
        shapes=_threshold_bands(indicator, low, high),
        annotations=_target_annotation(indicator, lang),
    )
    if indicator.target is not None:
        figure.add_hline(y=indicator.target.value, line=dict(color="#0d6efd", dash="dash", width=1.5))
    return figure


def _value_span(values: pd.Series, indicator: Indicator) -> tuple[float, float]:
    points = list(values)
    if indicator.target is not None:
        points.append(indicator.target.value)
    low, high = min(points), max(points)
    pad = (high - low) * 0.08 or abs(high) * 0.05 or 1.0
    return low - pad, high + pad


def _threshold_bands(indicator: Indicator, low: float, high: float) -> list[dict]:
    if not indicator.has_thresholds:
        return []
    green, amber = indicator.green, indicator.amber
    if indicator.direction == "higher":
        bands = [("red", low, amber), ("amber", amber, green), ("green", green, high)]
    else:
        bands = [("green", low, green), ("amber", green, amber), ("red", amber, high)]
    return [
        dict(type="rect", xref="paper", x0=0, x1=1, yref="y", y0=max(a, low), y1=min(b, high),
             fillcolor=BAND_COLOURS[name], line=dict(width=0), layer="below")
        for name, a, b in bands if min(b, high) > max(a, low)
    ]


def _target_annotation(indicator: Indicator, lang: str) -> list[dict]:
    if indicator.target is None:
        return []
    return [dict(text=t("target_line", lang, value=f"{indicator.target.value:g}"), xref="paper", x=1,
                 xanchor="right", yref="y", y=indicator.target.value, yanchor="bottom",
                 showarrow=False, font=dict(color="#0d6efd", size=11))]


def regions_bar_figure(snapshot: pd.DataFrame, indicator: Indicator, period: Period,
                       selected: tuple[str, ...] = (), lang: str = "en") -> go.Figure:
    """Regions ranked best first, coloured by status, with the national figure as a line.
    `snapshot` has region_code, value and status (the nation's row included)."""
    title = t("regions_title", lang, indicator=indicator.name(lang), period=period)
    regions = snapshot[(snapshot["region_code"] != NATIONAL_CODE) & snapshot["value"].notna()]
    if regions.empty:
        return empty_figure(title, lang, height=420)
    regions = regions.sort_values("value", ascending=indicator.direction == "lower")  # best first
    names = [region_name(c, lang) for c in regions["region_code"]]
    figure = go.Figure(layout=base_layout(title, height=420, lang=lang))
    figure.add_trace(go.Bar(
        x=regions["value"].round(indicator.decimals + 1).tolist(),
        y=names,
        orientation="h",
        customdata=regions["region_code"].tolist(),
        marker=dict(color=[STATUS_COLOURS[s if isinstance(s, str) else None] for s in regions["status"]],
                    line=dict(width=[3 if c in selected else 0 for c in regions["region_code"]],
                              color="#0d6efd")),
        text=[_status_text(s, lang) for s in regions["status"]],
        textposition="inside",
        insidetextanchor="start",
        hovertemplate=f"%{{y}}: %{{x:,.{indicator.decimals}f}} {indicator.unit(lang)} %{{text}}<extra></extra>",
    ))
    figure.update_layout(
        yaxis=dict(autorange="reversed", automargin=True),
        xaxis=dict(title=indicator.unit(lang), gridcolor="#eef0f2"),
        margin=dict(l=140, r=24, t=48, b=48),
        clickmode="event",
    )
    national = snapshot.loc[snapshot["region_code"] == NATIONAL_CODE, "value"]
    if len(national) and not pd.isna(national.iloc[0]):
        value = float(national.iloc[0])
        figure.add_vline(x=value, line=dict(color=NATIONAL_COLOUR, dash="dot", width=2))
        figure.add_annotation(text=t("national_reference", lang, value=f"{value:,.{indicator.decimals}f}"),
                              x=value, xref="x", y=1.0, yref="paper", yanchor="bottom",
                              showarrow=False, font=dict(size=11))
    return figure


def region_map_figure(snapshot: pd.DataFrame, indicator: Indicator, period: Period,
                      colour_by: str = "status", selected: tuple[str, ...] = (),
                      lang: str = "en") -> go.Figure:
    """The schematic tile map: one square per region, coloured by status or by value."""
    title = t("map_title", lang, period=period)
    regions = snapshot[snapshot["region_code"].isin(TILES)]
    if regions["value"].isna().all():
        return empty_figure(title, lang, height=420)
    codes = regions["region_code"].tolist()
    values = regions["value"].tolist()
    statuses = [s if isinstance(s, str) else None for s in regions["status"]]
    figure = go.Figure(layout=base_layout(title, height=420, lang=lang))
    marker = dict(symbol="square", size=58, line=dict(width=[4 if c in selected else 1 for c in codes],
                                                      color=["#0d6efd" if c in selected else "white" for c in codes]))
    if colour_by == "value" or not indicator.has_thresholds:
        marker.update(color=values, colorscale="Viridis", reversescale=indicator.direction == "lower",
                      showscale=True, colorbar=dict(title=dict(text=indicator.unit(lang)), thickness=12))
    else:
        marker.update(color=[STATUS_COLOURS[s] for s in statuses])
    figure.add_trace(go.Scatter(
        x=[TILES[c][0] for c in codes],
        y=[TILES[c][1] for c in codes],
        mode="markers+text",
        marker=marker,
        text=[_tile_label(c, v, indicator, lang) for c, v in zip(codes, values, strict=True)],
        textfont=dict(color="white", size=10),
        customdata=codes,
        hovertext=[f"{region_name(c, lang)}: {_number(v, indicator)} {indicator.unit(lang)} {_status_text(s, lang)}"
                   for c, v, s in zip(codes, values, statuses, strict=True)],
        hoverinfo="text",
    ))
    figure.update_layout(
        xaxis=dict(visible=False, range=[-0.6, 3.6]),
        yaxis=dict(visible=False, range=[5.6, -0.6], scaleanchor="x"),
        margin=dict(l=8, r=8, t=48, b=8),
        clickmode="event",
    )
    return figure


def _tile_label(code: str, value, indicator: Indicator, lang: str) -> str:
    words = region_name(code, lang).replace("Province", "").split()  # one word a line, to fit the tile
    return "<br>".join([*words, _number(value, indicator)])


def _number(value, indicator: Indicator) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{indicator.decimals}f}"


def _status_text(status, lang: str) -> str:
    return f"({t(STATUS_WORD[status], lang)})" if status in STATUS_WORD else ""


def sparkline_svg(values: list[float], colour: str = "#0d6efd", width: int = 120, height: int = 32) -> str:
    """A tiny line of the real quarterly series as an SVG data URI (no chart library needed)."""
    points = [v for v in values if v is not None and not math.isnan(v)]
    if len(points) < 2:
        return ""
    low, high = min(points), max(points)
    span = (high - low) or 1.0
    step = width / (len(points) - 1)
    coords = " ".join(f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
                      for i, v in enumerate(points))
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           f"viewBox='0 0 {width} {height}'><polyline fill='none' stroke='{colour}' stroke-width='1.8' "
           f"points='{coords}'/></svg>")
    return "data:image/svg+xml;utf8," + svg.replace("#", "%23")


def index_breakdown_figure(components: pd.DataFrame, index_value: float | None, title: str,
                           lang: str = "en") -> go.Figure:
    """Each component's contribution to the index (score x effective weight), largest first.
    `components` is the data layer's breakdown: component, value, score, weight, contribution."""
    parts = components.dropna(subset=["score"])
    if parts.empty or index_value is None:
        return empty_figure(title, lang, height=420)
    parts = parts.sort_values("contribution", ascending=True)
    names = [catalog()[c].name(lang) for c in parts["component"]]
    figure = go.Figure(layout=base_layout(title, height=420, lang=lang))
    figure.add_trace(go.Bar(
        x=parts["contribution"].round(2).tolist(),
        y=names,
        orientation="h",
        marker=dict(color=[_score_colour(s) for s in parts["score"]]),
        text=[t("breakdown_bar_text", lang, score=s, weight=w * 100)
              for s, w in zip(parts["score"], parts["weight"], strict=True)],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x:.2f}<extra></extra>",
    ))
    figure.update_layout(
        xaxis=dict(title=t("breakdown_axis", lang), gridcolor="#eef0f2",
                   range=[0, max(parts["contribution"].max() * 1.35, 1)]),
        yaxis=dict(automargin=True),
        margin=dict(l=190, r=24, t=48, b=48),
    )
    return figure


def _score_colour(score: float) -> str:
    """A component's score in the colour the index itself would have at that value."""
    return STATUS_COLOURS[status(score, catalog()[INDEX_ID])]


def stamp_for_export(figure: go.Figure, selection: str, source: str, synthetic: bool,
                     lang: str = "en") -> go.Figure:
    """A copy of a screen figure ready for a slide: the selection under the title and the
    source (and the synthetic-data note) at the foot."""
    stamped = go.Figure(figure)
    title = figure.layout.title.text or ""
    note = t("export_source", lang, source=source)
    if synthetic:
        note += " · " + t("synthetic_short", lang)
    stamped.update_layout(
        title=dict(text=title, subtitle=dict(text=selection, font=dict(size=12, color="#495057")),
                   x=0.01, xanchor="left", font=dict(size=18)),
        margin=dict(t=max(figure.layout.margin.t or 0, 84), b=max(figure.layout.margin.b or 0, 70)),
        annotations=[*figure.layout.annotations, dict(
            text=note, xref="paper", yref="paper", x=1, y=0, xanchor="right", yanchor="top",
            yshift=-42, showarrow=False, font=dict(size=11, color="#6c757d"))],
    )
    return stamped
