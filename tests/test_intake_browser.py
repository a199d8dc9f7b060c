"""The steward's journey in Debian Chromium against the running app: sign in, load a file
on /data, read the preview, confirm, see the dashboard change, roll back, see it change
back; the page with a report and a preview is axe-clean in both languages."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from layouts import ids
from tests.conftest import PageWatch, sign_in_page, start_server, stop_server
from tests.intake_files import csv_bytes

pytestmark = pytest.mark.browser
PASSWORD = "admin password for the intake test"
DASHBOARD = "/?regions=SA-01&pillar=economic&indicator=gdp_total&period=2025Q4"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("intake-live")
    process, url = start_server(tmp, ANALYTICS_HUB_ENV="staging", SECRET_KEY="k" * 40, AUTH_PASSWORD=PASSWORD)
    yield url
    stop_server(process)


def riyadh_gdp(page, url: str) -> str:
    page.goto(url + DASHBOARD)
    cards = page.locator(f"#{ids.KPI_CARDS}")
    cards.get_by_text("GDP", exact=True).first.wait_for()
    return cards.inner_text()


def serious(page) -> list[str]:
    results = Axe().run(page).response
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in results["violations"]
            if v["impact"] in ("serious", "critical")]


def test_a_steward_loads_previews_confirms_and_rolls_back(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch = PageWatch(page, server)
    try:
        page.goto(server + "/data")
        sign_in_page(page, "admin", PASSWORD)
        page.locator(f"#{ids.DATA_TITLE}").wait_for()
        before = riyadh_gdp(page, server)

        file = tmp_path / "riyadh-2025Q4.csv"
        file.write_bytes(csv_bytes(["indicator_id,region,year,quarter,value", "gdp_total,الرياض,2025,4,123456.7"]))
        page.goto(server + "/data")
        page.get_by_label("Source system").fill("gastat")
        page.locator(f"#{ids.DATA_UPLOAD} input[type=file]").set_input_files(str(file))
        page.wait_for_url(re.compile(r"/data\?upload=\w+"))
        preview = page.locator(f"#{ids.DATA_PREVIEW}")
        preview.get_by_text("0 new values, 1 changed, 0 unchanged.").wait_for()
        assert serious(page) == []
        upload_url = page.url
        page.goto(upload_url.replace("lang=en", "lang=ar"))
        page.get_by_text("0 قيم جديدة، 1 متغيرة، 0 دون تغيير.").wait_for()
        assert serious(page) == []

        page.goto(upload_url)
        page.get_by_role("button", name="Confirm the import").click()
        page.locator(f"#{ids.DATA_CONFIRM_RESULT}").get_by_text("Imported 0 new and 1 changed values").wait_for()
        after = riyadh_gdp(page, server)
        assert after != before and "123,457" in after

        page.goto(server + "/data")
        page.get_by_role("button", name="Roll back the latest import").click()
        page.locator(f"#{ids.DATA_ROLLBACK_RESULT}").get_by_text("Rolled back batch").wait_for()
        assert riyadh_gdp(page, server) == before
        watch.assert_clean()
    finally:
        context.close()
