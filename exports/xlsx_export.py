"""The Excel workbook of a view (openpyxl): the data on screen, the indicators of the
selection, and a metadata sheet stating filters, units, sources and generation time."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from data.catalog import catalog
from data.periods import Period
from data.regions import region_name
from exports.csv_export import neutralise
from layouts.text import t
from services.view import View

DATA_COLUMNS = ["indicator_id", "region_code", "region", "period", "value", "unit", "quality_flag", "source_system"]
SNAPSHOT_COLUMNS = ["indicator_id", "indicator", "pillar", "value", "unit", "status", "previous", "year_ago",
                    "change_previous", "change_year_ago", "target", "target_year", "target_status"]


def view_workbook(rows: pd.DataFrame, snapshot: pd.DataFrame, view: View, tenant_id: str, tenant_name: str,
                  scope: str) -> bytes:
    book = Workbook()
    data = book.active
    data.title = "Data"
    indicator = catalog()[view.indicator]
    _write(data, DATA_COLUMNS, [
        [r.indicator_id, r.region_code, region_name(r.region_code), str(Period(int(r.year), int(r.quarter))),
         float(r.value), indicator.unit_en, r.quality_flag, r.source_system]
        for r in rows.itertuples(index=False)
    ])
    _write(book.create_sheet("Indicators"), SNAPSHOT_COLUMNS, [
        [r.indicator_id, catalog()[r.indicator_id].name_en, r.pillar, _number(r.value),
         catalog()[r.indicator_id].unit_en, r.status, _number(r.previous), _number(r.year_ago),
         _number(r.change_previous), _number(r.change_year_ago), _number(r.target), _number(r.target_year),
         r.target_status]
        for r in snapshot.itertuples(index=False)
    ])
    sources = sorted(set(rows["source_system"])) if len(rows) else []
    _write(book.create_sheet("Metadata"), ["field", "value"], [
        ["tenant", f"{tenant_id} ({tenant_name})"],
        ["period", str(view.period)],
        ["trend from", str(view.start)],
        ["trend to", str(view.end)],
        ["regions", ", ".join(view.regions) or "national (all regions)"],
        ["indicators sheet describes", scope],
        ["pillar", view.pillar],
        ["indicator", view.indicator],
        ["unit", f"{indicator.id}: {indicator.unit_en}"],
        ["sources", ", ".join(sources)],
        ["note", t("synthetic_notice")],
        ["generated", datetime.now(UTC).replace(microsecond=0).isoformat()],
    ])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write(sheet, header: list[str], rows: list[list]) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 48)


def _number(value):
    return None if value is None or pd.isna(value) else float(value)


def file_name(view: View) -> str:
    regions = "-".join(view.regions) if view.regions else "national"
    return f"{view.indicator}-{regions}-{view.period}.xlsx"
