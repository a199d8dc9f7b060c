"""Requests to Dash's own endpoints, shaped as the browser sends them, for tests that go
through the real /_dash-update-component route."""

from __future__ import annotations

from dash import ALL

from callbacks.dashboard import INPUTS, OUTPUTS
from data.catalog import catalog
from layouts import ids


def dashboard_outputs(cards: list[str]) -> list:
    """The dashboard callback's outputs as the browser lists them, with the KPI cards `cards`
    (indicator ids) on the page."""
    outputs = []
    for o in OUTPUTS.values():
        if isinstance(o.component_id, dict) and o.component_id.get("index") is ALL:
            outputs.append([{"id": {**o.component_id, "index": i}, "property": o.component_property} for i in cards])
        else:
            outputs.append({"id": o.component_id, "property": o.component_property})
    return outputs


def router_payload(pathname: str, search: str = "") -> dict:
    return {
        "output": f"..{ids.PAGE}.children...{ids.PAGE_TITLE}.data..",
        "outputs": [{"id": ids.PAGE, "property": "children"}, {"id": ids.PAGE_TITLE, "property": "data"}],
        "inputs": [{"id": ids.URL, "property": "pathname", "value": pathname}],
        "changedPropIds": [f"{ids.URL}.pathname"],
        "state": [{"id": ids.URL, "property": "search", "value": search}],
    }


def header_payload(pathname: str = "/", search: str = "") -> dict:
    """The header callback (navigation, language switch, notices) for a page."""
    return {
        "output": f"{ids.HEADER}.children",
        "outputs": {"id": ids.HEADER, "property": "children"},
        "inputs": [{"id": ids.URL, "property": "pathname", "value": pathname}],
        "changedPropIds": [f"{ids.URL}.pathname"],
        "state": [{"id": ids.URL, "property": "search", "value": search}],
    }


def dashboard_payload(period="2025Q4", start="2021Q1", end="2025Q4", regions=(), pillar="economic",
                      indicator="gdp_growth", changed=ids.FILTER_PERIOD, search="", cards=None) -> dict:
    """The dashboard callback after the control `changed` was set (no KPI card clicks), on a
    page showing the cards `cards` (by default the economic pillar's)."""
    values = {ids.FILTER_PERIOD: period, ids.FILTER_FROM: start, ids.FILTER_TO: end,
              ids.FILTER_REGIONS: list(regions), ids.FILTER_PILLAR: pillar, ids.FILTER_INDICATOR: indicator,
              ids.MAP_COLOUR_BY: "status", ids.DASHBOARD_URL: search}
    if cards is None:
        cards = [i.id for i in catalog().in_pillar("economic")]
    inputs = []
    for item in [INPUTS["search"], *INPUTS["controls"].values(), INPUTS["colour_by"], INPUTS["map_click"],
                 INPUTS["bar_click"], INPUTS["clear"]]:
        entry = {"id": item.component_id, "property": item.component_property}
        if item.component_id in values:
            entry["value"] = values[item.component_id]
        inputs.append(entry)
    inputs.append([])  # the KPI cards' clicks: none
    return {
        "output": ".." + "...".join(f"{o.component_id_str()}.{o.component_property}" for o in OUTPUTS.values())
                  + "..",
        "outputs": dashboard_outputs(cards),
        "inputs": inputs,
        "changedPropIds": [f"{changed}.value"],
        "state": [{"id": ids.TREND_FORECAST, "property": "value", "value": []},
                  {"id": ids.DASHBOARD_URL, "property": "pathname", "value": "/"}],
    }


def post(client, payload: dict):
    return client.post("/_dash-update-component", json=payload)
