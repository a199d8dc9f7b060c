"""Downloads through the real endpoints: CSV, PNG, PDF and Excel of a view, their
parameters, their limits, and their numbers against the database."""

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from app import create_app
from data import queries
from data.periods import Period
from data.tenancy import Tenant
from exports.csv_export import neutralise
from exports.png import availability
from tests.conftest import make_settings, sql_scalar

needs_png = pytest.mark.skipif(not availability()[0], reason=f"PNG export unavailable: {availability()[1]}")


@pytest.fixture(scope="module")
def client(tmp_path_factory, sqlite_url):
    tmp = tmp_path_factory.mktemp("exports")
    app = create_app(make_settings(tmp, DATABASE_URL=sqlite_url, EXPORT_RATE_LIMIT="1000"))
    return app.server.test_client()


def stored(url, indicator, region, year, quarter):
    return sql_scalar(url, "SELECT value FROM sustainability_indicators WHERE tenant_id = 'mep' AND indicator_id = :i "
                      "AND region_code = :r AND year = :y AND quarter = :q", i=indicator, r=region, y=year, q=quarter)


def png_text(png: bytes) -> dict[str, str]:
    """The text chunks of a PNG (tEXt, and iTXt for text beyond Latin-1)."""
    texts, position = {}, 8
    while position < len(png):
        length = int.from_bytes(png[position:position + 4], "big")
        kind = png[position + 4:position + 8]
        data = png[position + 8:position + 8 + length]
        if kind == b"tEXt":
            key, _, value = data.partition(b"\0")
            texts[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = data.partition(b"\0")
            _language, _translated, value = rest[2:].split(b"\0", 2)  # after the compression flag and method
            texts[key.decode("latin-1")] = value.decode("utf-8")
        position += 12 + length
    return texts


def test_csv_has_the_header_block_and_the_views_rows(client, sqlite_url):
    response = client.get("/export/data.csv?regions=SA-04&from=2025Q1&indicator=renewable_share")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="renewable_share-SA-04-2025Q1-2025Q4.csv"'
    text = response.get_data(as_text=True)
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert "# Tenant: mep (Ministry of Economy and Planning)" in header
    assert any(line.startswith("# Filters: period=2025Q4; from=2025Q1; to=2025Q4; regions=SA-04") for line in header)
    assert "# Unit: renewable_share in % of energy" in header
    assert any("synthetic" in line for line in header) and any(line.startswith("# Generated: ") for line in header)
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    eastern = {r["period"]: float(r["value"]) for r in rows if r["region_code"] == "SA-04"}
    assert eastern["2025Q3"] == pytest.approx(stored(sqlite_url, "renewable_share", "SA-04", 2025, 3))
    assert {r["quality_flag"] for r in rows if r["region_code"] == "SA"} == {"computed"}


@pytest.mark.parametrize(("cell", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("Riyadh", "Riyadh"), (-2.5, -2.5),
])
def test_formula_cells_are_neutralised(cell, expected):
    assert neutralise(cell) == expected


@pytest.mark.parametrize(("url", "reason"), [
    ("/export/pie.png", "unknown figure 'pie'"),
    ("/export/trend.png?width=100000", "width must be a number from 200 to 4000"),
    ("/export/trend.png?scale=abc", "scale must be a number from 0.5 to 4"),
    ("/export/trend.png?period=2025Q9", "is not a quarter like 2025Q4"),
    ("/export/map.png?colour=purple", "colour must be status or value"),
    ("/export/data.csv?regions=Atlantis", "Unknown region “Atlantis” was left out."),
    ("/export/data.xlsx?indicator=nope", "Unknown indicator “nope”"),
    ("/export/brief.pdf?from=2025Q4&to=2020Q1", "runs backwards"),
])
def test_bad_parameters_get_a_400_with_the_reason(client, url, reason):
    response = client.get(url)
    assert response.status_code == 400
    assert any(reason in r for r in response.get_json()["reasons"])


@needs_png
def test_png_has_the_size_asked_and_is_not_blank(client):
    response = client.get("/export/trend.png?regions=SA-01&indicator=renewable_share&width=800&height=450&scale=1")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data)).convert("L")
    assert image.size == (800, 450)
    low, high = image.getextrema()
    assert high - low > 100  # ink on paper, not a blank page
    assert sum(image.histogram()[:200]) > 2000  # pixels darker than the background
    texts = png_text(response.data)
    assert texts["Title"] == "Renewable energy share: trend 2021Q1 to 2025Q4"
    assert texts["Description"] == "Riyadh · 2021Q1 to 2025Q4 · unit: % of energy"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="trend-renewable_share-SA-01-2021Q1-2025Q4.png"')


