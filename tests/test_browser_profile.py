"""The region profile in Debian Chromium against the running app, whose background job
computes the forecasts and values that stand out after start: reached from the dashboard's
link, a region and the nation in English and Arabic, the forecast on the dashboard's trend
chart, and axe-core at desktop and phone widths."""

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.test_browser_access import DESKTOP, PHONE, open_page, visit  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
READY_WITHIN_S = 420  # the job computes two tenants' forecasts on a shared machine


def wait_for_forecasts(page, url: str) -> None:
    """Reload the profile until the forecasts for the current data are there."""
    deadline = time.monotonic() + READY_WITHIN_S
    while True:
        open_page(page, url)
        track = page.locator("#profile-track-record")
        if re.search(r"held|صدقت|formula|المعادلة", track.inner_text()):
            return
        assert time.monotonic() < deadline, track.inner_text()
        page.wait_for_timeout(5000)


def test_a_region_profile_from_the_dashboard_in_english_and_arabic(visit, live_server):  # noqa: F811 (the imported fixture)
    page = visit(DESKTOP)
    open_page(page, live_server["url"] + "/?regions=SA-01&indicator=renewable_share")
    link = page.locator("#profile-link")
    expect(link).to_have_text("Profile of Riyadh")
    link.click()
    page.wait_for_url(re.compile(r"/region/SA-01\?.*regions=SA-01.*indicator=renewable_share"))
    wait_for_forecasts(page, page.url)
    expect(page.locator("h1")).to_have_text("Profile: Riyadh")
    expect(page.locator("#profile-indicators tbody tr")).to_have_count(24)
    expect(page.locator("#profile-track-record")).to_contain_text(re.compile(r"The 80% interval held \d of the last 8"))
    expect(page.locator("#profile-forecast-chart .legendtext", has_text="Forecast")).to_have_count(1)
    expect(page.locator("#profile-narrative")).to_contain_text("The sustainability index of Riyadh is")
    expect(page.locator("#profile-outlook li").first).to_contain_text("target")

    page.get_by_role("link", name="العربية").click()
    page.wait_for_url(re.compile(r"lang=ar"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("ملف: الرياض")
    expect(page.locator("#profile-narrative")).to_contain_text("مؤشر الاستدامة في الرياض")
    expect(page.locator("#profile-track-record")).to_contain_text("صدقت فترة 80٪")
    page.watch.assert_clean()


def test_the_nation_profile_and_the_region_menu(visit, live_server):  # noqa: F811 (the imported fixture)
    page = visit(DESKTOP)
    wait_for_forecasts(page, live_server["url"] + "/region/SA?lang=ar")
    expect(page.locator("h1")).to_have_text("ملف: المملكة")
    expect(page.locator("#profile-indicators tbody tr")).to_have_count(24)
    expect(page.locator("#profile-standing-nation, .card", has_text="لا ترتيب لها")).not_to_have_count(0)
    page.locator("#profile-regions summary").click()
    page.get_by_role("link", name="جازان").click()
    page.wait_for_url(re.compile(r"/region/SA-09\?.*lang=ar"))
    expect(page.locator("h1")).to_have_text("ملف: جازان")
    page.watch.assert_clean()


def test_the_forecast_on_the_dashboards_trend_chart_is_off_until_asked(visit, live_server):  # noqa: F811 (the imported fixture)
    page = visit(DESKTOP)
    wait_for_forecasts(page, live_server["url"] + "/region/SA")
    open_page(page, live_server["url"] + "/?indicator=unemployment_rate")
    legend = page.locator("#trend-chart .legendtext", has_text="Forecast")
    expect(legend).to_have_count(0)
    page.get_by_text("Show the forecast").click()
    expect(legend).to_have_count(1)
    expect(page.locator("#trend-chart .legendtext", has_text="80% interval")).to_have_count(1)
    page.watch.assert_clean()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_axe_finds_nothing_serious_on_the_profiles(visit, live_server, lang, viewport):  # noqa: F811 (the imported fixture)
    page = visit(viewport)
    found = {}
    for path in ("/region/SA-01", "/region/SA"):
        wait_for_forecasts(page, f"{live_server['url']}{path}?lang={lang}")
        results = Axe().run(page).response
        serious = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
                   for v in results["violations"] if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious
        assert results["passes"], path
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] == widths[1], (path, widths)  # nothing scrolls sideways
    assert found == {}
    page.watch.assert_clean()
