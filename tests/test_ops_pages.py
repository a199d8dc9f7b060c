"""The Diagnostics and Settings pages, built by the router and their own callbacks."""

import json
import logging
import os
import re
import shutil

import pytest
from dash import no_update

from app import create_app
from callbacks import diagnostics, router, settings_page
from callbacks.router import render_page
from data import queries
from data.runtime import runtime
from data.tenancy import Tenant
from layouts import ids
from ops import diagnostics as ops_diagnostics
from ops import logs
from tests.conftest import find_component, make_settings, request_as_app, sql_scalar, text_of


@pytest.fixture
def hub(tmp_path, sqlite_url):
    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, CACHE_TYPE="disk",
                                   CACHE_DIR=str(tmp_path / "cache")))
    yield app
    logs._remove_installed()


def page_text(hub, path: str, component_id: str | None = None) -> str:
    with request_as_app(hub, path):
        page, _title = render_page(path)
    return text_of(find_component(page, component_id) if component_id else page)


def test_diagnostics_shows_database_data_and_process_facts(hub, sqlite_url):
    text = page_text(hub, "/Diagnostics")
    assert "System healthy: all smoke checks pass." in text
    database = page_text(hub, "/diagnostics", ids.DIAGNOSTICS_DATABASE)
    count = sql_scalar(sqlite_url, "SELECT COUNT(*) FROM sustainability_indicators")
    assert f"Rows in sustainability_indicators {count:,}" in database and "sqlite" in database
    batch = sql_scalar(sqlite_url, "SELECT batch_id FROM load_batches WHERE tenant_id = 'mep' "
                                   "ORDER BY loaded_at DESC LIMIT 1")
    data = page_text(hub, "/diagnostics", ids.DIAGNOSTICS_DATA)
    assert f"Last data load {batch}" in data and "Latest complete quarter served 2025Q4" in data
    process = page_text(hub, "/diagnostics", ids.DIAGNOSTICS_PROCESS)
    assert f"Process id {os.getpid()}" in process and " MB" in process


def test_diagnostics_in_arabic_names_and_explains_every_check_in_arabic(hub):
    with request_as_app(hub, "/diagnostics"):
        page, _title = render_page("/diagnostics", "?lang=ar")
    checks = find_component(page, ids.DIAGNOSTICS_CHECKS)
    rows = {row.id: " ".join(text_of(row).split()) for row in checks.children[1].children}
    assert rows[ids.smoke_check("data_available")] == "توفر البيانات ناجح توجد مشاهدات للجهة الافتراضية"
    assert rows[ids.smoke_check("cache")] == "الذاكرة المؤقتة ناجح DiskCache تجيب"
    assert "ميغابايت متاحة في وحدة تخزين البيانات" in rows[ids.smoke_check("disk_space")]
    assert "Database Integrity" not in text_of(page) and "Logging" not in text_of(page)


def test_database_facts_on_each_backend(tmp_path, data_layer):
    database_url = data_layer
    settings = make_settings(tmp_path, DATABASE_URL=database_url)
    facts = ops_diagnostics.database_info(settings)
    assert facts["backend"] == database_url.split(":")[0] and facts["size_bytes"] > 0
    for table in ("sustainability_indicators", "load_batches", "tenants", "regions", "indicators"):
        assert facts["rows"][table] == sql_scalar(database_url, f"SELECT COUNT(*) FROM {table}")
    last = ops_diagnostics.data_info(settings, Tenant("rda"))["last_load"]
    assert last["batch_id"] == sql_scalar(database_url, "SELECT batch_id FROM load_batches WHERE tenant_id = 'rda' "
                                                        "ORDER BY loaded_at DESC LIMIT 1")


def test_diagnostics_shows_png_exporter_state(hub, monkeypatch):
    expected = "Available" if shutil.which("chromium") else "Unavailable"
    assert f"State {expected}" in page_text(hub, "/diagnostics", ids.DIAGNOSTICS_PNG)
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    png = page_text(hub, "/diagnostics", ids.DIAGNOSTICS_PNG)
    assert "State Unavailable" in png and "/nonexistent/chromium" in png


