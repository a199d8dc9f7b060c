"""The upload templates: long form (one value a row) or wide form (one column per
indicator), as CSV or XLSX. The XLSX has a second sheet listing every indicator a file may
carry and every region with its names and aliases."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from data.catalog import catalog
from data.intake.checks import LONG, OPTIONAL, WIDE_KEYS
from data.regions import REGIONS
from layouts.text import t


def columns(form: str) -> list[str]:
    if form == "wide":
        return [*WIDE_KEYS, *catalog().base_ids]
    return [*LONG, *OPTIONAL]


def template_csv(form: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(columns(form))
    return buffer.getvalue()


def template_xlsx(form: str, lang: str = "en") -> bytes:
    book = Workbook()
    data = book.active
    data.title = t("template_sheet_data", lang)
    data.append(columns(form))
    reference = book.create_sheet(t("template_sheet_reference", lang))
    reference.append(["indicator_id", "name_en", "name_ar", "unit_en", "unit_ar", "range_low", "range_high"])
    for indicator in catalog().indicators:
        if not indicator.is_derived:
            reference.append([indicator.id, indicator.name_en, indicator.name_ar, indicator.unit_en,
                              indicator.unit_ar, *indicator.range])
    reference.append([])
    reference.append(["region_code", "name_en", "name_ar", "aliases"])
    for region in REGIONS:
        reference.append([region.code, region.name_en, region.name_ar, " | ".join(region.aliases)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
