"""Figure builders: pure functions of DataFrames, built with graph_objects. The screen and
the PNG export use the same builders, so a chart and its download always agree.

Every figure carries its text alternative in `layout.meta`: the title, a one-sentence summary
and the data behind it as a small table (the screen shows them beside the chart). In Arabic
the charts are mirrored: time runs from right to left, value axes and names sit on the right."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from data.aggregate import status
from data.catalog import INDEX_ID, Indicator, catalog
from data.periods import Period
from data.regions import NATIONAL_CODE, region_name
from layouts.format import arabic_indic_digits, format_number, format_percent, format_period, missing
from layouts.text import direction, t

FONT_FAMILY = "Noto Sans, Noto Sans Arabic, DejaVu Sans, Arial, sans-serif"
ARABIC_FONT_FAMILY = "Noto Sans Arabic, Noto Naskh Arabic, Noto Sans, DejaVu Sans, Arial, sans-serif"
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
STATUS_MARK = {"green": "✓", "amber": "!", "red": "✕"}  # on map tiles: the status is never colour alone
DARK_TEXT_ON = {"amber"}  # tile colours light enough to need dark text


def rtl(lang: str) -> bool:
    return direction(lang) == "rtl"


def base_layout(title: str, height: int = 360, lang: str = "en") -> dict:
    family = ARABIC_FONT_FAMILY if rtl(lang) else FONT_FAMILY
    return dict(
        title=dict(text=title, x=0.99 if rtl(lang) else 0.01, xanchor="right" if rtl(lang) else "left",
                   font=dict(size=15)),
        font=dict(family=family, size=12, color="#212529"),
        height=height,
        margin=dict(l=56, r=24, t=48, b=40) if not rtl(lang) else dict(l=24, r=56, t=48, b=40),
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel=dict(font=dict(family=family), align="right" if rtl(lang) else "left"),
        separators=".,",
    )


def describe(figure: go.Figure, title: str, summary: str, columns: list[str], rows: list[list[str]]) -> go.Figure:
    """Attach the figure's text alternative: title, one-sentence summary and its data."""
    figure.update_layout(meta=dict(title=title, summary=summary, columns=columns, rows=rows))
    return figure


def value_axis(low: float, high: float, decimals: int, lang: str) -> dict:
    """Tick labels in the language's digits: plotly writes 0-9 itself, so with Arabic-Indic
    digits the ticks are chosen and written here."""
    if not (rtl(lang) and arabic_indic_digits()) or not high > low:
        return {}
    step = _nice_step((high - low) / 5)
    first = math.ceil(low / step) * step
    values = [first + i * step for i in range(int((high - first) / step) + 1)]
    shown = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return dict(tickvals=values, ticktext=[format_number(v, max(shown, 0), lang) for v in values])


def _nice_step(raw: float) -> float:
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def empty_figure(title: str, lang: str = "en", height: int = 360) -> go.Figure:
    """A figure that says there is nothing to show instead of drawing empty axes."""
    figure = go.Figure(layout=base_layout(title, height, lang))
    figure.update_layout(
        xaxis=dict(visible=False), yaxis=dict(visible=False),
        annotations=[dict(text=t("no_data_selection", lang), showarrow=False, font=dict(size=16),
                          xref="paper", yref="paper", x=0.5, y=0.5)],
    )
    return describe(figure, title, t("no_data_selection", lang), [], [])


