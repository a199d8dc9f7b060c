"""Arabic, accessibility and small screens in Debian Chromium against the running app:
switching to Arabic (right to left, Arabic everywhere, an Arabic PNG whose title is read back
by OCR, an Arabic CSV), axe-core on every page in both languages at desktop and phone sizes,
a keyboard-only journey, and no sideways scrolling of any page on a phone or a tablet."""

import csv
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect

from callbacks.registry import PAGES
from tests.conftest import PageWatch

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
# every page of the registry, the sign-in page and an unknown path
EVERY_PAGE = [page.path for page in PAGES] + ["/login", "/no-such-page"]


UNKNOWN_PAGE = EVERY_PAGE[-1]
NOT_FOUND_LOGGED = "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"


def open_page(page, url: str) -> None:
    """Open a page and wait until the router has drawn it. The unknown page is a real 404,
    which the browser logs as a failed load: that one message is expected."""
    page.goto(url)
    page.locator("h1").first.wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    if UNKNOWN_PAGE in url:
        for _ in range(50):  # the message may arrive after the load
            if NOT_FOUND_LOGGED in page.watch.console_errors:
                page.watch.console_errors.remove(NOT_FOUND_LOGGED)
                break
            page.wait_for_timeout(100)


@pytest.fixture
def visit(browser, live_server):
    """A fresh browser context of the given size; checks console errors and foreign hosts at the end."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.watch = PageWatch(page, live_server["url"])
        return page

    yield make
    for context in contexts:
        context.close()


def ocr_arabic(png: bytes) -> str:
    """The Arabic text Tesseract reads in the top band of an image (where an export's title is)."""
    if not shutil.which("tesseract"):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("tesseract-ocr and tesseract-ocr-ara are required (make test installs them)")
        pytest.skip("tesseract is not installed: run `make test` to install it")
    image = Image.open(io.BytesIO(png))
    band = image.crop((0, 0, image.width, image.height // 9))
    buffer = io.BytesIO()
    band.save(buffer, format="PNG")
    result = subprocess.run(["tesseract", "stdin", "stdout", "-l", "ara"], input=buffer.getvalue(),
                            capture_output=True, timeout=60, check=True)
    return result.stdout.decode("utf-8")


def test_switching_to_arabic_turns_the_whole_dashboard_right_to_left(visit, live_server):
    page = visit()
    open_page(page, live_server["url"] + "/?regions=SA-01&pillar=environmental&indicator=renewable_share")
    page.get_by_role("link", name="العربية").click()
    page.wait_for_url(re.compile(r"lang=ar"))
    page.locator("#index-value").wait_for()
    assert "regions=SA-01" in page.url and "indicator=renewable_share" in page.url  # the view is kept
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert page.title() == "لوحة المؤشرات · منصة التحليلات"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    filters = page.locator(".filter-bar").inner_text()
    cards = page.locator("#kpi-cards").inner_text()
    titles = page.locator(".chart-title").all_inner_texts()
    assert "الربع الرابع 2025" in filters and "الرياض" in filters and "حصة الطاقة المتجددة" in filters
    assert "حصة الطاقة المتجددة" in cards and len(titles) == 3
    for text in (filters, cards, *titles):
        assert not LATIN_WORD.search(text), text  # no English left
    nav = page.locator("nav").inner_text()
    assert "لوحة المؤشرات" in nav and "English" in nav
    # the navigation starts on the right in Arabic
    brand, switch = page.locator(".navbar-brand").bounding_box(), page.locator("#language-switch").bounding_box()
    assert brand["x"] > switch["x"]

    with page.expect_download() as download:
        page.locator(".card", has=page.locator("#trend-chart")).get_by_role("link", name="تنزيل PNG").click()
    png = Path(download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    read = ocr_arabic(png)
    assert "حصة الطاقة المتجددة" in read, read  # Arabic letters drawn, not empty boxes

    with page.expect_download() as download:
        page.get_by_role("link", name="تنزيل CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    assert rows[0][:4] == ["رمز المؤشر", "المؤشر", "رمز المنطقة", "المنطقة"]
    assert {row[3] for row in rows[1:]} == {"الرياض", "المملكة"}

    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#scope-label")).to_have_text("Riyadh")
    page.watch.assert_clean()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_axe_finds_nothing_serious_on_any_page(visit, live_server, lang, viewport):
    page = visit(viewport)
    axe = Axe()
    found = {}
    for path in EVERY_PAGE:
        open_page(page, f"{live_server['url']}{path}?lang={lang}")
        results = axe.run(page).response
        serious = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
                   for v in results["violations"] if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious
        assert results["passes"], path  # axe really ran
    assert found == {}
    page.watch.assert_clean()


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_no_page_scrolls_sideways_on_a_phone_or_a_tablet(visit, live_server, viewport):
    page = visit(viewport)
    wide = {}
    for lang in ("en", "ar"):
        for path in EVERY_PAGE:
            open_page(page, f"{live_server['url']}{path}?lang={lang}")
            widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] != widths[1]:
                wide[f"{path}?lang={lang}"] = widths
    assert wide == {}
    page.watch.assert_clean()


def test_on_a_phone_the_menu_and_the_filters_fold_away(visit, live_server):
    page = visit(PHONE)
    open_page(page, live_server["url"] + "/?lang=ar")
    page.locator("#index-value").wait_for()
    assert not page.locator("#nav-executive").is_visible() and not page.locator("#filter-period").is_visible()
    filters = page.locator("#filter-toggle")
    assert filters.bounding_box()["height"] < 50  # a button, not 40% of the screen
    filters.click()
    expect(page.locator("#filter-period")).to_be_visible()
    assert filters.get_attribute("aria-expanded") == "true"
    page.locator("#nav-toggle").click()
    expect(page.locator("#nav-executive")).to_be_visible()
    page.locator("#nav-executive").click()
    page.locator("#exec-breakdown-table").wait_for()
    assert page.url.endswith("/executive?lang=ar")
    # the chart toolbar never covers the chart's title: the title is a heading above the chart
    title = page.locator("#text-exec-breakdown-chart h2").bounding_box()
    chart = page.locator("#exec-breakdown-chart").bounding_box()
    assert title["y"] + title["height"] <= chart["y"]
    page.watch.assert_clean()


def tab_to(page, selector: str, backwards: bool = False, limit: int = 150) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the keyboard focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focus_in_list(page) -> None:
    """Wait until an opened dropdown has moved the focus into its list."""
    for _ in range(50):
        if page.evaluate("!!document.activeElement.closest('[role=listbox], .dash-dropdown-content')"):
            return
        page.wait_for_timeout(50)
    raise AssertionError("the dropdown did not take the focus into its list")


def settled(page, url_has: str | None = None) -> None:
    """Wait until the URL shows `url_has` and the dashboard has finished redrawing."""
    if url_has:
        page.wait_for_url(re.compile(re.escape(url_has)))
    page.wait_for_timeout(500)
    for _ in range(100):
        if page.evaluate("!document.querySelector('[data-dash-is-loading=true]')"):
            return
        page.wait_for_timeout(50)


def choose_by_keyboard(page, dropdown_id: str) -> None:
    """Open a dropdown with the arrow key, move one option on and take it."""
    tab_to(page, f"#{dropdown_id}")
    page.keyboard.press("ArrowDown")
    focus_in_list(page)
    chosen = page.evaluate("document.activeElement.value")
    for _ in range(10):  # the list listens for keys a moment after it takes the focus
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(150)
        if page.evaluate("document.activeElement.value") != chosen:
            break
    page.keyboard.press("Enter")


def download_by_keyboard(page, selector: str) -> str:
    tab_to(page, selector)
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # a visible focus
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    return download.value.suggested_filename


def test_a_keyboard_alone_changes_every_filter_and_reaches_every_download(visit, live_server):
    page = visit()
    open_page(page, live_server["url"] + "/")
    page.locator("#index-value").wait_for()

    choose_by_keyboard(page, "filter-period")
    settled(page, "period=2025Q3")
    choose_by_keyboard(page, "filter-from")
    settled(page, "from=2020Q4")
    choose_by_keyboard(page, "filter-to")
    settled(page, "to=2025Q3")
    tab_to(page, "#filter-regions")
    page.keyboard.press("ArrowDown")
    focus_in_list(page)
    page.keyboard.type("Riy")  # the list narrows as one types
    page.wait_for_timeout(200)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settled(page, "regions=SA-01")
    tab_to(page, "#clear-regions")
    page.keyboard.press("Enter")
    expect(page.locator("#scope-label")).to_have_text("National")
    settled(page)
    choose_by_keyboard(page, "filter-pillar")
    settled(page, "pillar=labour")
    choose_by_keyboard(page, "filter-indicator")
    settled(page, "indicator=green_jobs")
    tab_to(page, ".kpi-name[aria-pressed=false]")  # a KPI card: Enter charts its indicator
    page.keyboard.press("Enter")
    settled(page, "indicator=unemployment_rate")

    downloads = [download_by_keyboard(page, f'[id*=\'"index":"{name}"\']') for name in ("trend", "regions", "map")]
    tab_to(page, "input[type=radio]")  # the map's colouring
    page.keyboard.press("ArrowDown")
    expect(page.locator('[id*=\'"index":"map"\']')).to_have_attribute("href", re.compile("colour=value"))
    downloads.append(download_by_keyboard(page, "#download-csv"))
    assert downloads == ["trend-unemployment_rate-national-2020Q4-2025Q3.png",
                         "regions-unemployment_rate-national-2025Q3.png", "map-unemployment_rate-national-2025Q3.png",
                         "unemployment_rate-national-2020Q4-2025Q3.csv"]

    tab_to(page, "#nav-executive", backwards=True)
    page.keyboard.press("Enter")
    page.locator("#exec-breakdown-table").wait_for()
    downloads = [download_by_keyboard(page, selector)
                 for selector in ("#download-pdf", "#download-xlsx", '[id*=\'"index":"index-breakdown"\']')]
    assert downloads == ["brief-index-breakdown-sustainability_index-national-2025Q4.pdf",
                         "gdp_growth-national-2025Q4.xlsx",
                         "index-breakdown-sustainability_index-national-2025Q4.png"]
    page.watch.assert_clean()
