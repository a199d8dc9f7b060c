"""The region profile, its forecasts and values that stand out, the narratives and the two CSV
downloads, built in-process on the seeded SQLite database. The insight (data/insight.py) is
computed for the nation and two regions here, as the background job would, with one spike
injected into Riyadh's GDP so that something stands out."""

import csv
import io
import re

import pandas as pd
import pytest

from app import create_app
from callbacks import profile
from callbacks.registry import page_for
from data import aggregate, anomalies, forecasts, insight, queries
from data.catalog import INDEX_ID, catalog
from data.periods import Period
from data.regions import NATIONAL_CODE
from data.runtime import runtime
from data.tenancy import Tenant
from layouts import ids
from layouts.format import format_number
from services import narrative as story
from tests.conftest import body_rows, find_component, make_settings, request_as_app, text_of

MEP = Tenant("mep")
LATEST = Period(2025, 4)
PLACES = (NATIONAL_CODE, "SA-01")
# forecast here: those with targets, and the components of CO2 per GDP (the job forecasts all)
FORECAST = [i.id for i in catalog().indicators if i.target] + ["co2_total", "gdp_total", "population"]
SPIKE = ("gdp_total", "SA-01", Period(2025, 2))


@pytest.fixture(scope="module")
def app(tmp_path_factory, sqlite_url):
    return create_app(make_settings(tmp_path_factory.mktemp("profile"), DATABASE_URL=sqlite_url))


@pytest.fixture(scope="module")
def computed(app) -> insight.Insight:
    with request_as_app(app, "/region/SA-01"):
        panel = queries.panel(MEP)
        places = panel[panel["region_code"].isin(PLACES)]
        points, skill = forecasts.panel_forecasts(places[["region_code", "year", "quarter", "ordinal", *FORECAST]],
                                                  catalog())
        spiked = panel.copy()
        at = (spiked["region_code"] == SPIKE[1]) & (spiked["ordinal"] == SPIKE[2].ordinal)
        spiked.loc[at, SPIKE[0]] *= 1.5
        return insight.Insight(points, skill, anomalies.panel_anomalies(spiked, catalog()), 0.0)


@pytest.fixture
def hub(app, computed):
    with request_as_app(app, "/region/SA-01"):
        runtime.cache.set(insight.key(MEP), (computed,))
        yield computed


def numbers(sentence: str) -> list[float]:
    """The numbers in an English sentence, quarters (2025Q4) left out."""
    sentence = re.sub(r"\d{4}Q\d", "", sentence)
    return [float(n.replace(",", "")) for n in re.findall(r"(?<![A-Za-z\d])[+-]?\d[\d,]*(?:\.\d+)?", sentence)]


def test_the_registry_serves_region_paths_and_nothing_else():
    assert page_for("/region/SA-01").slug == page_for("/REGION/sa/").slug == page_for("/region").slug == "profile"
    assert page_for("/regionx") is None and page_for("/region/SA-01/more") is None


def test_every_indicator_with_its_rank_and_gaps(hub):
    layout = profile.page("", "en", "SA-01")
    table = find_component(layout, ids.PROFILE_INDICATORS)
    rows = body_rows(table)
    assert len(rows) == len(catalog().indicators) == 24
    panel = queries.panel(MEP)
    regions = panel[(panel["ordinal"] == LATEST.ordinal) & (panel["region_code"] != NATIONAL_CODE)]
    unemployment = regions.set_index("region_code")["unemployment_rate"]
    rank = int((unemployment < unemployment["SA-01"]).sum()) + 1  # lower is better
    national = panel[(panel["ordinal"] == LATEST.ordinal) & (panel["region_code"] == NATIONAL_CODE)]
    gap = unemployment["SA-01"] - float(national["unemployment_rate"].iloc[0])
    row = next(row for row in rows if row.startswith(catalog()["unemployment_rate"].name("en")))
    target = catalog()["unemployment_rate"].target.value
    assert f"{format_number(unemployment['SA-01'], 1)} %" in row
    assert f"rank {rank} of 13" in row
    assert format_number(gap, 1, signed=True) in row
    assert format_number(unemployment["SA-01"] - target, 1, signed=True) in row


def test_strongest_and_weakest_are_the_best_and_worst_ranks(hub):
    layout = profile.page("", "en", "SA-09")
    table = insight_table = queries.panel(MEP)
    at = table[(table["ordinal"] == LATEST.ordinal) & (table["region_code"] != NATIONAL_CODE)].set_index("region_code")
    ranks = {i.id: aggregate.rank_among(at[i.id], i)["SA-09"] for i in catalog().indicators
             if i.direction != "none" and i.id in at}
    strongest = text_of(find_component(layout, ids.PROFILE_STRONGEST))
    weakest = text_of(find_component(layout, ids.PROFILE_WEAKEST))
    best, worst = min(ranks.values()), max(ranks.values())
    assert f"rank {int(best)} of 13" in strongest and f"rank {int(worst)} of 13" in weakest
    assert any(catalog()[i].name_en in weakest for i, r in ranks.items() if r == worst)
    assert insight_table is table


