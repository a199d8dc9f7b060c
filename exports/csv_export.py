"""CSV of exactly what the dashboard shows: the view's rows with a header block stating the
filters, units, source, tenant and generation time. Text cells that a spreadsheet would run
as a formula are neutralised."""

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
from services.view import View

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ["indicator_id", "indicator", "region_code", "region", "period", "value", "unit",
           "quality_flag", "source_system"]


def neutralise(cell):
    """Prefix text that starts like a formula with an apostrophe; numbers stay numbers."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def view_csv(rows: pd.DataFrame, view: View, tenant_id: str, tenant_name: str,
             input_sources: tuple[str, ...] = ()) -> str:
    """`input_sources`: where the tenant's stored observations come from, the inputs of every
    computed row (national figures, derived indicators)."""
    indicator = catalog()[view.indicator]
    regions = ", ".join(view.regions) if view.regions else "national (all regions)"
    sources = sorted(set(rows["source_system"])) if len(rows) else []
    if COMPUTED_SOURCE in sources and input_sources:
        sources[sources.index(COMPUTED_SOURCE)] = f"{COMPUTED_SOURCE} from {', '.join(input_sources)}"
        provenance = set(input_sources) | set(sources)
    else:
        provenance = set(sources)
    synthetic = " (synthetic demonstration data)" if any(SOURCE_SYSTEM in source for source in provenance) else ""
    header = [
        "Sustainable Economic Development Analytics Hub: data export",
        f"Tenant: {tenant_id} ({tenant_name})",
        f"Filters: period={view.period}; from={view.start}; to={view.end}; regions={regions}; "
        f"pillar={view.pillar}; indicator={view.indicator}",
        f"Unit: {indicator.id} in {indicator.unit_en}",
        f"Source: {', '.join(sources) or 'none'}{synthetic}",
        f"Generated: {datetime.now(UTC).replace(microsecond=0).isoformat()}",
        f"Rows: {len(rows)}",
    ]
    buffer = io.StringIO()
    for line in header:  # comment lines, one each: no line breaks can slip in
        buffer.write("# " + " ".join(line.split()) + "\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in rows.itertuples(index=False):
        writer.writerow([neutralise(cell) for cell in (
            record.indicator_id, indicator.name_en, record.region_code, region_name(record.region_code),
            str(Period(int(record.year), int(record.quarter))), float(record.value), indicator.unit_en,
            record.quality_flag, record.source_system,
        )])
    return buffer.getvalue()


def file_name(view: View) -> str:
    regions = "-".join(view.regions) if view.regions else "national"
    return f"{view.indicator}-{regions}-{view.start}-{view.end}.csv"
