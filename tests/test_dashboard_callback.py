"""The dashboard callback called directly with real data: the numbers on the cards, the
charts and the table equal values computed here from the database."""

import json
from contextvars import copy_context
from urllib.parse import parse_qs

import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict

from app import create_app
from callbacks.dashboard import page, update_dashboard
from data.catalog import catalog
from layouts import ids
from tests.conftest import find_component, make_settings, request_as_app, sql_rows, sql_scalar, text_of
from tests.dash_requests import dashboard_outputs, dashboard_payload, post

CONTROLS = {"period": "2025Q4", "from": "2021Q1", "to": "2025Q4", "regions": [], "pillar": "economic",
            "indicator": "gdp_growth"}


@pytest.fixture
def hub(tmp_path, sqlite_url):
    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url))
    with request_as_app(app, "/"):
        yield sqlite_url


def run(trigger, search="", map_click=None, bar_click=None, card_clicks=(), **changes):
    """Call the callback as Dash would after `trigger` changed, on a page showing the KPI
    cards of the pillar in `search`."""
    controls = {**CONTROLS, **changes}
    prop = trigger if isinstance(trigger, str) else str(trigger).replace("'", '"').replace(" ", "")
    cards = [i.id for i in catalog().in_pillar(parse_qs(search.lstrip("?")).get("pillar", ["economic"])[0])]

    def call():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{prop}.value", "value": None}],
                                        outputs_list=dashboard_outputs(cards)))
        return update_dashboard(search, controls, "status", map_click, bar_click, None, list(card_clicks), [], "/")

    return copy_context().run(call)


def card(outputs, indicator_id):
    for column in outputs["cards"]:
        found = find_component(column, {"type": ids.KPI_CARD, "index": indicator_id})
        if found is not None:
            return text_of(found)
    raise AssertionError(f"no card for {indicator_id}")


def value_of(url, indicator, region, year, quarter):
    return sql_scalar(url, "SELECT value FROM sustainability_indicators WHERE tenant_id = 'mep' AND "
                      "indicator_id = :i AND region_code = :r AND year = :y AND quarter = :q",
                      i=indicator, r=region, y=year, q=quarter)


def test_region_and_period_change_show_that_regions_numbers(hub):
    out = run(ids.FILTER_REGIONS, regions=["SA-04"], period="2024Q2", pillar="labour",
              indicator="unemployment_rate")
    expected = value_of(hub, "unemployment_rate", "SA-04", 2024, 2)
    assert f"{expected:,.1f} %" in card(out, "unemployment_rate")
    previous = value_of(hub, "unemployment_rate", "SA-04", 2024, 1)
    assert f"{expected - previous:+,.1f} vs previous quarter" in card(out, "unemployment_rate")
    assert out["search"] == ("?period=2024Q2&from=2021Q1&to=2025Q4&regions=SA-04&pillar=labour"
                             "&indicator=unemployment_rate")
    assert "Eastern Province" in text_of(out["headline"])


def test_combined_regions_are_summed_not_averaged(hub):
    out = run(ids.FILTER_REGIONS, regions=["SA-01", "SA-04"])
    total = sql_scalar(hub, "SELECT SUM(value) FROM sustainability_indicators WHERE tenant_id = 'mep' "
                       "AND indicator_id = 'gdp_total' AND region_code IN ('SA-01', 'SA-04') "
                       "AND year = 2025 AND quarter = 4")
    assert f"{total:,.0f} million SAR" in card(out, "gdp_total")
    assert "2 regions combined" in text_of(out["headline"])


def test_national_total_is_a_sum(hub):
    out = run(ids.FILTER_PERIOD, search="?period=2025Q3")  # the page showed 2025Q3 before
    total = sql_scalar(hub, "SELECT SUM(value) FROM sustainability_indicators WHERE tenant_id = 'mep' "
                       "AND indicator_id = 'gdp_total' AND year = 2025 AND quarter = 4")
    assert f"{total:,.0f} million SAR" in card(out, "gdp_total")