def test_the_nation_has_no_rank(hub):
    layout = profile.page("", "en", "SA")
    assert "no rank" in text_of(layout)
    assert find_component(layout, ids.PROFILE_STRONGEST) is None


def test_an_unknown_region_says_so(hub):
    assert "No such region" in text_of(profile.page("", "en", "XX-99"))


def test_the_forecast_chart_and_its_track_record(hub):
    layout = profile.page("?indicator=renewable_share", "en", "SA-01")
    skill = hub.skill.set_index(["indicator_id", "region_code"]).loc[("renewable_share", "SA-01")]
    track = text_of(find_component(layout, ids.PROFILE_TRACK))
    assert f"held {int(skill['held80'])} of the last 8 quarters" in track
    figure = find_component(layout, ids.PROFILE_FORECAST).figure
    names = [trace.get("name") for trace in figure["data"]]
    assert {"95% interval", "80% interval", "Forecast"} <= set(names)
    line = next(trace for trace in figure["data"] if trace.get("name") == "Forecast")
    assert line["line"]["dash"] == "dash" and line["x"] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]


def test_a_derived_indicator_says_it_is_computed_by_formula(hub):
    layout = profile.page("?indicator=co2_per_gdp", "en", "SA-01")
    assert "same formula" in text_of(find_component(layout, ids.PROFILE_TRACK))


def test_the_spike_is_listed_and_marked(hub):
    layout = profile.page("?indicator=gdp_total&from=2024Q1&to=2025Q4", "en", "SA-01")
    listed = text_of(find_component(layout, ids.PROFILE_ANOMALIES))
    assert "GDP" in listed and "2025Q2" in listed
    figure = find_component(layout, ids.PROFILE_FORECAST).figure
    marks = next(trace for trace in figure["data"] if trace.get("name") == "Stands out")
    assert marks["x"] == ["2025Q2"]


def test_narrative_numbers_equal_the_data_layer(hub):
    sentences = story.narrative(MEP, LATEST, ("SA-01",), "en")
    now = queries.index_breakdown(MEP, LATEST, ("SA-01",))
    before = queries.index_breakdown(MEP, LATEST.year_ago, ("SA-01",))
    assert sentences[0] == (f"The sustainability index of Riyadh is {format_number(now.value, 1)} in 2025Q4, "
                            f"{format_number(now.value - before.value, 1, signed=True)} points against 2024Q4.")
    assert numbers(sentences[0]) == pytest.approx([now.value, now.value - before.value], abs=0.051)
    contributions = now.components.set_index("component")["contribution"] - \
        before.components.set_index("component")["contribution"]
    top = contributions.abs().sort_values(ascending=False).index[:2]
    assert numbers(sentences[1]) == pytest.approx([contributions[c] for c in top], abs=0.0051)
    assert all(catalog()[c].name_en in sentences[1] for c in top)
    movers = queries.movers(MEP, LATEST, ("SA-01",))
    best, worst = movers.loc[movers["score_change"].idxmax()], movers.loc[movers["score_change"].idxmin()]
    tolerance = [0.51 * 10 ** -catalog()[row["indicator_id"]].decimals for row in (best, worst)]
    shown = numbers(sentences[2])
    assert abs(shown[0] - best["change"]) <= tolerance[0] and abs(shown[1] - worst["change"]) <= tolerance[1]
    assert catalog()[best["indicator_id"]].name_en in sentences[2]
    rows = queries.selection_series(MEP, ("SA-01",))
    outlooks = [s for s in sentences if "target" in s]
    for indicator in (i for i in catalog().indicators if i.target):
        points = hub.forecasts[(hub.forecasts["indicator_id"] == indicator.id)
                               & (hub.forecasts["region_code"] == "SA-01")]
        _, year = forecasts.target_outlook(rows[indicator.id], points, indicator)
        sentence = next(s for s in outlooks if indicator.name_en in s)
        assert numbers(sentence) == [year]
    unusual = sentences[-1]
    assert numbers(unusual)[0] == 1  # the spike, in the four quarters to 2025Q4
    value = float(queries.panel(MEP).set_index(["region_code", "ordinal"]).loc[("SA-01", SPIKE[2].ordinal),
                                                                               "gdp_total"]) * 1.5
    assert numbers(unusual)[1] == pytest.approx(value, abs=0.51)


def test_the_arabic_narrative_has_the_same_numbers(hub):
    english = story.narrative(MEP, LATEST, ("SA-01",), "en")
    arabic = story.narrative(MEP, LATEST, ("SA-01",), "ar")
    assert len(arabic) == len(english)
    value = f"{queries.index_breakdown(MEP, LATEST, ('SA-01',)).value:.1f}"
    assert value in arabic[0] and "مؤشر الاستدامة" in arabic[0]


