"""English and Arabic through the server: the document's language and direction, numbers,
quarters and times written with Babel, the remembered choice, and every download in Arabic."""

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app import FONT_DIRS, create_app
from callbacks.router import render_header, render_page
from data import queries
from data.catalog import catalog
from data.engine import get_engine
from data.periods import Period
from data.runtime import runtime
from data.tenancy import Tenant
from layouts import ids
from layouts.format import format_number, format_percent, format_period, format_time
from security import accounts
from security.preferences import stored_language
from settings import Settings, SettingsError
from tests.conftest import (
    PASSWORD,
    find_component,
    make_settings,
    request_as_app,
    secured_settings,
    sign_in,
    sql_scalar,
    text_of,
)
from tests.test_exports import needs_png, png_text

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def hub(tmp_path, sqlite_url):
    return create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, EXPORT_RATE_LIMIT="1000"))


def test_numbers_quarters_and_times_follow_the_language(tmp_path):
    runtime.init(make_settings(tmp_path))
    assert format_number(12345.678, 1, "en") == "12,345.7"
    assert format_number(-0.5, 2, "ar", signed=True) == "\u200e-0.50"  # the sign stays before the number
    assert format_percent(0.153, 0, "ar") == "15٪" and format_percent(0.153, 0, "en") == "15%"
    assert format_period(Period(2025, 4), "en") == "2025Q4"
    assert format_period(Period(2025, 1), "ar") == "الربع الأول 2025"
    assert format_time(datetime(2026, 1, 2, 3, 4, 5), "ar") == "02/01/2026 03:04:05"
    assert format_time(datetime(2026, 1, 2, 3, 4, 5), "en") == "2026-01-02 03:04:05"
    assert format_number(None, 1, "ar") == "لا توجد بيانات"


def test_arabic_indic_digits_are_a_setting(tmp_path):
    runtime.init(make_settings(tmp_path, ARABIC_DIGITS="arabic-indic"))
    assert format_number(12345.6, 1, "ar") == "١٢,٣٤٥.٦"
    assert format_period(Period(2025, 4), "ar") == "الربع الرابع ٢٠٢٥"
    assert format_number(12345.6, 1, "en") == "12,345.6"  # English keeps 0-9
    with pytest.raises(SettingsError, match="ARABIC_DIGITS"):
        Settings.from_env({"ARABIC_DIGITS": "roman"})


@pytest.mark.parametrize(("path", "status", "lang", "direction", "title", "css"), [
    ("/", 200, "en", "ltr", "Dashboard · Analytics Hub", "/vendor/bootstrap/bootstrap.min.css"),
    ("/?lang=ar", 200, "ar", "rtl", "لوحة المؤشرات · منصة التحليلات", "/vendor/bootstrap-rtl/bootstrap.rtl.min.css"),
    ("/executive?lang=ar", 200, "ar", "rtl", "الملخص التنفيذي · منصة التحليلات",
     "/vendor/bootstrap-rtl/bootstrap.rtl.min.css"),
    ("/nowhere?lang=ar", 404, "ar", "rtl", "الصفحة غير موجودة", "/vendor/bootstrap-rtl/bootstrap.rtl.min.css"),
    ("/?lang=xx", 200, "en", "ltr", "Dashboard · Analytics Hub", "/vendor/bootstrap/bootstrap.min.css"),
])
def test_the_document_has_the_urls_language_direction_title_and_stylesheet(hub, path, status, lang, direction,
                                                                            title, css):
    response = hub.server.test_client().get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f"<title>{title}</title>" in html
    assert f'href="{css}"' in html


