"""Tenant-scoped queries against the seeded database: numbers checked against SQL."""

import pandas as pd
import pytest

from data import queries
from data.periods import Period
from data.runtime import runtime
from data.tenancy import Tenant
from tests.conftest import sql_rows, sql_scalar

LATEST = Period(2025, 4)


def regional_sum(url, tenant, indicator, period=LATEST):
    return sql_scalar(url, "SELECT SUM(value) FROM sustainability_indicators WHERE tenant_id = :t "
                      "AND indicator_id = :i AND year = :y AND quarter = :q",
                      t=tenant, i=indicator, y=period.year, q=period.quarter)


def regional_values(url, tenant, indicator, period=LATEST) -> pd.Series:
    rows = sql_rows(url, "SELECT region_code, value FROM sustainability_indicators WHERE tenant_id = :t "
                    "AND indicator_id = :i AND year = :y AND quarter = :q",
                    t=tenant, i=indicator, y=period.year, q=period.quarter)
    return pd.Series(dict(rows))


def test_queries_refuse_to_run_without_a_tenant(data_layer):
    with pytest.raises(TypeError, match="needs a Tenant"):
        queries.panel("mep")
    with pytest.raises(TypeError):
        queries.panel()
    with pytest.raises(ValueError):
        Tenant("")


def test_latest_complete_period(data_layer, mep):
    assert queries.latest_complete_period(mep) == LATEST
    assert queries.available_periods(mep)[0] == Period(2015, 1)
    assert len(queries.available_periods(mep)) == 44


def test_national_figures_match_the_database(data_layer, mep):
    url = data_layer
    snapshot = queries.indicator_snapshot(mep, LATEST).set_index("indicator_id")
    assert snapshot.loc["gdp_total", "value"] == pytest.approx(regional_sum(url, "mep", "gdp_total"))
    gdp = regional_values(url, "mep", "gdp_total")
    growth = regional_values(url, "mep", "gdp_growth")
    assert snapshot.loc["gdp_growth", "value"] == pytest.approx((growth * gdp).sum() / gdp.sum())
    pop = regional_values(url, "mep", "population")
    unemployment = regional_values(url, "mep", "unemployment_rate")
    assert snapshot.loc["unemployment_rate", "value"] == pytest.approx((unemployment * pop).sum() / pop.sum())
    co2 = regional_sum(url, "mep", "co2_total")
    assert snapshot.loc["co2_per_capita", "value"] == pytest.approx(4 * co2 / pop.sum())


def test_changes_against_previous_quarter_and_year(data_layer, mep):
    url = data_layer
    row = queries.indicator_snapshot(mep, LATEST).set_index("indicator_id").loc["gdp_total"]
    assert row["previous"] == pytest.approx(regional_sum(url, "mep", "gdp_total", Period(2025, 3)))
    assert row["year_ago"] == pytest.approx(regional_sum(url, "mep", "gdp_total", Period(2024, 4)))
    assert row["change_year_ago"] == pytest.approx(row["value"] - row["year_ago"])


def test_index_is_the_same_number_everywhere(data_layer, mep):
    snapshot = queries.indicator_snapshot(mep, LATEST).set_index("indicator_id")
    breakdown = queries.index_breakdown(mep, LATEST)
    regional = queries.regional_snapshot(mep, LATEST, "sustainability_index").set_index("region_code")
    assert snapshot.loc["sustainability_index", "value"] == pytest.approx(breakdown.value)
    assert regional.loc["SA", "value"] == pytest.approx(breakdown.value)
    assert breakdown.components["contribution"].sum() == pytest.approx(breakdown.value)


def test_statuses_are_a_realistic_mix(data_layer, mep):
    regional = pd.concat(
        queries.regional_snapshot(mep, LATEST, i)["status"]
        for i in ("unemployment_rate", "renewable_share", "air_quality_index", "energy_intensity",
                  "co2_per_capita", "innovation_index", "forest_coverage")
    )
    counts = regional.value_counts()
    assert {"green", "amber", "red"} <= set(counts.index)
    assert counts.min() >= 5


def test_tenants_see_only_their_own_numbers(data_layer, mep, rda):
    url = data_layer
    mine = queries.indicator_snapshot(mep, LATEST).set_index("indicator_id")
    theirs = queries.indicator_snapshot(rda, LATEST).set_index("indicator_id")
    assert mine.loc["gdp_total", "value"] == pytest.approx(regional_sum(url, "mep", "gdp_total"))
    assert theirs.loc["gdp_total", "value"] == pytest.approx(regional_sum(url, "rda", "gdp_total"))
    assert mine.loc["gdp_total", "value"] != pytest.approx(theirs.loc["gdp_total", "value"])
    rows = queries.observations(mep, Period(2025, 1), LATEST, None, None)
    assert len(rows) == 13 * 4 * 21
    assert queries.panel(Tenant("nobody")).empty
    assert queries.latest_complete_period(Tenant("nobody")) is None


def test_observations_filter_by_region_indicator_and_range(data_layer, mep):
    rows = queries.observations(mep, Period(2024, 1), Period(2024, 4), ("SA-01", "SA-04"), ("renewable_share",))
    assert len(rows) == 2 * 4
    assert set(rows["region_code"]) == {"SA-01", "SA-04"}
    assert {"quality_flag", "source_system", "batch_id", "loaded_at"} <= set(rows.columns)


def test_target_progress_reported_for_targets(data_layer, mep):
    snapshot = queries.indicator_snapshot(mep, LATEST).set_index("indicator_id")
    with_target = snapshot[snapshot["target"].notna()]
    assert set(with_target.index) == {"gdp_growth", "unemployment_rate", "co2_index", "renewable_share",
                                      "waste_recycling_rate"}
    assert with_target["target_status"].isin(["achieved", "on_track", "at_risk", "off_track"]).all()


def test_memoized_per_tenant_and_cleared_by_one_function(data_layer, mep, rda):
    runtime.cache.clear()
    before = runtime.cache.stats()
    queries.panel(mep)
    queries.panel(mep)
    queries.panel(rda)
    after = runtime.cache.stats()
    assert after["hits"] - before.get("hits", 0) == 1
    assert after["misses"] - before.get("misses", 0) == 2
    runtime.cache.clear()
    queries.panel(mep)
    assert runtime.cache.stats()["misses"] - after["misses"] == 1
