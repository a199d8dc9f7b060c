"""Journeys in Debian Chromium against the running app (gunicorn, fresh seeded database)."""

import pytest

from data import queries
from data.cache import configure_cache
from data.periods import Period
from data.tenancy import Tenant
from tests.conftest import make_settings

pytestmark = pytest.mark.browser


def expected_index(live_server, tmp_path) -> str:
    queries.use_database(live_server["database_url"])
    configure_cache(make_settings(tmp_path))
    value = queries.index_breakdown(Tenant("mep"), Period(2025, 4), "SA").value
    return f"{value:,.1f}"


def test_dashboard_shows_the_national_index(page, live_server, tmp_path):
    page.goto(live_server["url"] + "/")
    index = page.locator("#index-value")
    index.wait_for()
    assert index.inner_text() == expected_index(live_server, tmp_path)
    assert page.get_by_text("Synthetic demonstration data").is_visible()
    assert page.locator("#tile-unemployment_rate").inner_text().count("%") == 1
    page.watch.assert_clean()


def test_diagnostics_from_the_navigation(page, live_server):
    page.goto(live_server["url"] + "/")
    page.locator("#index-value").wait_for()
    page.get_by_role("link", name="Diagnostics").click()
    status = page.locator("#diagnostics-status")
    status.wait_for()
    assert "healthy" in status.inner_text()
    assert page.url.endswith("/diagnostics")
    page.watch.assert_clean()


def test_runbook_spelling_of_diagnostics(page, live_server):
    page.goto(live_server["url"] + "/Diagnostics")
    page.locator("#diagnostics-status").wait_for()
    assert page.get_by_text("Disk Space OK").is_visible()
    page.watch.assert_clean()