def trend_figure(series: pd.DataFrame, indicator: Indicator, start: Period, end: Period,
                 lang: str = "en") -> go.Figure:
    """Lines for the nation and each selected region; `series` has region_code, ordinal, value.
    Threshold bands show where good, watch and poor lie; a target shows as a line."""
    title = t("trend_title", lang, indicator=indicator.name(lang), start=format_period(start, lang),
              end=format_period(end, lang))
    series = series.dropna(subset=["value"])
    if series.empty:
        return empty_figure(title, lang)
    figure = go.Figure(layout=base_layout(title, lang=lang))
    quarters = [Period.from_ordinal(o) for o in range(start.ordinal, end.ordinal + 1)]
    labels = [format_period(p, lang) for p in quarters]
    regions = [c for c in dict.fromkeys(series["region_code"]) if c != NATIONAL_CODE]
    table: dict[str, dict[int, str]] = {}
    for position, code in enumerate([NATIONAL_CODE, *regions]):
        rows = series[series["region_code"] == code].sort_values("ordinal")
        if rows.empty:
            continue
        national = code == NATIONAL_CODE
        values = rows["value"].round(indicator.decimals + 1).tolist()
        shown = [format_number(v, indicator.decimals, lang) for v in values]
        table[region_name(code, lang)] = dict(zip(rows["ordinal"], shown, strict=True))
        x = [format_period(Period.from_ordinal(o), lang) for o in rows["ordinal"]]
        figure.add_trace(go.Scatter(
            x=x,
            y=values,
            name=region_name(code, lang),
            mode="lines+markers",
            line=dict(width=3 if national else 2,
                      color=NATIONAL_COLOUR if national else REGION_COLOURS[(position - 1) % len(REGION_COLOURS)],
                      dash="solid" if national else None),
            marker=dict(size=4),
            text=[f"{p}: {v} {indicator.unit(lang)}" for p, v in zip(x, shown, strict=True)],
            hovertemplate="%{text}<extra>%{fullData.name}</extra>",
        ))
    low, high = _value_span(series["value"], indicator)
    figure.update_layout(
        xaxis=dict(type="category", categoryorder="array", categoryarray=labels, showgrid=False,
                   nticks=12, autorange="reversed" if rtl(lang) else True),
        yaxis=dict(title=indicator.unit(lang), range=[low, high], gridcolor="#eef0f2", zeroline=False,
                   side="right" if rtl(lang) else "left", **value_axis(low, high, indicator.decimals, lang)),
        legend=dict(orientation="h", y=-0.18, x=1 if rtl(lang) else 0, xanchor="right" if rtl(lang) else "left"),
        shapes=_threshold_bands(indicator, low, high),
        annotations=_target_annotation(indicator, lang),
    )
    if indicator.target is not None:
        figure.add_hline(y=indicator.target.value, line=dict(color="#0d6efd", dash="dash", width=1.5))
    names = list(table)
    first_line = table[names[0]]
    first, last = min(first_line), max(first_line)
    summary = t("trend_summary", lang, name=names[0], first=f"{first_line[first]} {indicator.unit(lang)}",
                start=format_period(Period.from_ordinal(first), lang),
                last=f"{first_line[last]} {indicator.unit(lang)}", end=format_period(Period.from_ordinal(last), lang))
    rows = [[label, *(table[name].get(p.ordinal, "–") for name in names)] for p, label in zip(quarters, labels,
                                                                                              strict=True)]
    return describe(figure, title, summary, [t("col_period", lang), *names], rows)


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
    value = format_number(indicator.target.value, target_decimals(indicator.target.value), lang)
    return [dict(text=t("target_line", lang, value=value), xref="paper", x=0 if rtl(lang) else 1,
                 xanchor="left" if rtl(lang) else "right", yref="y", y=indicator.target.value, yanchor="bottom",
                 showarrow=False, font=dict(color="#0a58ca", size=11))]


def target_decimals(value: float) -> int:
    """As many decimals as a target is written with (7 -> 0, 0.5 -> 1)."""
    text = f"{value:g}"
    return len(text.split(".")[1]) if "." in text else 0