def test_forecast_csv_has_the_columns_and_the_numbers(app, hub):
    response = app.server.test_client().get("/export/forecast.csv?regions=SA-01&indicator=renewable_share")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["indicator_id", "region_code", "year", "quarter", "forecast", "lo80", "hi80", "lo95",
                             "hi95", "model"]
    assert {r["region_code"] for r in rows} == {"SA", "SA-01"} and len(rows) == 8
    expected = hub.forecasts.set_index(["indicator_id", "region_code", "year", "quarter"])
    for row in rows:
        stored = expected.loc[(row["indicator_id"], row["region_code"], int(row["year"]), int(row["quarter"]))]
        assert float(row["forecast"]) == pytest.approx(stored["forecast"])
        assert float(row["lo80"]) < float(row["forecast"]) < float(row["hi80"]) < float(row["hi95"])
        assert row["model"] == stored["model"]


def test_anomalies_csv_lists_the_spike(app, hub):
    response = app.server.test_client().get("/export/anomalies.csv?regions=SA-01&from=2024Q1&to=2025Q4")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["indicator_id", "region_code", "year", "quarter", "value", "expected", "score"]
    assert [(r["indicator_id"], r["region_code"], r["year"], r["quarter"]) for r in rows] == [
        ("gdp_total", "SA-01", "2025", "2")]
    assert float(rows[0]["score"]) >= anomalies.THRESHOLD


def test_while_computing_pages_say_so_and_downloads_answer_503(app, computed):
    with request_as_app(app, "/region/SA-01"):
        runtime.cache.clear()
        layout = profile.page("", "en", "SA-01")
        assert "being computed" in text_of(find_component(layout, ids.PROFILE_TRACK))
        assert "being found" in text_of(find_component(layout, ids.PROFILE_ANOMALIES))
    response = app.server.test_client().get("/export/forecast.csv")
    assert response.status_code == 503 and "being computed" in response.get_json()["reason"]


def test_bad_view_parameters_give_400(app, hub):
    response = app.server.test_client().get("/export/anomalies.csv?regions=Atlantis")
    assert response.status_code == 400 and "Atlantis" in str(response.get_json()["reasons"])


def test_executive_page_has_the_summary_outlook_and_profile_link(hub):
    from callbacks import executive

    layout = executive.page("?regions=SA-01")
    summary = text_of(find_component(layout, ids.EXEC_NARRATIVE))
    assert summary.startswith("The sustainability index of Riyadh is")
    assert "target" in text_of(find_component(layout, ids.EXEC_OUTLOOK))
    assert find_component(layout, ids.PROFILE_LINK).href.startswith("/region/SA-01?period=2025Q4")
    assert pd.notna(queries.indicator_snapshot(MEP, LATEST, ("SA-01",)).set_index("indicator_id").loc[INDEX_ID,
                                                                                                      "value"])


def test_the_pdf_brief_carries_the_summary(app, hub):
    from pypdf import PdfReader

    response = app.server.test_client().get("/export/brief.pdf?regions=SA-01")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    first = story.narrative(MEP, LATEST, ("SA-01",), "en")[0]
    assert "Summary" in text and " ".join(first.split()[:8]) in " ".join(text.split())


def test_the_quality_page_lists_every_value_that_stands_out(app, hub):
    from callbacks import quality_page

    with request_as_app(app, "/quality"):
        section = find_component(quality_page.page("", "ar"), "quality-outliers")
        listed = find_component(quality_page.page("", "en"), "quality-anomalies")
    assert "قيم لافتة" in text_of(section) and "الرياض" in text_of(section) and "5" in text_of(section)
    assert len(body_rows(listed)) == len(hub.anomalies)


def test_the_dashboard_draws_marks_forecasts_and_the_profile_link_in_its_own_answer(app, hub):
    from callbacks import dashboard, insight_overlay
    from services.view import view_of_request

    def answer(search, forecast_on=False):
        with request_as_app(app, "/"):
            return dashboard.build_content(MEP, view_of_request(search).view, [], forecast_on=forecast_on)

    def names(figure):
        return {trace["name"] for trace in (figure["data"] if isinstance(figure, dict) else figure.to_dict()["data"])}

    plain = "?indicator=gdp_total&from=2024Q1&to=2025Q4"
    nation = answer(plain)
    assert "Stands out" not in names(nation["trend"]) and nation["profile_href"].startswith("/region/SA?")
    riyadh = answer(plain + "&regions=SA-01")
    marked = [trace for trace in riyadh["trend"]["data"] if trace["name"] == "Stands out"]
    assert [list(trace["x"]) for trace in marked] == [["2025Q2"]]
    assert riyadh["profile_href"].startswith("/region/SA-01?") and riyadh["profile_text"] == "Profile of Riyadh"
    assert "Forecast" in names(answer(plain, forecast_on=True)["trend"])
    with_forecast = insight_overlay.on_toggle([insight_overlay.SHOW], plain, "/")
    assert "Forecast" in {trace.name for trace in with_forecast.data}
    assert "Forecast" not in names(insight_overlay.on_toggle([], plain, "/"))


def test_a_profile_reads_the_insight_from_the_cache_once(app, hub, monkeypatch):
    reads = []
    stored = runtime.cache.get
    monkeypatch.setattr(runtime.cache, "get", lambda key: reads.append(key) or stored(key))
    with request_as_app(app, "/region/SA-01"):
        profile.page("", "en", "SA-01")
    assert [key for key in reads if ":insight:" in key] == [insight.key(MEP)]
