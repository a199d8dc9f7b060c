"""The executive overview built by its callback: the index, its breakdown, targets and
movers equal the data layer and the database."""

from contextvars import copy_context

import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from app import create_app
from callbacks.executive import page, update_executive
from data import aggregate, queries
from data.catalog import catalog
from data.periods import Period
from data.tenancy import Tenant
from layouts import ids
from tests.conftest import body_rows, find_component, make_settings, request_as_app, sql_rows, text_of


@pytest.fixture
def hub(tmp_path, sqlite_url):
    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url))
    with request_as_app(app, "/executive"):
        yield sqlite_url


def run(trigger, search="", period="2025Q4", regions=()):
    def call():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{trigger}.value", "value": None}]))
        return update_executive(search, period, list(regions))

    return copy_context().run(call)


def test_breakdown_table_matches_the_formula(hub):
    out = run(ids.EXEC_REGIONS, regions=["SA-01"], period="2024Q3")
    table = find_component(out["body"], ids.EXEC_BREAKDOWN_TABLE)
    text = text_of(table)
    rows = dict(sql_rows(hub, "SELECT indicator_id, value FROM sustainability_indicators WHERE tenant_id = 'mep' "
                         "AND region_code = 'SA-01' AND year = 2024 AND quarter = 3"))
    expected = 0.0
    for component, weight in catalog().index_weights.items():
        indicator = catalog()[component]
        low, high = indicator.range
        score = min(max((rows[component] - low) / (high - low), 0), 1) * 100
        score = 100 - score if indicator.direction == "lower" else score
        expected += weight * score
        assert f"{score:,.1f}" in text
    assert f"{expected:,.1f}" in text_of(find_component(out["body"], ids.INDEX_VALUE))
    assert out["search"] == "?period=2024Q3&from=2021Q1&to=2025Q4&regions=SA-01&pillar=economic&indicator=gdp_growth"


def test_targets_and_movers(hub):
    out = run(ids.EXEC_PERIOD)
    targets = text_of(find_component(out["body"], ids.EXEC_TARGETS))
    for name in ("Unemployment rate", "Renewable energy share", "CO2 emissions index", "Waste recycling rate",
                 "GDP growth"):
        assert name in targets
    progress = {p.indicator_id: p for p in queries.target_progress(Tenant("mep"), Period(2025, 4))}
    renewable = progress["renewable_share"]
    shown = next(row for row in body_rows(find_component(out["body"], ids.EXEC_TARGETS))
                 if row.startswith("Renewable energy share"))
    assert {"achieved": "achieved", "on_track": "on track", "at_risk": "at risk",
            "off_track": "off track"}[renewable.status] in shown
    movers = queries.movers(Tenant("mep"), Period(2025, 4))
    best = movers.sort_values("score_change", ascending=False).iloc[0]
    assert catalog()[best.indicator_id].name_en in text_of(find_component(out["body"], ids.EXEC_IMPROVEMENTS))
    worst = movers.sort_values("score_change").iloc[0]
    assert catalog()[worst.indicator_id].name_en in text_of(find_component(out["body"], ids.EXEC_DETERIORATIONS))


def test_movers_are_judged_by_direction(hub):
    movers = queries.movers(Tenant("mep"), Period(2025, 4)).set_index("indicator_id")
    unemployment = movers.loc["unemployment_rate"]
    assert (unemployment["score_change"] > 0) == (unemployment["change"] < 0)  # falling unemployment improves
    renewable = movers.loc["renewable_share"]
    assert (renewable["score_change"] > 0) == (renewable["change"] > 0)
    assert "population" not in movers.index  # no direction, no judgement


def test_traffic_light_grid_shows_every_indicator(hub):
    layout = page("?regions=SA-09")
    grid = find_component(layout, ids.EXEC_STATUS_GRID)
    snapshot = queries.indicator_snapshot(Tenant("mep"), Period(2025, 4), ("SA-09",)).set_index("indicator_id")
    for indicator in catalog().indicators:
        tile = text_of(find_component(grid, f"tile-{indicator.id}"))
        assert indicator.name_en in tile
        status = aggregate.status(snapshot.loc[indicator.id, "value"], indicator)
        assert {"green": "Good", "amber": "Watch", "red": "Poor", None: "No threshold"}[status] in tile


def test_download_links_carry_the_view(hub):
    layout = page("?regions=SA-09&period=2024Q4")
    assert find_component(layout, ids.DOWNLOAD_PDF).href.startswith("/export/brief.pdf?period=2024Q4")
    assert find_component(layout, ids.DOWNLOAD_XLSX).href.startswith("/export/data.xlsx?period=2024Q4")