def test_charts_follow_the_indicator(hub):
    out = run(ids.FILTER_INDICATOR, pillar="environmental", indicator="renewable_share", regions=["SA-07"])
    trend = out["trend"]
    names = [trace["name"] for trace in trend["data"]]
    assert names == ["National", "Tabuk"]
    tabuk = dict(zip(trend["data"][1]["x"], trend["data"][1]["y"], strict=True))
    assert tabuk["2025Q4"] == pytest.approx(value_of(hub, "renewable_share", "SA-07", 2025, 4), abs=0.01)
    bar = out["bar"]["data"][0]
    bars = dict(zip(bar["customdata"], bar["x"], strict=True))
    assert len(bars) == 13
    assert bars["SA-01"] == pytest.approx(value_of(hub, "renewable_share", "SA-01", 2025, 4), abs=0.01)
    assert list(bar["x"]) == sorted(bar["x"], reverse=True)  # higher is better: best first
    assert set(out["map"]["data"][0]["customdata"]) == set(bars)


def test_table_holds_the_views_observations(hub):
    out = run(ids.FILTER_REGIONS, regions=["SA-02"], indicator="gdp_growth", **{"from": "2025Q1"})
    rows = [r for r in out["rows"] if r["region"] == "Makkah"]
    stored = sql_rows(hub, "SELECT year, quarter, value, quality_flag FROM sustainability_indicators "
                      "WHERE tenant_id = 'mep' AND indicator_id = 'gdp_growth' AND region_code = 'SA-02' "
                      "AND year = 2025 ORDER BY quarter")
    assert [(r["period"], r["quality"]) for r in rows] == [(f"2025Q{q}", flag) for _, q, _, flag in stored]
    assert [r["value"] for r in rows] == pytest.approx([v for _, _, v, _ in stored])
    assert {r["region"] for r in out["rows"]} == {"National", "Makkah"}
    assert out["csv_href"].startswith("/export/data.csv?period=2025Q4&from=2025Q1")


def test_map_click_adds_the_region(hub):
    out = run(ids.MAP, map_click={"points": [{"customdata": "SA-09"}]}, regions=["SA-01"])
    assert out["regions"] == ["SA-01", "SA-09"]
    out = run(ids.REGIONS_BAR, bar_click={"points": [{"customdata": "SA-05"}]})
    assert out["regions"] == ["SA-05"]


def test_clear_and_card_click(hub):
    out = run(ids.CLEAR_REGIONS, search="?regions=SA-01,SA-04", regions=["SA-01", "SA-04"])
    assert out["regions"] == [] and "National" in text_of(out["headline"])
    out = run({"index": "population", "type": ids.KPI_CARD}, card_clicks=[1])
    assert out["indicator"] == "population"
    assert text_of(out["trend_text"][0]) == "Population: trend 2021Q1 to 2025Q4"  # the chart card's heading
    assert "title" not in out["trend"]["layout"]  # on screen the heading is the title


def test_new_pillar_starts_at_its_first_indicator(hub):
    out = run(ids.FILTER_PILLAR, pillar="social", indicator="gdp_growth")
    assert out["indicator"] == "social_progress_score"
    assert out["pillar"] is no_update  # the dropdown shows it already: not sent again (issue 16)
    assert [o["value"] for o in out["indicator_options"]] == [
        "social_progress_score", "digital_readiness", "innovation_index"]


def test_back_and_forward_restore_the_view_from_the_url(hub):
    search = "?period=2023Q1&from=2020Q1&to=2023Q4&regions=SA-03&pillar=labour&indicator=green_jobs"
    out = run(ids.DASHBOARD_URL, search=search)
    assert (out["period"], out["regions"], out["indicator"]) == ("2023Q1", ["SA-03"], "green_jobs")
    assert out["search"] is no_update  # the URL already says it


def test_tampered_payload_gets_the_default_and_a_notice(hub):
    out = run(ids.FILTER_INDICATOR, indicator="<img src=x onerror=alert(1)>", regions=["SA-99", "SA-01"])
    assert out["indicator"] == "gdp_growth" and out["regions"] == ["SA-01"]
    notice = text_of(out["notice"])
    assert "Unknown region “SA-99” was left out." in notice
    assert "Unknown indicator" in notice


def test_malformed_url_gives_the_default_page_and_a_notice(hub):
    layout = page("?period=2030Q9&regions=Atlantis&indicator=%3Cb%3Ex%3C/b%3E")
    assert "is not a quarter like 2025Q4" in text_of(find_component(layout, ids.NOTICE))
    assert text_of(find_component(layout, ids.SCOPE_LABEL)) == "National"