def test_diagnostics_shows_cache_statistics_and_query_timings(hub):
    with hub.server.app_context():
        queries.period_coverage(Tenant("mep"))
        queries.period_coverage(Tenant("mep"))
    cache_text = page_text(hub, "/diagnostics", ids.DIAGNOSTICS_CACHE)
    assert "Backend DiskCache" in cache_text and f"Entries {runtime.cache.entry_count()}" in cache_text
    assert "Hits (all workers)" in cache_text and "Hit ratio" in cache_text
    timings = page_text(hub, "/diagnostics", ids.DIAGNOSTICS_TIMINGS)
    assert "period_coverage" in timings and "p95 (ms)" in timings


def test_diagnostics_shows_recent_errors_without_personal_data(hub):
    logging.getLogger("tests").error("upload by amal@mep.gov.sa failed: quarter 5 is not a quarter")
    errors = page_text(hub, "/diagnostics", ids.DIAGNOSTICS_ERRORS)
    assert "upload by [EMAIL] failed: quarter 5 is not a quarter" in errors
    assert "amal@" not in errors


def test_refresh_rebuilds_the_report(hub):
    with request_as_app(hub, "/_dash-update-component"):
        body = diagnostics.refresh(1)
    assert "System healthy" in text_of(find_component(body[0], ids.DIAGNOSTICS_STATUS))


def test_diagnostics_of_a_missing_database_explain_without_creating_it(tmp_path, monkeypatch):
    # without a users table sign-in fails closed (security/web.py); this test is about the page
    monkeypatch.setattr("security.web.auth_enabled", lambda: False)
    missing = tmp_path / "gone.db"
    hub = create_app(make_settings(tmp_path, DATABASE_URL=f"sqlite:///{missing}"))
    text = page_text(hub, "/diagnostics")
    assert "System unhealthy: Database Connection, Data Available failing." in text
    assert "Not available: database file gone.db does not exist" in text
    assert "PNG export" in text and "Process id" in text  # the rest of the page is still there
    assert not missing.exists()
    logs._remove_installed()


def test_settings_page_is_in_the_navigation_and_shows_the_cache(hub):
    with request_as_app(hub):
        nav = find_component(router.render_header("/settings"), "nav-settings")
    assert nav.href == "/settings" and text_of(nav) == "Settings"
    text = page_text(hub, "/settings")
    assert "Clear Cache" in text and "Backend DiskCache" in text


def test_clear_cache_reports_what_it_cleared_and_logs_it(hub, tmp_path):
    with hub.server.app_context():
        queries.period_coverage(Tenant("mep"))
        queries.panel(Tenant("mep"))
    entries = runtime.cache.entry_count()
    assert entries >= 2
    with request_as_app(hub, "/_dash-update-component"):
        result, state = settings_page.clear(1)
    assert text_of(result) == f"Cleared {entries:,} cached entries from the DiskCache, shared by every worker."
    assert state == "Backend DiskCache, 0 entries." and runtime.cache.entry_count() == 0
    logged = [json.loads(line) for line in (tmp_path / "logs" / "analytics_hub.log").read_text().splitlines()]
    assert {"message": f"cache cleared: {entries} entries removed from the DiskCache",
            "entries": entries}.items() <= logged[-1].items()
    tracked = json.loads((tmp_path / "logs" / "telemetry.jsonl").read_text().splitlines()[-1])
    assert (tracked["event_type"], tracked["entries"], tracked["backend"]) == ("cache_clear", entries,
                                                                             "DiskCache")


def test_clear_cache_failure_gives_a_message(hub, monkeypatch):
    def unreachable():
        raise ConnectionError("redis at cache:6379 refused the connection")

    monkeypatch.setattr(runtime.cache, "clear", unreachable)
    with request_as_app(hub, "/_dash-update-component"):
        result, state = settings_page.clear(1)
    title, body = result.children
    assert text_of(title) == "Something went wrong"
    assert re.fullmatch(r"The cache could not be cleared\. The error was logged \(reference [0-9a-f]{8}\)\.",
                        text_of(body))
    assert "refused" not in text_of(result) and state is no_update


@pytest.mark.parametrize(("cache_type", "expected"), [
    ("simple", "Cleared this worker's cache."),
    ("null", "Caching is off (CACHE_TYPE=null): there is nothing to clear."),
])
def test_clear_cache_says_what_a_per_process_or_no_cache_means(tmp_path, sqlite_url, cache_type, expected):
    hub = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, CACHE_TYPE=cache_type))
    with request_as_app(hub, "/_dash-update-component"):
        assert text_of(settings_page.clear(1)[0]).startswith(expected)
    logs._remove_installed()
