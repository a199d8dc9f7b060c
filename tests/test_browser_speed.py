"""What the browser loads and when (issue 16): AG Grid only once the table is reached; every
file from the app itself, compressed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ops import delivery

pytestmark = pytest.mark.browser


def test_the_grid_loads_only_when_the_table_is_reached(page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    cpu = page.context.new_cdp_session(page)
    # A slow machine (a busy CI runner) draws the charts late: the grid must not load because
    # the page was short for a moment.
    cpu.send("Emulation.setCPUThrottlingRate", {"rate": 6})
    page.goto(live_server["url"] + "/?regions=SA-02&from=2025Q1&indicator=gdp_growth")
    page.locator("#index-value").wait_for()
    page.wait_for_timeout(3000)  # the page is idle: nothing more is fetched until the user scrolls
    cpu.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    assert not [url for url in requested if "dash_ag_grid" in url]
    assert page.locator("#data-table .ag-root").count() == 0
    page.locator("#data-table").scroll_into_view_if_needed()
    expect(page.locator("#data-table .ag-center-cols-container .ag-row")).to_have_count(8)
    assert len([url for url in requested if "/dash_ag_grid/dash_ag_grid." in url]) == 1
    page.locator("#clear-regions").click()  # the loaded grid takes the dashboard's updates: every region
    expect(page.locator("#data-table .ag-center-cols-container .ag-row")).to_have_count(20)  # a full page
    page.watch.assert_clean()


def test_the_page_comes_compressed_from_the_app_alone(page, live_server):
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(live_server["url"] + "/")
    page.locator("#index-value").wait_for()
    scripts = [r for r in responses if r.url.split("?")[0].endswith(".js")]
    assert scripts and all(r.url.startswith(live_server["url"]) for r in responses)
    assert all(r.headers.get("content-encoding") == "br" for r in scripts if r.status == 200), \
        [(r.url, r.headers.get("content-encoding")) for r in scripts]
    assert any(f"/vendor/plotly/{delivery.PARTIAL_VARIANT}-" in r.url for r in scripts)
    page.watch.assert_clean()


def test_chart_data_is_drawn_in_the_browser_when_opened(page, live_server):
    page.goto(live_server["url"] + "/?regions=SA-02&from=2025Q1&indicator=gdp_growth")
    page.locator("#index-value").wait_for()
    assert page.locator("#data-trend-chart table").count() == 0  # not sent, not mounted
    page.locator("#data-open-trend-chart").click()
    table = page.locator("#data-trend-chart table")
    expect(table.locator("tbody tr")).to_have_count(4)  # 2025Q1-2025Q4
    region = page.locator("#data-trend-chart [role=region]")
    assert region.get_attribute("aria-label") == page.locator("#text-trend-chart h2").inner_text()
    expect(table.locator("thead th").first).to_have_attribute("scope", "col")
    page.locator("#filter-from").click()
    page.get_by_role("option", name="2024Q1", exact=True).click()
    page.keyboard.press("Escape")
    expect(page.locator("#data-trend-chart table")).to_have_count(0)  # the text was rebuilt: closed
    page.locator("#data-open-trend-chart").click()
    expect(page.locator("#data-trend-chart table tbody tr")).to_have_count(8)
    page.watch.assert_clean()
