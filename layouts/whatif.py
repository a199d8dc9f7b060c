"""What-if weights on the executive page (issue 14): inputs for the index weights, kept in
the URL as `weights=` and never stored, and the index, its breakdown and the regions'
ranking under them beside the official figures."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from data.aggregate import IndexBreakdown
from data.catalog import Catalog
from layouts import ids
from layouts.components import scroll_region
from layouts.format import format_number, format_percent
from layouts.stewardship import preview_table
from layouts.text import t


def whatif_card(catalog: Catalog, weights: dict[str, float], notice: str | None, result, lang: str) -> dbc.Card:
    inputs = [dbc.Col([
        dbc.Label(catalog[cid].name(lang), html_for=ids.whatif_input(cid), className="small mb-0"),
        dbc.Input(id=ids.whatif_input(cid), type="number", step="any", size="sm", value=weight),
    ], xs=6, md=4, lg=3, className="mb-2") for cid, weight in weights.items()]
    return dbc.Card(dbc.CardBody([
        html.H2(t("whatif_title", lang), className="h6"),
        html.P(t("whatif_intro", lang), className="small text-body-secondary"),
        dbc.Alert(notice, color="warning", className="small") if notice else None,
        dbc.Row(inputs, className="g-2"),
        html.Div([dbc.Button(t("whatif_apply", lang), id=ids.WHATIF_APPLY, color="primary", size="sm"),
                  dbc.Button(t("whatif_reset", lang), id=ids.WHATIF_RESET, color="secondary", outline=True,
                             size="sm")], className="d-flex gap-2 mt-2"),
        html.Div(result, id=ids.WHATIF_RESULT, className="mt-3", role="status"),
    ]), className="shadow-sm my-3", id="whatif-card")


def whatif_result(official: IndexBreakdown, proposed: IndexBreakdown, comparison: pd.DataFrame, catalog: Catalog,
                  period_text: str, lang: str) -> html.Div:
    return html.Div([
        html.P(_headline(official, proposed, lang), className="fw-semibold", id="whatif-headline"),
        scroll_region(_breakdown(official, proposed, catalog, lang), label=t("whatif_breakdown", lang)),
        preview_table(comparison, period_text, lang, "whatif_heading"),
    ])


def _headline(official: IndexBreakdown, proposed: IndexBreakdown, lang: str) -> str:
    if official.value is None or proposed.value is None:
        return t("whatif_insufficient", lang)
    return t("whatif_headline", lang, value=format_number(proposed.value, 2, lang),
             official=format_number(official.value, 2, lang),
             change=format_number(proposed.value - official.value, 2, lang, signed=True))


def _breakdown(official: IndexBreakdown, proposed: IndexBreakdown, catalog: Catalog, lang: str) -> dbc.Table:
    """Each component's score, weight and contribution, official and what-if; a component
    weighted 0 on one side shows 0 there."""
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in (
        "col_component", "col_score", "whatif_official_weight", "whatif_your_weight", "whatif_official_part",
        "whatif_your_part")]))
    theirs, mine = (b.components.set_index("component") for b in (official, proposed))
    rows = [html.Tr([
        html.Th(catalog[cid].name(lang), scope="row", className="fw-normal"),
        html.Td(_number((theirs if cid in theirs.index else mine).loc[cid, "score"], 1, lang), className="text-end"),
        html.Td(format_percent(_part(theirs, cid, "weight"), 1, lang), className="text-end"),
        html.Td(format_percent(_part(mine, cid, "weight"), 1, lang), className="text-end"),
        html.Td(_number(_part(theirs, cid, "contribution"), 2, lang), className="text-end"),
        html.Td(_number(_part(mine, cid, "contribution"), 2, lang), className="text-end"),
    ]) for cid in dict.fromkeys([*theirs.index, *mine.index])]
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="small mb-3", id="whatif-breakdown")


def _part(parts: pd.DataFrame, component: str, column: str) -> float:
    return float(parts.loc[component, column]) if component in parts.index else 0.0


def _number(value, decimals: int, lang: str) -> str:
    return format_number(None if pd.isna(value) else float(value), decimals, lang)