def test_only_what_changed_is_sent_again(hub):
    shown = "?period=2025Q4&from=2021Q1&to=2025Q4&pillar=economic&indicator=gdp_growth"
    out = run(ids.FILTER_PERIOD, search=shown, period="2024Q3")
    assert out["cards"] is not no_update and out["bar"] is not no_update and out["map"] is not no_update
    assert out["trend"] is no_update and out["rows"] is no_update  # the trend range did not move
    out = run(ids.MAP_COLOUR_BY, search=shown)
    assert out["map"] is not no_update and out["bar"] is no_update and out["cards"] is no_update
    assert all(part is no_update for part in out["card_frame"] + out["card_pressed"])


def test_an_indicator_change_moves_the_selection_without_sending_the_cards(hub):
    """Issue 16: the cards stay on screen and only the two cards the selection moves between
    get their frame and aria-pressed; every other kind of change still sends the cards."""
    shown = "?period=2025Q4&from=2021Q1&to=2025Q4&pillar=economic&indicator=gdp_growth"
    economic = [i.id for i in catalog().in_pillar("economic")]
    out = run(ids.FILTER_INDICATOR, search=shown, indicator="gdp_total")
    assert out["cards"] is no_update and out["headline"] is no_update
    sent = {economic[n]: (pressed, frame) for n, (pressed, frame) in
            enumerate(zip(out["card_pressed"], out["card_frame"], strict=True)) if pressed is not no_update}
    assert sent == {"gdp_growth": ("false", "h-100 kpi-card"),
                    "gdp_total": ("true", "h-100 kpi-card border-primary border-2 kpi-selected")}
    whole = page("?period=2025Q4&from=2021Q1&to=2025Q4&pillar=economic&indicator=gdp_total")  # the page built whole
    for indicator, (pressed, frame) in sent.items():
        assert find_component(whole, {"type": ids.KPI_FRAME, "index": indicator}).className == frame
        assert getattr(find_component(whole, {"type": ids.KPI_NAME, "index": indicator}), "aria-pressed") == pressed

    out = run(ids.FILTER_PERIOD, search=shown, period="2024Q3")
    assert out["cards"] is not no_update and all(part is no_update for part in out["card_frame"])
    out = run(ids.FILTER_PILLAR, search=shown, pillar="social")  # other cards on screen: built whole
    assert [column.children.id["index"] for column in out["cards"]] == [
        "social_progress_score", "digital_readiness", "innovation_index"]


def test_an_indicator_change_is_answered_without_the_cards(tmp_path, sqlite_url):
    """Through Dash's own endpoint, as the browser asks (Dash checks the parts against the
    cards the page lists): no card list to mount, two cards' selection."""
    client = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url)).server.test_client()
    shown = "?period=2025Q4&from=2021Q1&to=2025Q4&pillar=economic&indicator=gdp_growth"
    answer = post(client, dashboard_payload(indicator="gdp_total", changed=ids.FILTER_INDICATOR, search=shown))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    response = answer.get_json()["response"]
    assert ids.KPI_CARDS not in response
    frames = {json.loads(key)["index"]: props["className"] for key, props in response.items()
              if key.startswith("{") and json.loads(key)["type"] == ids.KPI_FRAME}
    assert frames == {"gdp_growth": "h-100 kpi-card",
                      "gdp_total": "h-100 kpi-card border-primary border-2 kpi-selected"}
    answer = post(client, dashboard_payload(period="2024Q3", search=shown))  # a period change: the cards, whole
    assert ids.KPI_CARDS in answer.get_json()["response"]


def test_a_filter_change_in_arabic_keeps_the_language_in_the_url_and_the_links(hub):
    out = run(ids.FILTER_PERIOD, search="?lang=ar", period="2024Q2")
    assert out["search"].startswith("?period=2024Q2&") and out["search"].endswith("&lang=ar")
    assert out["png_trend"].endswith("lang=ar") and out["csv_href"].endswith("lang=ar")
    assert " ".join(text_of(out["headline"]).split()).startswith("مؤشر الاستدامة · المملكة · الربع الثاني 2024")
    assert text_of(out["bar_text"][0]) == "نمو الناتج المحلي الإجمالي حسب المنطقة، الربع الثاني 2024"