def regions_bar_figure(snapshot: pd.DataFrame, indicator: Indicator, period: Period,
                       selected: tuple[str, ...] = (), lang: str = "en") -> go.Figure:
    """Regions ranked best first, coloured by status, with the national figure as a line.
    `snapshot` has region_code, value and status (the nation's row included)."""
    title = t("regions_title", lang, indicator=indicator.name(lang), period=format_period(period, lang))
    regions = snapshot[(snapshot["region_code"] != NATIONAL_CODE) & snapshot["value"].notna()]
    if regions.empty:
        return empty_figure(title, lang, height=420)
    regions = regions.sort_values("value", ascending=indicator.direction == "lower")  # best first
    names = [region_name(c, lang) for c in regions["region_code"]]
    values = regions["value"].round(indicator.decimals + 1).tolist()
    shown = [format_number(v, indicator.decimals, lang) for v in values]
    statuses = [_status_text(s, lang) for s in regions["status"]]
    figure = go.Figure(layout=base_layout(title, height=420, lang=lang))
    figure.add_trace(go.Bar(
        x=values,
        y=names,
        orientation="h",
        customdata=regions["region_code"].tolist(),
        marker=dict(color=[STATUS_COLOURS[s if isinstance(s, str) else None] for s in regions["status"]],
                    line=dict(width=[3 if c in selected else 0 for c in regions["region_code"]],
                              color="#0d6efd")),
        text=statuses,
        textposition="inside",
        insidetextanchor="start",
        hovertext=[f"{n}: {v} {indicator.unit(lang)} {s}" for n, v, s in zip(names, shown, statuses, strict=True)],
        hovertemplate="%{hovertext}<extra></extra>",
    ))
    low, high = min(0.0, min(values)), max(0.0, max(values))
    figure.update_layout(
        yaxis=dict(autorange="reversed", automargin=True, side="right" if rtl(lang) else "left"),
        xaxis=dict(title=indicator.unit(lang), gridcolor="#eef0f2", autorange="reversed" if rtl(lang) else True,
                   **value_axis(low, high, indicator.decimals, lang)),
        margin=dict(l=24, r=140, t=48, b=48) if rtl(lang) else dict(l=140, r=24, t=48, b=48),
        clickmode="event",
    )
    national = snapshot.loc[snapshot["region_code"] == NATIONAL_CODE, "value"]
    national_text = None
    if len(national) and not pd.isna(national.iloc[0]):
        value = float(national.iloc[0])
        national_text = format_number(value, indicator.decimals, lang)
        figure.add_vline(x=value, line=dict(color=NATIONAL_COLOUR, dash="dot", width=2))
        figure.add_annotation(text=t("national_reference", lang, value=national_text),
                              x=value, xref="x", y=1.0, yref="paper", yanchor="bottom",
                              showarrow=False, font=dict(size=11))
    unit = indicator.unit(lang)
    facts = dict(best=names[0], best_value=f"{shown[0]} {unit}", worst=names[-1], worst_value=f"{shown[-1]} {unit}")
    summary = (t("regions_summary", lang, national=f"{national_text} {unit}", **facts) if national_text
               else t("regions_summary_no_national", lang, **facts))
    rows = [[n, f"{v} {unit}", _status_word(s, lang)] for n, v, s in zip(names, shown, regions["status"], strict=True)]
    return describe(figure, title, summary, [t("col_region", lang), t("col_value", lang), t("col_status", lang)],
                    rows)


def region_map_figure(snapshot: pd.DataFrame, indicator: Indicator, period: Period,
                      colour_by: str = "status", selected: tuple[str, ...] = (),
                      lang: str = "en") -> go.Figure:
    """The schematic tile map: one square per region, coloured by status or by value."""
    title = t("map_title", lang, period=format_period(period, lang))
    regions = snapshot[snapshot["region_code"].isin(TILES)]
    if regions["value"].isna().all():
        return empty_figure(title, lang, height=420)
    codes = regions["region_code"].tolist()
    values = regions["value"].tolist()
    statuses = [s if isinstance(s, str) else None for s in regions["status"]]
    by_status = colour_by != "value" and indicator.has_thresholds
    figure = go.Figure(layout=base_layout(title, height=420, lang=lang))
    marker = dict(symbol="square", size=58, line=dict(width=[4 if c in selected else 1 for c in codes],
                                                      color=["#0d6efd" if c in selected else "white" for c in codes]))
    if by_status:
        marker.update(color=[STATUS_COLOURS[s] for s in statuses])
        text_colours = ["#212529" if s in DARK_TEXT_ON else "white" for s in statuses]
    else:
        marker.update(color=values, colorscale="Viridis", reversescale=indicator.direction == "lower",
                      showscale=True, colorbar=dict(title=dict(text=indicator.unit(lang)), thickness=12,
                                                    x=-0.02 if rtl(lang) else 1.02,
                                                    xanchor="right" if rtl(lang) else "left"))
        text_colours = "white"
    unit = indicator.unit(lang)
    shown = [_number(v, indicator, lang) for v in values]
    figure.add_trace(go.Scatter(
        x=[TILES[c][0] for c in codes],
        y=[TILES[c][1] for c in codes],
        mode="markers+text",
        marker=marker,
        text=[_tile_label(c, v, s if by_status else None, lang) for c, v, s in zip(codes, shown, statuses,
                                                                                  strict=True)],
        textfont=dict(color=text_colours, size=10),
        customdata=codes,
        hovertext=[f"{region_name(c, lang)}: {v} {unit} {_status_text(s, lang)}"
                   for c, v, s in zip(codes, shown, statuses, strict=True)],
        hoverinfo="text",
    ))
    figure.update_layout(
        xaxis=dict(visible=False, range=[-0.6, 3.6]),
        yaxis=dict(visible=False, range=[5.6, -0.6], scaleanchor="x"),
        margin=dict(l=8, r=8, t=48, b=8),
        clickmode="event",
    )
    rows = [[region_name(c, lang), f"{v} {unit}", _status_word(s, lang)]
            for c, v, s in sorted(zip(codes, shown, statuses, strict=True), key=lambda row: row[0])]
    return describe(figure, title, _map_summary(codes, values, statuses, indicator, by_status, lang),
                    [t("col_region", lang), t("col_value", lang), t("col_status", lang)], rows)


