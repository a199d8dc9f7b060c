"""The data quality page's figures from a database whose state is known: completeness and the
missing cells, freshness against the 45-day rule, counts by quality flag, the load history."""

from __future__ import annotations

from datetime import date

import pytest

from data import database, quality
from data.catalog import catalog
from data.engine import get_engine
from data.intake.store import batch_history
from data.periods import Period
from data.runtime import runtime
from data.tenancy import Tenant
from layouts.quality_page import Quality, quality_page
from services import intake
from tests.conftest import make_settings, text_of
from tests.intake_files import csv_bytes


@pytest.fixture
def hub(tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    database.seed(get_engine(url))
    runtime.init(make_settings(tmp_path, DATABASE_URL=url))
    return url


def test_completeness_counts_every_region_of_every_stored_indicator(hub):
    periods = [Period(2025, 3), Period(2025, 4), Period(2026, 1)]
    intake.receive(intake.Sender("mep", "stew1", None, "page"), "q.csv",
                   csv_bytes(["indicator_id,region,year,quarter,value", "gdp_total,SA-01,2026,1,250000",
                              "gdp_total,SA-02,2026,1,150000"]), "gastat", "")
    shares, missing = quality.completeness(Tenant("mep"), periods)
    assert list(shares.columns) == ["2025Q3", "2025Q4", "2026Q1"] and list(shares.index) == catalog().base_ids
    assert (shares[["2025Q3", "2025Q4"]] == 1).all(axis=None)  # the seed is complete
    assert shares.loc["gdp_total", "2026Q1"] == pytest.approx(2 / 13)
    assert len(missing) == 13 * len(catalog().base_ids) - 2
    assert not ((missing["indicator_id"] == "gdp_total") & (missing["region_code"] == "SA-01")).any()


def test_freshness_follows_the_45_day_rule(hub):
    periods = [Period(2025, 4), Period(2026, 3)]
    rows = quality.freshness(Tenant("mep"), periods, today=date(2026, 10, 1))
    assert [r.isoformat() for r in rows["deadline"]] == ["2026-02-14", "2026-11-14"]
    assert rows.iloc[0].status == "late"  # the seed was loaded today, long after 2025Q4's deadline
    assert rows.iloc[1].status == "due"
    assert quality.freshness(Tenant("mep"), periods, today=date(2026, 12, 1)).iloc[1].status == "missing"


def test_the_page_shows_flags_and_batches_in_both_languages(hub):
    tenant = Tenant("mep")
    periods = quality.recent_periods(date(2026, 1, 10))
    shares, missing = quality.completeness(tenant, periods)
    counts = quality.flag_counts(tenant)
    assert counts["observations"].sum() == database.observation_count(get_engine(hub), "mep")
    page = Quality(shares, missing, quality.freshness(tenant, periods, date(2026, 1, 10)), counts,
                   batch_history(get_engine(hub), "mep"), outliers=None)  # still being computed
    english, arabic = text_of(quality_page(page, "en")), text_of(quality_page(page, "ar"))
    assert "reported" in english and "Synthetic seed data" in english and "in force" in english
    assert "مُبلغ عنها" in arabic and "سارية" in arabic
