"""The ops engineer's journey in Debian Chromium: Settings, Clear Cache, Diagnostics, Refresh."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_clear_cache_then_refresh_diagnostics(page, live_server):
    page.goto(live_server["url"] + "/diagnostics")
    page.locator("#diagnostics-status").wait_for()
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Clear Cache").click()
    result = page.locator("#settings-cache-result")
    result.get_by_text(re.compile(r"Cleared [\d,]+ cached entries from the DiskCache")).wait_for()
    assert page.url.endswith("/settings")

    page.get_by_role("link", name="Diagnostics").click()
    page.locator("#diagnostics-status").wait_for()
    checked = page.get_by_text(re.compile(r"Checked at .* UTC"))
    first = checked.inner_text()
    page.wait_for_timeout(1100)  # the time shown has whole seconds
    page.get_by_role("button", name="Refresh").click()
    expect(checked).not_to_have_text(first)
    assert "System healthy" in page.locator("#diagnostics-status").inner_text()
    assert page.locator("#diagnostics-cache").get_by_text("DiskCache").is_visible()
    page.watch.assert_clean()