@needs_png
def test_default_png_is_1600_by_900_at_scale_2(client):
    response = client.get("/export/regions.png?indicator=unemployment_rate")
    assert Image.open(io.BytesIO(response.data)).size == (3200, 1800)


@needs_png
def test_concurrent_pngs_each_get_their_own_figure(client):
    requests = [(name, indicator) for name in ("trend", "regions", "map", "index-breakdown")
                for indicator in ("gdp_growth", "renewable_share")]

    def fetch(job):
        name, indicator = job
        response = client.get(f"/export/{name}.png?indicator={indicator}&width=640&height=360&scale=1")
        return job, response.status_code, png_text(response.data), response.headers["Content-Disposition"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, requests))
    for (name, indicator), status, texts, disposition in results:
        assert status == 200
        subject = "sustainability_index" if name == "index-breakdown" else indicator
        assert f'filename="{name}-{subject}-national' in disposition
        if name == "trend":
            expected = {"gdp_growth": "GDP growth", "renewable_share": "Renewable energy share"}[indicator]
            assert texts["Title"].startswith(expected + ": trend")
        elif name == "regions":
            expected = {"gdp_growth": "GDP growth", "renewable_share": "Renewable energy share"}[indicator]
            assert texts["Title"].startswith(expected + " by region")
        elif name == "map":
            assert texts["Title"] == "Regions, 2025Q4"
        else:
            assert texts["Title"].startswith("Sustainability index")


def test_pdf_opens_and_states_the_headline_numbers(client):
    response = client.get("/export/brief.pdf?regions=SA-04")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert 1 <= len(reader.pages) <= 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    breakdown = queries.index_breakdown(Tenant("mep"), Period(2025, 4), ("SA-04",))
    assert "Sustainability brief: Eastern Province, 2025Q4" in text
    assert f"{breakdown.value:.1f}" in text
    snapshot = queries.indicator_snapshot(Tenant("mep"), Period(2025, 4), ("SA-04",)).set_index("indicator_id")
    assert f"{snapshot.loc['unemployment_rate', 'value']:,.1f}" in text
    assert "synthetic demonstration data" in text


def test_workbook_values_equal_the_database(client, sqlite_url):
    response = client.get("/export/data.xlsx?regions=SA-02&indicator=gdp_growth&from=2024Q1")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Data", "Indicators", "Metadata"]
    data = list(book["Data"].iter_rows(values_only=True))
    header, rows = data[0], data[1:]
    column = {name: position for position, name in enumerate(header)}
    makkah = {r[column["period"]]: r[column["value"]] for r in rows if r[column["region_code"]] == "SA-02"}
    assert len(makkah) == 8
    assert makkah["2024Q3"] == pytest.approx(stored(sqlite_url, "gdp_growth", "SA-02", 2024, 3))
    metadata = dict(book["Metadata"].iter_rows(values_only=True))
    assert metadata["tenant"] == "mep (Ministry of Economy and Planning)"
    assert metadata["regions"] == "SA-02" and metadata["period"] == "2025Q4"
    indicators = {r[0]: r for r in book["Indicators"].iter_rows(values_only=True)}
    total = sql_scalar(sqlite_url, "SELECT value FROM sustainability_indicators WHERE tenant_id = 'mep' AND "
                       "indicator_id = 'gdp_total' AND region_code = 'SA-02' AND year = 2025 AND quarter = 4")
    assert indicators["gdp_total"][3] == pytest.approx(total)


def test_exports_are_limited_per_client(tmp_path, sqlite_url):
    client = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, EXPORT_RATE_LIMIT="3")).server.test_client()
    statuses = [client.get("/export/data.csv").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/export/data.csv")
    assert "at most 3 a minute" in limited.get_json()["reason"]
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/healthz").status_code == 200  # only exports are limited


def test_png_unavailable_without_chromium_is_a_clear_503(client, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    response = client.get("/export/trend.png")
    assert response.status_code == 503
    assert "Chromium was not found" in response.get_json()["reason"]
