"""The Excel workbook of a view (openpyxl): the data on screen, the indicators of the
selection, and a metadata sheet stating filters, units, sources and generation time, in the
page's language (Arabic sheets run right to left); codes and numbers stay as they are."""

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
from layouts.text import direction, t
from services.view import View

DATA_COLUMNS = ["indicator_id", "region_code", "region", "period", "value", "unit", "quality_flag", "source_system"]
SNAPSHOT_COLUMNS = ["indicator_id", "indicator", "pillar", "value", "unit", "status", "previous", "year_ago",
                    "change_previous", "change_year_ago", "target", "target_year", "target_status"]


def view_workbook(rows: pd.DataFrame, snapshot: pd.DataFrame, view: View, tenant_id: str, tenant_name: str,
                  scope: str, versions: dict[str, str], lang: str = "en") -> bytes:
    """`versions`: the tenant's weights and targets versions in words ({"weights": ..., "targets": ...})."""
    book = Workbook()
    data = book.active
    data.title = t("sheet_data", lang)
    indicator = catalog()[view.indicator]
    _write(data, _headers(DATA_COLUMNS, lang), [
        [r.indicator_id, r.region_code, region_name(r.region_code, lang), str(Period(int(r.year), int(r.quarter))),
         float(r.value), indicator.unit(lang), r.quality_flag, r.source_system]
        for r in rows.itertuples(index=False)
    ], lang)
    _write(book.create_sheet(t("sheet_indicators", lang)), _headers(SNAPSHOT_COLUMNS, lang), [
        [r.indicator_id, catalog()[r.indicator_id].name(lang), r.pillar, _number(r.value),
         catalog()[r.indicator_id].unit(lang), r.status, _number(r.previous), _number(r.year_ago),
         _number(r.change_previous), _number(r.change_year_ago), _number(r.target), _number(r.target_year),
         r.target_status]
        for r in snapshot.itertuples(index=False)
    ], lang)
    sources = sorted(set(rows["source_system"])) if len(rows) else []
    _write(book.create_sheet(t("sheet_metadata", lang)), [t("field_name", lang), t("field_value", lang)], [
        [t("meta_tenant", lang), f"{tenant_id} ({tenant_name})"],
        [t("meta_period", lang), str(view.period)],
        [t("meta_from", lang), str(view.start)],
        [t("meta_to", lang), str(view.end)],
        [t("meta_regions", lang), ", ".join(view.regions) or t("csv_national", lang)],
        [t("meta_scope", lang), scope],
        [t("meta_pillar", lang), view.pillar],
        [t("meta_indicator", lang), view.indicator],
        [t("meta_unit", lang), f"{indicator.id}: {indicator.unit(lang)}"],
        [t("meta_sources", lang), ", ".join(sources)],
        [t("meta_weights_version", lang), versions["weights"]],
        [t("meta_targets_version", lang), versions["targets"]],
        [t("meta_note", lang), t("synthetic_notice", lang)],
        [t("meta_generated", lang), datetime.now(UTC).replace(microsecond=0).isoformat()],
        [t("meta_language", lang), t("language_name", lang)],
    ], lang)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _headers(columns: list[str], lang: str) -> list[str]:
    return [t(f"field_{column}", lang) for column in columns]


def _write(sheet, header: list[str], rows: list[list], lang: str) -> None:
    sheet.sheet_view.rightToLeft = direction(lang) == "rtl"
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
