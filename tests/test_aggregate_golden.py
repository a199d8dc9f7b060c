"""Golden values on a small hand-made fixture: every expected number is worked out by hand."""

import math

import pandas as pd
import pytest

from data import aggregate
from data.catalog import catalog
from data.periods import Period

CAT = catalog()
REGIONAL = pd.DataFrame([
    dict(region_code="SA-01", year=2025, quarter=4, gdp_total=100.0, population=2.0, co2_total=10.0,
         gdp_growth=2.0, unemployment_rate=10.0, forest_coverage=4.0, export_diversity_index=50.0,
         economic_complexity=0.0, co2_index=90.0, renewable_share=30.0, energy_intensity=8.0,
         water_efficiency=60.0, waste_recycling_rate=20.0, air_quality_index=80.0, data_quality_score=70.0),
    dict(region_code="SA-02", year=2025, quarter=4, gdp_total=300.0, population=6.0, co2_total=20.0,
         gdp_growth=4.0, unemployment_rate=4.0, forest_coverage=8.0, export_diversity_index=70.0,
         economic_complexity=1.0, co2_index=80.0, renewable_share=10.0, energy_intensity=4.0,
         water_efficiency=80.0, waste_recycling_rate=40.0, air_quality_index=40.0, data_quality_score=90.0),
]).reindex(columns=[*aggregate.KEYS, *CAT.base_ids])


@pytest.fixture(scope="module")
def panel():
    return aggregate.complete(REGIONAL, CAT).set_index("region_code")


def test_national_aggregates_follow_the_catalog_rules(panel):
    nation = panel.loc["SA"]
    assert nation["gdp_total"] == 400  # sum, never a mean
    assert nation["population"] == 8
    assert nation["co2_total"] == 30
    assert nation["gdp_growth"] == pytest.approx((2 * 100 + 4 * 300) / 400)  # GDP-weighted: 3.5
    assert nation["unemployment_rate"] == pytest.approx((10 * 2 + 4 * 6) / 8)  # population-weighted: 5.5
    assert nation["forest_coverage"] == pytest.approx(6.0)  # plain mean
    assert nation["water_efficiency"] == pytest.approx(75.0)
    assert nation["co2_index"] == pytest.approx(82.5)


def test_derived_indicators_are_recomputed_from_national_totals(panel):
    assert panel.loc["SA", "co2_per_gdp"] == pytest.approx(30e6 / 400)  # 75,000 t per million SAR
    assert panel.loc["SA", "co2_per_capita"] == pytest.approx(4 * 30 / 8)  # 15 t per person a year
    assert panel.loc["SA-01", "co2_per_gdp"] == pytest.approx(10e6 / 100)
    regional_mean = (10e6 / 100 + 20e6 / 300) / 2
    assert panel.loc["SA", "co2_per_gdp"] != pytest.approx(regional_mean)


NATIONAL_INDEX = (0.10 * 65 + 0.05 * 68.75 + 0.10 * 72.5 + 0.15 * (100 - 22.5 / 70 * 100)
                  + 0.15 * 25 + 0.10 * (100 - 3 / 13 * 100) + 0.10 * 75 + 0.10 * (35 / 60 * 100)
                  + 0.05 * 30 + 0.10 * 75)


def test_national_index_comes_from_national_components(panel):
    assert pytest.approx(61.1417, abs=1e-4) == NATIONAL_INDEX
    assert panel.loc["SA", "sustainability_index"] == pytest.approx(NATIONAL_INDEX)
    mean_of_regions = panel.loc[["SA-01", "SA-02"], "sustainability_index"].mean()
    assert not math.isclose(mean_of_regions, NATIONAL_INDEX, abs_tol=0.01)


def test_breakdown_adds_up_to_the_same_index(panel):
    breakdown = aggregate.index_breakdown(panel.loc["SA"], CAT)
    assert breakdown.value == pytest.approx(NATIONAL_INDEX)
    parts = breakdown.components.set_index("component")
    assert parts["contribution"].sum() == pytest.approx(NATIONAL_INDEX)
    assert parts.loc["renewable_share", "score"] == pytest.approx(25.0)
    assert parts.loc["renewable_share", "contribution"] == pytest.approx(0.15 * 25)
    assert parts.loc["air_quality_index", "score"] == pytest.approx(75.0)  # inverted: lower is better
    assert breakdown.weight_present == pytest.approx(1.0)