def test_right_to_left_bootstrap_and_the_arabic_font_are_served_by_the_app(hub):
    client = hub.server.test_client()
    rtl = client.get("/vendor/bootstrap-rtl/bootstrap.rtl.min.css")
    assert rtl.status_code == 200 and b"Bootstrap" in rtl.data and b"v5.3.8" in rtl.data
    if not any((Path(folder) / "NotoSansArabic-Regular.ttf").exists() for folder in FONT_DIRS):
        pytest.skip("fonts-noto-core is not installed")
    font = client.get("/vendor/fonts/NotoSansArabic-Regular.ttf")
    assert font.status_code == 200 and len(font.data) > 50_000
    assert client.get("/vendor/fonts/NotoSans-Regular.ttf").status_code == 404  # only the fonts it names
    assert client.get("/vendor/fonts/..%2F..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_the_language_switch_opens_the_same_address_in_the_other_language(hub):
    with request_as_app(hub, "/region/SA-09?lang=ar&period=2025Q2"):
        header = render_header("/region/SA-09", "?lang=ar&period=2025Q2")
    assert find_component(header, ids.LANGUAGE_SWITCH).href == "/region/SA-09?lang=en&period=2025Q2"


def test_the_arabic_dashboard_says_everything_in_arabic(hub):
    with request_as_app(hub, "/?lang=ar"):
        page, title = render_page("/", "?lang=ar")
        header = render_header("/", "?lang=ar")
    assert title == "لوحة المؤشرات · منصة التحليلات"
    for component in (ids.FILTER_PERIOD, ids.FILTER_PILLAR, ids.FILTER_INDICATOR, ids.FILTER_REGIONS):
        control = find_component(page, component)
        labels = [o["label"] for o in control.options]
        assert not [label for label in labels if LATIN_WORD.search(label)], (component, labels)
    for indicator in catalog().in_pillar("economic"):
        card = text_of(find_component(page, {"type": ids.KPI_CARD, "index": indicator.id}))
        assert card.startswith(indicator.name_ar) and not LATIN_WORD.search(card), card
    chart_title = text_of(find_component(page, ids.chart_text(ids.TREND)).children[0])
    assert chart_title == "نمو الناتج المحلي الإجمالي: الاتجاه من الربع الأول 2021 إلى الربع الرابع 2025"
    assert text_of(find_component(page, ids.SCOPE_LABEL)) == "المملكة"
    dashboard_link = find_component(header, "nav-dashboard")
    assert dashboard_link.href == "/?lang=ar" and getattr(dashboard_link, "aria-current") == "page"
    assert not hasattr(find_component(header, "nav-executive"), "aria-current")
    switch = find_component(header, ids.LANGUAGE_SWITCH)
    assert text_of(switch) == "English" and switch.href == "/?lang=en" and switch.lang == "en"


def test_a_visitor_without_an_account_keeps_the_language_for_the_session(hub):
    client = hub.server.test_client()
    assert client.get("/executive?lang=ar").status_code == 200
    response = client.get("/executive?period=2025Q3")
    assert response.status_code == 302 and response.headers["Location"] == "/executive?period=2025Q3&lang=ar"
    assert client.get("/?lang=en").status_code == 200
    assert client.get("/").status_code == 200  # English again: no redirect


def test_a_signed_in_user_gets_the_language_they_chose_in_a_later_session(tmp_path):
    settings = secured_settings(tmp_path, {})
    engine = get_engine(settings.database_url)
    account = accounts.create_user(engine, "layla", "mep", "executive", PASSWORD)
    app = create_app(settings)

    def signed_in_client():
        return sign_in(app, "layla")[0]

    first = signed_in_client()
    assert first.get("/?lang=ar").status_code == 200
    assert stored_language(engine, account.user_id) == "ar"
    later = signed_in_client()  # a new session, as on another device
    response = later.get("/executive")
    assert response.status_code == 302 and response.headers["Location"] == "/executive?lang=ar"
    assert sql_scalar(settings.database_url, "SELECT COUNT(*) FROM user_preferences") == 1


def test_the_sign_in_page_speaks_arabic_and_carries_the_choice_on(hub):
    client = hub.server.test_client()
    page = client.get("/login?lang=ar&next=/executive").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "تسجيل الدخول إلى منصة التحليلات" in page
    assert 'action="/login?lang=ar"' in page and "bootstrap.rtl.min.css" in page
    assert 'href="/login?next=%2Fexecutive&amp;lang=en"' in page  # the switch back to English
    assert "<title>Sign in to the Analytics Hub</title>" in client.get("/login?next=/").get_data(as_text=True)


def test_arabic_csv_has_arabic_headers_and_the_same_numbers(hub, sqlite_url):
    client = hub.server.test_client()
    english = client.get("/export/data.csv?regions=SA-02&indicator=gdp_growth&from=2025Q1").get_data(as_text=True)
    response = client.get("/export/data.csv?regions=SA-02&indicator=gdp_growth&from=2025Q1&lang=ar")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")  # with a byte-order mark, for spreadsheet programs
    assert response.data.startswith(b"\xef\xbb\xbf") and not english.startswith("\ufeff")
    assert text.splitlines()[0] == "# منصة تحليلات التنمية الاقتصادية المستدامة: تصدير البيانات"
    rows = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    assert rows[0] == ["رمز المؤشر", "المؤشر", "رمز المنطقة", "المنطقة", "الربع", "القيمة", "الوحدة", "الجودة",
                       "نظام المصدر"]
    makkah = {r[4]: float(r[5]) for r in rows[1:] if r[2] == "SA-02"}
    assert rows[1][3] in ("مكة المكرمة", "المملكة") and len(makkah) == 4
    stored = sql_scalar(sqlite_url, "SELECT value FROM sustainability_indicators WHERE tenant_id = 'mep' AND "
                        "indicator_id = 'gdp_growth' AND region_code = 'SA-02' AND year = 2025 AND quarter = 2")
    assert makkah["2025Q2"] == pytest.approx(stored)
    english_rows = [line for line in english.splitlines() if not line.startswith("#")]
    assert len(english_rows) == len(rows)


def test_arabic_workbook_runs_right_to_left_with_arabic_names(hub):
    response = hub.server.test_client().get("/export/data.xlsx?regions=SA-01&lang=ar")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["البيانات", "المؤشرات", "البيانات الوصفية"]
    assert all(sheet.sheet_view.rightToLeft for sheet in book.worksheets)
    data = list(book["البيانات"].iter_rows(values_only=True))
    assert data[0][:3] == ("رمز المؤشر", "رمز المنطقة", "المنطقة") and data[1][2] in ("الرياض", "المملكة")
    metadata = dict(book["البيانات الوصفية"].iter_rows(values_only=True))
    assert metadata["اللغة"] == "العربية"


def test_arabic_pdf_brief_is_set_in_arabic(hub):
    response = hub.server.test_client().get("/export/brief.pdf?regions=SA-04&lang=ar")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    fonts = {str(font) for page in reader.pages for font in
             (page["/Resources"].get("/Font") or {}).values()}
    assert all(any(f"NotoNaskhArabic-{weight}" in font for font in fonts) for weight in ("Regular", "Bold")), fonts
    text = "\n".join(page.extract_text() for page in reader.pages)
    breakdown = queries.index_breakdown(Tenant("mep"), Period(2025, 4), ("SA-04",))
    assert f"{breakdown.value:.1f}" in text
    assert re.search(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]", text)  # Arabic letters (shaped forms)


@needs_png
def test_arabic_png_names_itself_in_arabic(hub):
    response = hub.server.test_client().get("/export/trend.png?regions=SA-01&indicator=renewable_share&lang=ar"
                                            "&width=800&height=450&scale=1")
    assert response.status_code == 200
    texts = png_text(response.data)
    assert texts["Title"] == "حصة الطاقة المتجددة: الاتجاه من الربع الأول 2021 إلى الربع الرابع 2025"
    assert texts["Description"].startswith("الرياض · من الربع الأول 2021 إلى الربع الرابع 2025")