def _map_summary(codes, values, statuses, indicator: Indicator, by_status: bool, lang: str) -> str:
    if by_status:
        counts = {s: format_number(statuses.count(s), 0, lang) for s in ("green", "amber", "red", None)}
        return t("map_summary", lang, green=counts["green"], amber=counts["amber"], red=counts["red"],
                 none=counts[None])
    present = [(v, c) for v, c in zip(values, codes, strict=True) if not missing(v)]
    (low, low_code), (high, high_code) = min(present), max(present)
    unit = indicator.unit(lang)
    return t("map_summary_values", lang, low=f"{_number(low, indicator, lang)} {unit}",
             low_region=region_name(low_code, lang), high=f"{_number(high, indicator, lang)} {unit}",
             high_region=region_name(high_code, lang))


def _tile_label(code: str, shown: str, status: str | None, lang: str) -> str:
    words = region_name(code, lang).replace("Province", "").split()  # one word a line, to fit the tile
    value = f"{STATUS_MARK[status]} {shown}" if status in STATUS_MARK else shown
    return "<br>".join([*words, value])


def _number(value, indicator: Indicator, lang: str) -> str:
    return "–" if missing(value) else format_number(value, indicator.decimals, lang)


def _status_text(status, lang: str) -> str:
    return f"({t(STATUS_WORD[status], lang)})" if status in STATUS_WORD else ""


def _status_word(status, lang: str) -> str:
    return t(STATUS_WORD[status], lang) if status in STATUS_WORD else t("status_none", lang)


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
    contributions = [format_number(c, 2, lang) for c in parts["contribution"]]
    scores = [format_number(s, 0, lang) for s in parts["score"]]
    weights = [format_percent(w, 0, lang) for w in parts["weight"]]
    figure = go.Figure(layout=base_layout(title, height=420, lang=lang))
    figure.add_trace(go.Bar(
        x=parts["contribution"].round(2).tolist(),
        y=names,
        orientation="h",
        marker=dict(color=[_score_colour(s) for s in parts["score"]]),
        text=[t("breakdown_bar_text", lang, score=s, weight=w) for s, w in zip(scores, weights, strict=True)],
        textposition="outside",
        cliponaxis=False,
        hovertext=[f"{n}: {c}" for n, c in zip(names, contributions, strict=True)],
        hovertemplate="%{hovertext}<extra></extra>",
    ))
    top = max(parts["contribution"].max() * (1.6 if rtl(lang) else 1.35), 1)  # room for the bars' words
    figure.update_layout(
        xaxis=dict(title=t("breakdown_axis", lang), gridcolor="#eef0f2", range=[top, 0] if rtl(lang) else [0, top],
                   **value_axis(0, top, 0, lang)),
        yaxis=dict(automargin=True, side="right" if rtl(lang) else "left"),
        margin=dict(l=24, r=190, t=48, b=48) if rtl(lang) else dict(l=190, r=24, t=48, b=48),
    )
    summary = t("breakdown_summary", lang, value=format_number(index_value, 1, lang), top=names[-1],
                points=contributions[-1])
    rows = [[n, s, w, c] for n, s, w, c in zip(names, scores, weights, contributions, strict=True)][::-1]
    return describe(figure, title, summary, [t("col_component", lang), t("col_score", lang), t("col_weight", lang),
                                             t("col_contribution", lang)], rows)


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
    start = dict(x=0.99, xanchor="right") if rtl(lang) else dict(x=0.01, xanchor="left")
    end = dict(x=0, xanchor="left") if rtl(lang) else dict(x=1, xanchor="right")
    stamped.update_layout(
        title=dict(text=title, subtitle=dict(text=selection, font=dict(size=12, color="#495057")),
                   font=dict(size=18), **start),
        margin=dict(t=max(figure.layout.margin.t or 0, 84), b=max(figure.layout.margin.b or 0, 70)),
        annotations=[*figure.layout.annotations, dict(
            text=note, xref="paper", yref="paper", y=0, yanchor="top",
            yshift=-42, showarrow=False, font=dict(size=11, color="#6c757d"), **end)],
    )
    return stamped
