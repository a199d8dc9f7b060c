"""CSV of exactly what the dashboard shows: the view's rows with a header block stating the
filters, units, source, tenant and generation time, in the page's language (codes, quarters
and values stay machine-readable). Text cells that a spreadsheet would run as a formula are
neutralised."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pandas as pd

from data.catalog import catalog
from data.periods import Period
from data.queries import COMPUTED_SOURCE
from data.regions import region_name
from data.seed import SOURCE_SYSTEM
from layouts.text import t
from services.view import View

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ["indicator_id", "indicator", "region_code", "region", "period", "value", "unit",
           "quality_flag", "source_system"]  # each header is the text key field_<column>
EXCEL_BOM = "\ufeff"  # lets spreadsheet programs read the Arabic file as UTF-8


def neutralise(cell):
    """Prefix text that starts like a formula with an apostrophe; numbers stay numbers."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def view_csv(rows: pd.DataFrame, view: View, tenant_id: str, tenant_name: str,
             input_sources: tuple[str, ...] = (), lang: str = "en", versions: dict[str, str] | None = None) -> str:
    """`input_sources`: where the tenant's stored observations come from, the inputs of every
    computed row (national figures, derived indicators); `versions`: the tenant's weights and
    targets versions in words."""
    indicator = catalog()[view.indicator]
    regions = ", ".join(view.regions) if view.regions else t("csv_national", lang)
    sources = sorted(set(rows["source_system"])) if len(rows) else []
    if COMPUTED_SOURCE in sources and input_sources:
        sources[sources.index(COMPUTED_SOURCE)] = t("csv_computed_from", lang, computed=COMPUTED_SOURCE,
                                                      inputs=", ".join(input_sources))
        provenance = set(input_sources) | set(sources)
    else:
        provenance = set(sources)
    synthetic = t("csv_synthetic", lang) if any(SOURCE_SYSTEM in source for source in provenance) else ""
    header = [
        t("csv_title", lang),
        t("csv_tenant", lang, tenant_id=tenant_id, tenant=tenant_name),
        t("csv_filters", lang, period=view.period, start=view.start, end=view.end, regions=regions,
          pillar=view.pillar, indicator=view.indicator),
        t("csv_unit", lang, indicator=indicator.id, unit=indicator.unit(lang)),
        t("csv_source", lang, sources=", ".join(sources) or t("csv_none", lang)) + synthetic,
        t("csv_generated", lang, time=datetime.now(UTC).replace(microsecond=0).isoformat()),
        t("csv_rows", lang, count=len(rows)),
    ]
    if versions:
        header.append(t("versions_note", lang, **versions))
    buffer = io.StringIO()
    if lang != "en":
        buffer.write(EXCEL_BOM)
    for line in header:  # comment lines, one each: no line breaks can slip in
        buffer.write("# " + " ".join(line.split()) + "\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([t(f"field_{column}", lang) for column in COLUMNS])
    for record in rows.itertuples(index=False):
        writer.writerow([neutralise(cell) for cell in (
            record.indicator_id, indicator.name(lang), record.region_code, region_name(record.region_code, lang),
            str(Period(int(record.year), int(record.quarter))), float(record.value), indicator.unit(lang),
            record.quality_flag, record.source_system,
        )])
    return buffer.getvalue()


def plain_csv(rows: pd.DataFrame, columns: list[str]) -> str:
    """Rows under machine-readable column names, no header block (forecasts, values that
    stand out): empty cells for what is not claimed (e.g. no interval of a computed forecast)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in rows[columns].itertuples(index=False):
        writer.writerow(["" if pd.isna(cell) else neutralise(cell) for cell in record])
    return buffer.getvalue()


def file_name(view: View) -> str:
    regions = "-".join(view.regions) if view.regions else "national"
    return f"{view.indicator}-{regions}-{view.start}-{view.end}.csv"


AUDIT_COLUMNS = ("col_time", "col_user", "col_action", "col_detail", "col_address")


def audit_csv(entries: pd.DataFrame, lang: str = "en") -> str:
    """The audit entries as the page shows them (time in UTC, ISO 8601), one row each."""
    from layouts.audit_page import action_name, detail_text

    buffer = io.StringIO()
    if lang != "en":
        buffer.write(EXCEL_BOM)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([t(key, lang) for key in AUDIT_COLUMNS])
    for r in entries.itertuples(index=False):
        writer.writerow([neutralise(cell) for cell in (
            pd.Timestamp(r.occurred_at).isoformat(), r.username or "", action_name(r.action, lang),
            detail_text(r.detail, lang), r.client_address or "")])
    return buffer.getvalue()
