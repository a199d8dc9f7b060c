"""Requests to Dash's own endpoints, shaped as the browser sends them, for tests that go
through the real /_dash-update-component route."""

from __future__ import annotations

import json

from callbacks.dashboard import INPUTS, OUTPUTS
from layouts import ids


def _key(component_id) -> str:
    return json.dumps(component_id, sort_keys=True, separators=(",", ":")) if isinstance(component_id, dict) \
        else component_id


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
                      indicator="gdp_growth", changed=ids.FILTER_PERIOD, search="") -> dict:
    """The dashboard callback after the control `changed` was set (no KPI card clicks)."""
    values = {ids.FILTER_PERIOD: period, ids.FILTER_FROM: start, ids.FILTER_TO: end,
              ids.FILTER_REGIONS: list(regions), ids.FILTER_PILLAR: pillar, ids.FILTER_INDICATOR: indicator,
              ids.MAP_COLOUR_BY: "status", ids.DASHBOARD_URL: search}
    outputs = [{"id": o.component_id, "property": o.component_property} for o in OUTPUTS.values()]
    inputs = []
    for item in [INPUTS["search"], *INPUTS["controls"].values(), INPUTS["colour_by"], INPUTS["map_click"],
                 INPUTS["bar_click"], INPUTS["clear"]]:
        entry = {"id": item.component_id, "property": item.component_property}
        if item.component_id in values:
            entry["value"] = values[item.component_id]
        inputs.append(entry)
    inputs.append([])  # the KPI cards' clicks: none
    return {
        "output": ".." + "...".join(f"{_key(o['id'])}.{o['property']}" for o in outputs) + "..",
        "outputs": outputs,
        "inputs": inputs,
        "changedPropIds": [f"{changed}.value"],
        "state": [{"id": ids.DASHBOARD_URL, "property": "pathname", "value": "/"}],
    }


def post(client, payload: dict):
    return client.post("/_dash-update-component", json=payload)