def test_index_needs_seventy_percent_of_the_weight():
    row = pd.Series({"co2_index": 60.0, "renewable_share": 60.0, "unemployment_rate": 0.0})
    assert aggregate.index_breakdown(row, CAT).value is None  # 0.40 of the weight: insufficient
    row = pd.Series({"co2_index": 60.0, "renewable_share": 30.0, "energy_intensity": 15.0,
                     "water_efficiency": 50.0, "waste_recycling_rate": 60.0, "air_quality_index": 0.0})
    breakdown = aggregate.index_breakdown(row, CAT)  # exactly 0.70 present: renormalised
    expected = (0.15 * 100 + 0.15 * 50 + 0.10 * 0 + 0.10 * 50 + 0.10 * 100 + 0.10 * 100) / 0.70
    assert breakdown.value == pytest.approx(expected)
    assert breakdown.components["contribution"].sum() == pytest.approx(expected)


def test_scores_are_clipped_to_the_reference_range():
    assert float(aggregate.normalise(75.0, CAT["renewable_share"])) == 100.0
    assert float(aggregate.normalise(-3.0, CAT["unemployment_rate"])) == 100.0
    assert float(aggregate.normalise(25.0, CAT["unemployment_rate"])) == 0.0


@pytest.mark.parametrize(("indicator", "value", "expected"), [
    ("gdp_growth", 3.0, "green"), ("gdp_growth", 2.99, "amber"), ("gdp_growth", 1.0, "amber"),
    ("gdp_growth", 0.99, "red"), ("unemployment_rate", 5.0, "green"), ("unemployment_rate", 5.5, "amber"),
    ("unemployment_rate", 10.0, "amber"), ("unemployment_rate", 10.01, "red"),
    ("economic_complexity", -0.1, "red"), ("co2_index", 100.0, "amber"), ("co2_index", 100.5, "red"),
    ("gdp_total", 5.0, None), ("population", 30.0, None), ("gdp_growth", float("nan"), None),
])
def test_status_against_thresholds(indicator, value, expected):
    assert aggregate.status(value, CAT[indicator]) == expected


def test_improvement_follows_direction():
    assert aggregate.is_improvement(-0.5, CAT["unemployment_rate"]) is True
    assert aggregate.is_improvement(0.5, CAT["unemployment_rate"]) is False
    assert aggregate.is_improvement(0.5, CAT["renewable_share"]) is True
    assert aggregate.is_improvement(0.5, CAT["population"]) is None


def yearly_series(first_year: int, last_year: int, value_of_year) -> pd.Series:
    ordinals = range(Period(first_year, 1).ordinal, Period(last_year, 4).ordinal + 1)
    return pd.Series({o: value_of_year(Period.from_ordinal(o).year) for o in ordinals}, dtype=float)


def test_target_progress_by_year():
    at = Period(2025, 4)
    renewable = aggregate.target_progress(
        yearly_series(2019, 2025, lambda y: 10 + 2 * (y - 2019)), CAT["renewable_share"], at)
    assert (renewable.current, renewable.baseline) == (22, 10)
    assert renewable.progress_pct == pytest.approx(30.0)  # (22 - 10) / (50 - 10)
    assert renewable.achieved_rate == pytest.approx(2.0)  # (22 - 16) / 3 years
    assert renewable.required_rate == pytest.approx(28 / 5)
    assert renewable.status == "off_track"  # 2.0 a year against 5.6 needed

    co2 = aggregate.target_progress(yearly_series(2019, 2025, lambda y: 100 - 2 * (y - 2019)),
                                    CAT["co2_index"], at)
    assert co2.progress_pct == pytest.approx(60.0)
    assert co2.status == "on_track"  # falling 2 a year, 1.6 a year needed

    waste = aggregate.target_progress(yearly_series(2019, 2025, lambda y: 20 + 1.5 * (y - 2019)),
                                      CAT["waste_recycling_rate"], at)
    assert waste.status == "at_risk"  # 1.5 a year against 2.2 needed

    unemployment = aggregate.target_progress(yearly_series(2019, 2025, lambda y: 12 - (y - 2019)),
                                             CAT["unemployment_rate"], at)
    assert unemployment.status == "achieved" and unemployment.progress_pct == 100


def test_target_held_every_year():
    at = Period(2025, 4)
    slow = aggregate.target_progress(yearly_series(2024, 2025, lambda y: 2.5), CAT["gdp_growth"], at)
    fast = aggregate.target_progress(yearly_series(2024, 2025, lambda y: 3.2), CAT["gdp_growth"], at)
    assert (slow.status, fast.status) == ("off_track", "on_track")


def test_target_without_a_full_year_is_insufficient():
    series = pd.Series({Period(2025, 4).ordinal: 20.0})
    assert aggregate.target_progress(series, CAT["renewable_share"], Period(2025, 4)).status == "insufficient_data"
