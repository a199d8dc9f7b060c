"""What-if weights on the executive page (issue 14), kept apart from the page's own
callback: the weights live in the URL as `weights=`, are checked (malformed: the official
weights and a notice), and nothing is stored."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from dash import Input, Output, State, ctx, no_update

from callbacks.admin_common import read_weights
from data import queries
from data.catalog import catalog
from data.proposals import index_comparison, parse_weights, proposed_breakdown, weights_parameter
from data.stewardship import check_weights, tenant_catalog
from data.tenancy import Tenant
from layouts import ids
from layouts.format import format_period
from layouts.stewardship import problems_alert
from layouts.text import language_of, t
from layouts.whatif import whatif_card, whatif_result
from services.view import WHATIF_PARAMETER, View, view_of_request

COMPONENTS = tuple(catalog().index_weights)


def card(tenant: Tenant, view: View, search: str, lang: str):
    """The what-if card for the page as the URL asks for it."""
    asked = _asked(search)
    official = tenant_catalog(tenant).index_weights
    notice = t("whatif_bad_link", lang) if asked is None and _raw(search) else None
    result = result_for(tenant, view, asked, lang) if asked else None
    return whatif_card(tenant_catalog(tenant), {cid: (asked or official).get(cid, 0.0) for cid in COMPONENTS},
                       notice, result, lang)


def result_for(tenant: Tenant, view: View, weights: dict[str, float], lang: str):
    official = queries.index_breakdown(tenant, view.period, view.regions)
    proposed = proposed_breakdown(tenant, view.period, view.regions, weights)
    comparison = index_comparison(tenant, view.period, weights)
    return whatif_result(official, proposed, comparison, tenant_catalog(tenant), format_period(view.period, lang),
                         lang)


def _raw(search) -> str | None:
    return dict(parse_qsl((search or "").lstrip("?"))).get(WHATIF_PARAMETER) if isinstance(search, str) else None


def _asked(search) -> dict[str, float] | None:
    return parse_weights(_raw(search))


def keep_whatif(query: str, search) -> str:
    """`query` (the page's view) with the what-if weights of `search`, if any."""
    raw = _raw(search)
    return query + "&" + urlencode({WHATIF_PARAMETER: raw}, safe=",:") if raw else query


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.WHATIF_RESULT, "children"),
        Output(ids.EXECUTIVE_URL, "search", allow_duplicate=True),
        Input(ids.EXECUTIVE_URL, "search"),
        Input(ids.WHATIF_APPLY, "n_clicks"),
        Input(ids.WHATIF_RESET, "n_clicks"),
        *[State(ids.whatif_input(cid), "value") for cid in COMPONENTS],
        prevent_initial_call=True,
    )(update)


def update(search, _apply, _reset, *values):
    """Apply: check the inputs, put them in the URL and show the figures; Reset: the URL
    without them; a new URL (period, regions): the figures for it."""
    lang = language_of(search)
    asked = view_of_request(search)
    if ctx.triggered_id == ids.WHATIF_RESET:
        return None, _without_whatif(search)
    if ctx.triggered_id != ids.WHATIF_APPLY:
        weights = _asked(search)
        return (result_for(asked.tenant, asked.view, weights, lang) if weights else None), no_update
    weights = read_weights(COMPONENTS, values)
    problems = check_weights(weights)
    if problems:
        return problems_alert(problems, tenant_catalog(asked.tenant), lang, "whatif_refused"), no_update
    query = asked.view.query_string(lang) + "&" + urlencode({WHATIF_PARAMETER: weights_parameter(weights)},
                                                            safe=",:")
    return result_for(asked.tenant, asked.view, weights, lang), query


def _without_whatif(search) -> str:
    params = [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k != WHATIF_PARAMETER]
    return "?" + urlencode(params, safe=",")
