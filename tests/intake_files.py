"""Files for the intake tests: good ones in every form and encoding, and a corpus of bad
ones, each with the reason it must be refused for."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime

from openpyxl import Workbook
from sqlalchemy import text

from data.engine import get_engine

LONG_HEADER = "indicator_id,region,year,quarter,value,quality_flag,note"


def csv_bytes(lines: list[str], bom: bool = True, crlf: bool = True) -> bytes:
    body = ("\r\n" if crlf else "\n").join(lines) + ("\r\n" if crlf else "\n")
    return (b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table(lines: list[str]) -> list[list]:
    """CSV lines as XLSX rows, numbers as numbers."""
    def cell(text):
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text or None
    return [[cell(c) for c in line.split(",")] for line in lines]


# Two quarters of 2026 for Riyadh, Makkah and Jazan, named as people write them.
LONG_LINES = [LONG_HEADER,
              "gdp_total,الرياض,2026,1,251000.5,reported,أول ربع",
              "gdp_total,Mecca,2026,1,160000,estimated,",
              "unemployment_rate,SA-09,2026,1,7.25,,",
              "renewable_share,منطقة جازان,2026,2,12.5,imputed,"]
EXPECTED_LONG = {("gdp_total", "SA-01", 2026, 1): 251000.5, ("gdp_total", "SA-02", 2026, 1): 160000.0,
                 ("unemployment_rate", "SA-09", 2026, 1): 7.25, ("renewable_share", "SA-09", 2026, 2): 12.5}
WIDE_LINES = ["region,year,quarter,gdp_total,unemployment_rate",
              "الرياض,2026,1,251000.5,6.5",
              "Eastern,2026,1,300000,"]
EXPECTED_WIDE = {("gdp_total", "SA-01", 2026, 1): 251000.5, ("unemployment_rate", "SA-01", 2026, 1): 6.5,
                 ("gdp_total", "SA-04", 2026, 1): 300000.0}


NOW = datetime.now(UTC)


def with_formula() -> bytes:
    rows = table(LONG_LINES[:3])
    rows[2][4] = "=B1*2"
    return xlsx_bytes(rows)


def damaged_workbook() -> bytes:
    """A real workbook whose sheet XML is cut short."""
    source, buffer = zipfile.ZipFile(io.BytesIO(xlsx_bytes(table(LONG_LINES)))), io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            target.writestr(entry, data[: len(data) // 2] if entry.filename.startswith("xl/worksheets/") else data)
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def row_file(*lines: str) -> bytes:
    return csv_bytes(["indicator_id,region,year,quarter,value", *lines])


# name: (file name, content, the reason's code, the column it names or None)
BAD_FILES = {
    "empty": ("q.csv", b"", "file_empty", None),
    "only a BOM": ("q.csv", b"\xef\xbb\xbf\r\n", "file_empty", None),
    "header only": ("q.csv", csv_bytes([LONG_HEADER]), "file_header_only", None),
    "header only xlsx": ("q.xlsx", xlsx_bytes([LONG_HEADER.split(",")]), "file_header_only", None),
    "HTML named .csv": ("q.csv", b"<!DOCTYPE html><html><body>login</body></html>", "file_html", None),
    "binary named .csv": ("q.csv", b"\x00\x01\x02garbage\xff", "file_binary", None),
    "garbage named .xlsx": ("q.xlsx", b"indicator_id,region\nnot a workbook", "file_not_xlsx", None),
    "HTML named .xlsx": ("q.xlsx", b"<html></html>", "file_not_xlsx", None),
    "damaged workbook": ("q.xlsx", damaged_workbook(), "file_not_xlsx", None),
    "a zip that is no workbook": ("q.xlsx", zip_of({"hello.txt": b"hello"}), "file_not_xlsx", None),
    "a zip bomb": ("q.xlsx", zip_of({"xl/worksheets/sheet1.xml": b"<" * 3_000_000}), "file_unpacked_too_large", None),
    "encrypted workbook": ("q.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "file_encrypted", None),
    "macro workbook": ("q.xlsm", xlsx_bytes(table(LONG_LINES)), "file_macro_or_old", None),
    "old xls": ("q.xls", b"\xd0\xcf\x11\xe0", "file_macro_or_old", None),
    "a PDF": ("q.pdf", b"%PDF-1.7", "file_type", None),
    "formula cell": ("q.xlsx", with_formula(), "file_formulas", None),
    "Latin-1 text": ("q.csv", "indicator_id,region,year,quarter,value\ngdp_total,Riyadh,2025,1,1\xe9\n"
                     .encode("latin-1"), "file_not_utf8", None),
    "another organisation": ("q.csv", csv_bytes(["tenant_id," + LONG_HEADER, "rda," + LONG_LINES[1]]),
                             "file_other_tenant", None),
    "missing columns": ("q.csv", csv_bytes(["indicator_id,region,value", "gdp_total,SA-01,1"]),
                        "file_missing_columns", None),
    "duplicate column": ("q.csv", csv_bytes(["region,year,quarter,gdp_total,gdp_total", "SA-01,2025,1,1,2"]),
                         "file_duplicate_column", None),
    "unknown region": ("q.csv", row_file("gdp_total,Atlantis,2025,1,100"), "unknown_region", "region"),
    "national row": ("q.csv", row_file("gdp_total,SA,2025,1,100"), "national_region", "region"),
    "unknown indicator": ("q.csv", row_file("gdp_totl,SA-01,2025,1,100"), "unknown_indicator", "indicator_id"),
    "derived indicator": ("q.csv", row_file("co2_per_capita,SA-01,2025,1,10"), "derived_indicator",
                          "indicator_id"),
    "the index": ("q.csv", row_file("sustainability_index,SA-01,2025,1,50"), "derived_indicator", "indicator_id"),
    "quarter 5": ("q.csv", row_file("gdp_total,SA-01,2025,5,100"), "quarter_range", "quarter"),
    "quarter not ended": ("q.csv", row_file(f"gdp_total,SA-01,{NOW.year},{(NOW.month - 1) // 3 + 1},100"),
                          "quarter_not_ended", "quarter"),
    "year out of range": ("q.csv", row_file("gdp_total,SA-01,1890,1,100"), "year_range", "year"),
    "text value": ("q.csv", row_file("gdp_total,SA-01,2025,1,lots"), "not_a_number", "value"),
    "implausible value": ("q.csv", row_file("gdp_growth,SA-01,2025,1,95"), "implausible", "value"),
    "negative rate": ("q.csv", row_file("unemployment_rate,SA-01,2025,1,-0.5"), "negative_rate", "value"),
    "share over 100": ("q.csv", row_file("renewable_share,SA-01,2025,1,100.5"), "share_over_100", "value"),
    "duplicate key": ("q.csv", row_file("gdp_total,SA-01,2025,1,100", "gdp_total,Riyadh,2025,1,101"),
                      "duplicate_key", "indicator_id"),
    "bad quality flag": ("q.csv", csv_bytes([LONG_HEADER, "gdp_total,SA-01,2025,1,100,guessed,"]), "quality_flag",
                         "quality_flag"),
}


def checksum(url: str, tenant_id: str = "mep") -> str:
    """A digest of everything an upload or a rollback may change, for one tenant."""
    queries = [
        "SELECT indicator_id, region_code, year, quarter, value, quality_flag, note, source_system, batch_id, "
        "loaded_at FROM sustainability_indicators WHERE tenant_id = :t ORDER BY 1, 2, 3, 4",
        "SELECT batch_id, row_count, rolled_back FROM load_batches WHERE tenant_id = :t ORDER BY 1",
        "SELECT version FROM data_versions WHERE tenant_id = :t",
        "SELECT count(*) FROM batch_previous_values WHERE tenant_id = :t",
    ]
    digest = hashlib.sha256()
    with get_engine(url).connect() as conn:
        for query in queries:
            digest.update(repr(conn.execute(text(query), {"t": tenant_id}).all()).encode())
    return digest.hexdigest()


def stored_values(url: str, tenant_id: str, keys) -> dict:
    found = {}
    with get_engine(url).connect() as conn:
        for key in keys:
            found[key] = conn.execute(text(
                "SELECT value FROM sustainability_indicators WHERE tenant_id = :t AND indicator_id = :i "
                "AND region_code = :r AND year = :y AND quarter = :q"),
                {"t": tenant_id, "i": key[0], "r": key[1], "y": key[2], "q": key[3]}).scalar()
    return found
