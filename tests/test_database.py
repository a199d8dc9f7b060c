"""The schema, the seed and first-run set-up on a real SQLite file (and PostgreSQL when set)."""

import pandas as pd
import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from data import database, schema
from data.engine import get_engine
from data.regions import REGION_CODES
from data.seed import SEED_TENANTS, generate_observations
from tests.conftest import make_settings, sql_scalar


def test_seed_covers_two_tenants_13_regions_44_quarters(database_url):
    count = lambda q: sql_scalar(database_url, q)  # noqa: E731
    assert count("SELECT COUNT(DISTINCT tenant_id) FROM sustainability_indicators") == 2
    assert count("SELECT COUNT(DISTINCT region_code) FROM sustainability_indicators") == 13
    assert count("SELECT COUNT(DISTINCT year * 4 + quarter) FROM sustainability_indicators") == 44
    assert count("SELECT COUNT(DISTINCT indicator_id) FROM sustainability_indicators") == 21
    assert count("SELECT COUNT(*) FROM sustainability_indicators") == 2 * 13 * 44 * 21
    assert count("SELECT MIN(year) FROM sustainability_indicators") == 2015
    assert count("SELECT MAX(year) FROM sustainability_indicators") == 2025
    derived = "SELECT COUNT(*) FROM sustainability_indicators WHERE indicator_id IN " \
              "('co2_per_gdp', 'co2_per_capita', 'sustainability_index')"
    assert count(derived) == 0  # derived indicators are computed, never stored


def test_seed_is_deterministic_and_tenants_differ():
    first, again = generate_observations(SEED_TENANTS[0]), generate_observations(SEED_TENANTS[0])
    pd.testing.assert_frame_equal(first, again)
    other = generate_observations(SEED_TENANTS[1])
    assert not first["value"].equals(other["value"])
    assert set(first["region_code"]) == set(REGION_CODES)
    assert set(first["quality_flag"]) == {"reported", "estimated", "imputed"}


def _row(**overrides):
    row = dict(tenant_id="mep", indicator_id="gdp_growth", region_code="SA-01", year=2015, quarter=1,
               value=1.0, quality_flag="reported", source_system="test", batch_id="seed-mep-2015Q1-2025Q4",
               loaded_at=pd.Timestamp("2026-01-01", tz="UTC").to_pydatetime())
    row.update(overrides)
    return row


@pytest.mark.parametrize("overrides", [
    {},  # the unique key (tenant, indicator, region, year, quarter) already holds this row
    {"year": 2030, "quarter": 5},
    {"year": 2030, "quality_flag": "guessed"},
    {"year": 2030, "region_code": "SA-99"},
    {"year": 2030, "tenant_id": "nobody"},
])
def test_database_rejects_bad_rows_and_keeps_the_rest(database_url, overrides):
    engine = get_engine(database_url)
    before = sql_scalar(database_url, "SELECT COUNT(*) FROM sustainability_indicators")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(schema.sustainability_indicators).values(**_row(**overrides)))
    assert sql_scalar(database_url, "SELECT COUNT(*) FROM sustainability_indicators") == before


def test_indexes_exist_for_the_dashboard_queries(database_url):
    from sqlalchemy import inspect

    names = {i["name"] for i in inspect(get_engine(database_url)).get_indexes("sustainability_indicators")}
    assert {"idx_tenant_year", "idx_tenant_indicator_period"} <= names


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url):
    with get_engine(sqlite_url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_first_run_creates_and_seeds_then_never_overwrites(tmp_path):
    settings = make_settings(tmp_path)
    assert "created and seeded" in database.ensure_database(settings)
    url = settings.database_url
    sql = "UPDATE sustainability_indicators SET value = -1 WHERE id = 1"
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql(sql)
    assert "existing database" in database.ensure_database(settings)
    assert sql_scalar(url, "SELECT value FROM sustainability_indicators WHERE id = 1") == -1


def test_corrupt_database_stops_with_a_clear_message(tmp_path):
    settings = make_settings(tmp_path)
    settings.sqlite_file.parent.mkdir(parents=True)
    settings.sqlite_file.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RuntimeError, match="cannot be read|corrupt"):
        database.ensure_database(settings)
