"""The stewards' journey in Debian Chromium against the real server (issue 14): change a
weight, see the preview, save, see the dashboard's index move by exactly the recomputed
amount, find the change in the audit log; and axe on the signed-in admin pages in both
languages."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from data import aggregate, queries
from data.catalog import INDEX_ID, catalog
from data.periods import Period
from data.runtime import runtime
from data.stewardship import with_settings
from data.tenancy import Tenant
from layouts.format import format_number
from tests.conftest import PageWatch, make_settings, sign_in_page, start_server, stop_server

pytestmark = pytest.mark.browser
PASSWORD = "admin password for the test"
ADMIN_PAGES = ["/admin/weights", "/admin/targets", "/admin/users", "/admin/history?kind=targets",
               "/account/password"]


@pytest.fixture(scope="module")
def steward_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("steward-live")
    process, url = start_server(tmp, ANALYTICS_HUB_ENV="staging", SECRET_KEY="k" * 40, AUTH_PASSWORD=PASSWORD)
    yield url, tmp
    stop_server(process)


@pytest.fixture
def steward(browser, steward_server):
    url, _ = steward_server
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.watch = PageWatch(page, url)
    page.goto(url + "/admin/weights?lang=en")  # the admin remembers the last language used
    sign_in_page(page, "admin", PASSWORD)
    yield page
    context.close()


def expected_index(tmp, weights: dict) -> str:
    """The national index of 2025Q4 under `weights`, recomputed here from the server's database."""
    runtime.init(make_settings(tmp / "check", DATABASE_URL=f"sqlite:///{tmp / 'var' / 'analytics_hub.db'}"))
    row = queries.selection_series(Tenant("mep"), ()).loc[Period(2025, 4).ordinal]
    value = aggregate.index_breakdown(row, with_settings(catalog(), weights=weights)).value
    return format_number(value, catalog()[INDEX_ID].decimals)


def test_a_steward_changes_a_weight_previews_saves_and_finds_it_everywhere(steward, steward_server):
    url, tmp = steward_server
    page = steward
    weights = dict(catalog().index_weights)
    first, second = list(weights)[:2]
    weights[first], weights[second] = round(weights[first] - 0.1, 10), round(weights[second] + 0.1, 10)
    before, after = expected_index(tmp, catalog().index_weights), expected_index(tmp, weights)
    assert before != after

    page.get_by_label(catalog()[first].name("en")).fill(f"{weights[first]:g}")
    page.get_by_label(catalog()[second].name("en")).fill(f"{weights[second]:g}")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#weights-preview")
    expect(preview).to_contain_text("The index in 2025Q4: weights in use and proposed")
    expect(preview.locator("tbody tr").first).to_contain_text(after)
    page.get_by_label("Reason for the change (required)").fill("Vision 2030 programme review")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator("#weights-result")).to_contain_text("Saved as version 1")

    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#index-value")).to_have_text(after)
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("#audit-table")).to_contain_text("Reason: Vision 2030 programme review")
    page.get_by_role("link", name="Index weights").click()
    page.get_by_role("link", name="See every version").click()
    expect(page.locator("#history-table")).to_contain_text("Vision 2030 programme review")
    page.watch.assert_clean()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_axe_finds_nothing_serious_on_the_signed_in_admin_pages(steward, steward_server, lang):
    url, _ = steward_server
    page = steward
    axe = Axe()
    found = {}
    for path in ADMIN_PAGES:
        page.goto(f"{url}{path}{'&' if '?' in path else '?'}lang={lang}")
        page.locator("h1").first.wait_for()
        page.wait_for_load_state("networkidle")
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        results = axe.run(page).response
        serious = [f"{v['id']} ({v['impact']}): {[(n['target'], n.get('failureSummary')) for n in v['nodes']][:3]}"
                   for v in results["violations"] if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious
        assert results["passes"], path
    assert found == {}
    if lang == "ar":
        assert re.search("[\u0600-\u06ff]", page.locator("h1").first.inner_text())
    page.watch.assert_clean()


def test_a_new_account_gets_a_one_time_password_and_must_change_it_at_first_sign_in(browser, steward,
                                                                                     steward_server):
    url, _ = steward_server
    page = steward
    page.get_by_role("link", name="Accounts").click()
    page.get_by_label("User name").fill("noura")
    page.get_by_label("Role", exact=True).select_option("executive")
    page.get_by_role("button", name="Create").click()
    password = page.locator("#one-time-password").inner_text()
    expect(page.locator("#users-table")).to_contain_text("noura")
    page.watch.assert_clean()

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    newcomer = context.new_page()
    watch = PageWatch(newcomer, url)
    try:
        newcomer.goto(url + "/executive")
        sign_in_page(newcomer, "noura", password)
        expect(newcomer).to_have_url(re.compile(r"/account/password$"))
        expect(newcomer.locator("h1")).to_have_text("Change your password")
        newcomer.get_by_label("Current password").fill(password)
        newcomer.get_by_label("New password", exact=True).fill("noura's own password")
        newcomer.get_by_label("New password again").fill("noura's own password")
        newcomer.get_by_role("button", name="Change password").click()
        expect(newcomer.locator("#password-result")).to_contain_text("Your password is changed")
        newcomer.get_by_role("link", name="Continue to the dashboard").click()
        expect(newcomer.locator("#index-value")).not_to_be_empty()
        watch.assert_clean()
    finally:
        context.close()


def test_an_executive_explores_what_if_weights_without_changing_anything(steward, steward_server):
    url, _ = steward_server
    page = steward
    page.goto(url + "/executive?period=2025Q4&lang=en")
    weights = dict(catalog().index_weights)
    first, second = list(weights)[:2]
    page.get_by_label(catalog()[first].name("en"), exact=True).fill(f"{weights[first] - 0.1:g}")
    page.get_by_label(catalog()[second].name("en"), exact=True).fill(f"{weights[second] + 0.1:g}")
    page.get_by_role("button", name="Show with these weights").click()
    expect(page.locator("#whatif-headline")).to_contain_text("With these weights the index would be")
    expect(page).to_have_url(re.compile(rf"weights={first}%3A|weights={first}:"))
    page.get_by_role("button", name="Back to the official weights").click()
    expect(page.locator("#whatif-headline")).to_have_count(0)
    page.watch.assert_clean()
