"""Journeys in Debian Chromium against the running app (gunicorn, fresh seeded database).
Every journey ends by checking for console errors and requests to any other host."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from data import queries
from data.periods import Period
from data.regions import REGION_CODES, region_name
from data.runtime import runtime
from data.tenancy import Tenant
from layouts import ids
from tests.conftest import PageWatch, make_settings, sign_in_page, sql_scalar, start_server, stop_server

pytestmark = pytest.mark.browser


LATEST = Period(2025, 4)


def expected_index(live_server, tmp_path, period=LATEST, regions=()) -> str:
    runtime.init(make_settings(tmp_path, DATABASE_URL=live_server["database_url"]))
    value = queries.index_breakdown(Tenant("mep"), period, regions).value
    return f"{value:,.1f}"


def stored(live_server, indicator, region, year, quarter) -> float:
    return sql_scalar(live_server["database_url"],
                      "SELECT value FROM sustainability_indicators WHERE tenant_id = 'mep' AND indicator_id = :i "
                      "AND region_code = :r AND year = :y AND quarter = :q", i=indicator, r=region, y=year, q=quarter)


def open_dashboard(page, live_server, search=""):
    page.goto(live_server["url"] + "/" + search)
    page.locator("#index-value").wait_for()


def choose(page, dropdown_id: str, option: str, url_then_has: str | None = None) -> None:
    """Pick an option of a Dash dropdown; with `url_then_has`, wait until the URL shows it."""
    page.locator(f"#{dropdown_id}").click()
    page.get_by_role("option", name=option, exact=True).click()
    if page.get_by_role("listbox").count():
        page.keyboard.press("Escape")
    if url_then_has:
        wait_for_url(page, url_then_has)


def wait_for_url(page, fragment: str) -> None:
    page.wait_for_url(re.compile(re.escape(fragment)))


def card(page, indicator_id: str):
    return page.locator(f'[id*=\'"index":"{indicator_id}"\'][id*=\'"type":"{ids.KPI_CARD}"\']')


def test_dashboard_shows_the_national_index(page, live_server, tmp_path):
    open_dashboard(page, live_server)
    assert page.locator("#index-value").inner_text() == expected_index(live_server, tmp_path)
    assert page.get_by_text("Synthetic demonstration data").is_visible()
    assert page.locator("#scope-label").inner_text() == "National"
    page.wait_for_timeout(1500)  # charts once collapsed a while after loading; they must keep their height
    for chart in ("#trend-chart", "#regions-chart", "#map-chart"):
        assert page.locator(f"{chart} .main-svg").first.bounding_box()["height"] >= 300, chart
    page.watch.assert_clean()


def test_period_region_and_indicator_changes_show_the_right_numbers(page, live_server, tmp_path):
    open_dashboard(page, live_server)
    choose(page, "filter-period", "2024Q2", "period=2024Q2")
    choose(page, "filter-regions", "Eastern Province", "regions=SA-04")
    choose(page, "filter-pillar", "Labour", "indicator=unemployment_rate")
    expect(page.locator("#text-trend-chart h2")).to_have_text(re.compile("^Unemployment"))

    value = stored(live_server, "unemployment_rate", "SA-04", 2024, 2)
    assert f"{value:,.1f} %" in card(page, "unemployment_rate").inner_text()
    assert page.locator("#scope-label").inner_text() == "Eastern Province"
    expected = expected_index(live_server, tmp_path, Period(2024, 2), ("SA-04",))
    assert page.locator("#index-value").inner_text() == expected
    expect(page.locator("#regions-chart .bars .point")).to_have_count(13)
    assert page.locator("#trend-chart .scatterlayer .trace").count() == 2  # the nation and Eastern Province

    card(page, "green_jobs").click()
    wait_for_url(page, "indicator=green_jobs")
    expect(page.locator("#text-trend-chart h2")).to_have_text(re.compile("^Green jobs"))
    # the selection moved in place (issue 16): the cards stay, two of them change
    expect(card(page, "green_jobs").locator(".kpi-name")).to_have_attribute("aria-pressed", "true")
    expect(card(page, "green_jobs").locator(".kpi-card")).to_have_class(re.compile("kpi-selected"))
    expect(card(page, "unemployment_rate").locator(".kpi-name")).to_have_attribute("aria-pressed", "false")
    expect(card(page, "unemployment_rate").locator(".kpi-card")).not_to_have_class(re.compile("kpi-selected"))
    page.watch.assert_clean()


def click_centre(page, locator, dx=None) -> None:
    """Click a drawn chart element once the chart has settled (a bar or tile mid-redraw has
    no size yet and a click on it is lost)."""
    locator.scroll_into_view_if_needed()
    expect(locator).to_be_visible()
    for _ in range(50):
        box = locator.bounding_box()
        if box and box["height"] > 5:
            break
        page.wait_for_timeout(100)
    page.mouse.click(box["x"] + (dx if dx is not None else box["width"] / 2), box["y"] + box["height"] / 2)


def test_clicking_the_chart_and_the_map_adds_regions_and_clear_removes_them(page, live_server):
    open_dashboard(page, live_server)
    expect(page.locator("#regions-chart .bars .point")).to_have_count(13)
    click_centre(page, page.locator("#regions-chart .bars .point path").first, dx=5)
    page.wait_for_url(re.compile(r"regions=SA-\d+"))
    best = page.url.split("regions=")[1].split("&")[0]
    expect(page.locator("#scope-label")).not_to_have_text("National")

    expect(page.locator("#map-chart .scatterlayer .point")).to_have_count(13)
    second = "SA-09" if best != "SA-09" else "SA-10"
    tile = page.locator("#map-chart .scatterlayer .point").nth(REGION_CODES.index(second))  # tiles in code order
    expect(tile).to_have_attribute("style", re.compile("stroke"))
    page.wait_for_timeout(300)  # let the map finish redrawing the selection outline
    click_centre(page, tile)
    expect(page.locator("#scope-label")).to_have_text(re.compile("^2 regions combined"))
    chosen = page.locator("#filter-regions").inner_text()
    assert region_name(best) in chosen and region_name(second) in chosen

    page.get_by_role("button", name="Clear regions").click()
    expect(page.locator("#scope-label")).to_have_text("National")
    assert "regions=" not in page.url
    page.watch.assert_clean()


def test_a_shared_link_reopens_the_same_view(page, browser, live_server):
    open_dashboard(page, live_server)
    choose(page, "filter-regions", "Riyadh", "regions=SA-01")
    choose(page, "filter-pillar", "Environmental", "pillar=environmental")
    choose(page, "filter-indicator", "Renewable energy share", "indicator=renewable_share")
    shown = {"index": page.locator("#index-value").inner_text(),
             "card": card(page, "renewable_share").inner_text(),
             "scope": page.locator("#scope-label").inner_text()}

    other = browser.new_context()
    try:
        fresh = other.new_page()
        fresh.goto(page.url)
        fresh.locator("#index-value").wait_for()
        assert fresh.locator("#index-value").inner_text() == shown["index"]
        assert card(fresh, "renewable_share").inner_text() == shown["card"]
        assert fresh.locator("#scope-label").inner_text() == shown["scope"] == "Riyadh"
        assert "Renewable energy share" in fresh.locator("#filter-indicator").inner_text()
    finally:
        other.close()
    page.watch.assert_clean()


def test_back_and_forward_move_between_views(page, live_server, tmp_path):
    open_dashboard(page, live_server)
    choose(page, "filter-period", "2024Q4", "period=2024Q4")
    choose(page, "filter-period", "2023Q4", "period=2023Q4")
    page.go_back()
    wait_for_url(page, "period=2024Q4")
    expect(page.locator("#filter-period")).to_contain_text("2024Q4")
    assert page.locator("#index-value").inner_text() == expected_index(live_server, tmp_path, Period(2024, 4))
    page.go_forward()
    expect(page.locator("#filter-period")).to_contain_text("2023Q4")
    assert page.locator("#index-value").inner_text() == expected_index(live_server, tmp_path, Period(2023, 4))
    page.watch.assert_clean()


def test_downloaded_csv_holds_the_rows_of_the_table(page, live_server):
    open_dashboard(page, live_server, "?regions=SA-02&from=2025Q1&indicator=gdp_growth")
    page.locator("#data-table").scroll_into_view_if_needed()  # the grid loads as it is reached (issue 16)
    page.locator("#data-table .ag-row").first.wait_for()
    table = [[cell.inner_text() for cell in row.locator(".ag-cell").all()[:3]]
             for row in page.locator("#data-table .ag-center-cols-container .ag-row").all()]
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename == "gdp_growth-SA-02-2025Q1-2025Q4.csv"
    assert "# Tenant: mep (Ministry of Economy and Planning)" in content
    lines = [line for line in content.splitlines() if not line.startswith("#")]
    data = list(csv.DictReader(io.StringIO("\n".join(lines))))
    in_csv = {(r["region"], r["period"], f"{float(r['value']):,.1f}") for r in data}
    assert len(table) == len(data) == 8  # four quarters of Makkah and of the nation
    for region, period, value in table:
        assert (region, period, value.replace("−", "-")) in in_csv
    page.watch.assert_clean()


def test_malformed_link_gives_the_default_view_and_a_notice(page, live_server, tmp_path):
    open_dashboard(page, live_server, "?period=2025Q9&regions=Atlantis&indicator=%3Cscript%3Ealert(1)%3C/script%3E")
    notice = page.locator("#view-notice")
    assert "is not a quarter like 2025Q4" in notice.inner_text()
    assert "Unknown region “Atlantis” was left out." in notice.inner_text()
    assert "<script>" in notice.inner_text()  # shown as text, never run
    assert page.locator("#index-value").inner_text() == expected_index(live_server, tmp_path)
    page.watch.assert_clean()


def test_diagnostics_from_the_navigation(page, live_server):
    open_dashboard(page, live_server)
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


def test_executive_downloads_a_png_of_the_breakdown(page, live_server, tmp_path):
    page.goto(live_server["url"] + "/")
    page.locator("#index-value").wait_for()
    page.get_by_role("link", name="Executive overview").click()
    page.locator("#exec-breakdown-table").wait_for()
    choose(page, "exec-regions", "Riyadh", "regions=SA-01")
    expect(page.locator("#scope-label")).to_have_text("Riyadh")
    assert page.locator("#index-value").inner_text() == expected_index(live_server, tmp_path, LATEST, ("SA-01",))
    with page.expect_download() as download:
        page.locator("#exec-body").get_by_role("link", name="Download PNG").click()
    assert download.value.suggested_filename == "index-breakdown-sustainability_index-SA-01-2025Q4.png"
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.watch.assert_clean()


def test_dashboard_chart_png_download(page, live_server):
    open_dashboard(page, live_server, "?indicator=renewable_share&regions=SA-07")
    with page.expect_download() as download:
        page.locator(".card", has=page.locator("#trend-chart")).get_by_role("link", name="Download PNG").click()
    assert download.value.suggested_filename == "trend-renewable_share-SA-07-2021Q1-2025Q4.png"
    assert Path(download.value.path()).stat().st_size > 10_000
    page.watch.assert_clean()


@pytest.fixture(scope="module")
def secured_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("secured-live")
    process, url = start_server(tmp, ANALYTICS_HUB_ENV="staging", SECRET_KEY="k" * 40,
                                AUTH_PASSWORD="admin password for the test")
    yield url
    stop_server(process)


def test_sign_in_see_who_you_are_read_the_audit_log_and_sign_out(browser, secured_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch = PageWatch(page, secured_server)
    try:
        page.goto(secured_server + "/executive")
        expect(page).to_have_url(re.compile(r"/login\?next=/executive"))
        sign_in_page(page, "admin", "admin password for the test")
        page.locator("#exec-breakdown-table").wait_for()
        expect(page.locator("#signed-in-as")).to_have_text("admin (steward) · Ministry of Economy and Planning")
        assert page.locator("#auth-off-banner").count() == 0
        page.get_by_role("link", name="Audit log").click()
        expect(page.locator("#audit-table")).to_contain_text("Signed in")
        assert page.get_by_role("link", name="Diagnostics").count() == 0  # an ops page: not for stewards
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/login$"))
        page.goto(secured_server + "/")
        expect(page).to_have_url(re.compile(r"/login\?next=/"))
        watch.assert_clean()
    finally:
        context.close()
