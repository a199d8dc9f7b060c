"""One code path for every upload, from the /data page and the API alike: read, check,
compare with what is stored, then (unless only checking) import in one transaction; audited,
traced and counted. Also the report as rows, as CSV and as JSON, and the rollback."""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from dataclasses import dataclass

from data.intake import store
from data.intake.checks import Checked, Problem, check_table
from data.intake.reading import FileRefused, read_table
from data.runtime import runtime
from layouts.text import t
from ops import metrics
from ops.telemetry import track
from security import audit

SOURCE_LENGTH = 64
DESCRIPTION_LENGTH = 500
REPORT_COLUMNS = ("severity", "row", "column", "value", "reason")


@dataclass
class Outcome:
    """What became of a file: `status` is rejected, checked (nothing written), imported or
    unchanged (everything already stored)."""
    status: str
    file_name: str
    sha256: str
    problems: list[Problem]
    checked: Checked | None = None
    comparison: store.Comparison | None = None
    batch_id: str | None = None
    written: dict[str, int] | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def counts(self) -> dict[str, int]:
        if self.written is not None:
            return self.written
        return self.comparison.counts if self.comparison else {"new": 0, "changed": 0, "unchanged": 0}


@dataclass(frozen=True)
class Sender:
    tenant_id: str
    username: str | None
    address: str | None
    via: str  # "page" or "api"


def examine(tenant_id: str, file_name: str, content: bytes) -> Outcome:
    """Read, check and compare the file with what is stored; nothing is written."""
    sha256 = hashlib.sha256(content).hexdigest()
    try:
        table = read_table(file_name, content)
        checked = check_table(table, tenant_id, store.history(runtime.engine, tenant_id))
    except FileRefused as refused:
        return Outcome("rejected", file_name, sha256, [Problem(None, None, "", refused.code, params=refused.params)])
    if checked.errors:
        return Outcome("rejected", file_name, sha256, checked.problems, checked)
    comparison = store.preview(runtime.engine, tenant_id, checked.rows)
    return Outcome("checked", file_name, sha256, checked.problems, checked, comparison)


def receive(sender: Sender, file_name: str, content: bytes, source_system: str, description: str,
            dry_run: bool = False) -> Outcome:
    """Check the file and, unless `dry_run` or it has errors, import it."""
    outcome = examine(sender.tenant_id, file_name, content)
    if dry_run:
        return outcome
    if outcome.status == "checked":
        upload = store.Upload(sender.tenant_id, sender.username, file_name, outcome.sha256,
                              source_system, description)
        imported = store.import_rows(runtime.engine, upload, outcome.checked.rows)
        outcome.batch_id, outcome.written = imported.batch_id, imported.counts  # as compared inside the import
        outcome.status = "imported" if imported.batch_id else "unchanged"
    _record(sender, outcome, source_system)
    return outcome


def _record(sender: Sender, outcome: Outcome, source_system: str) -> None:
    result = {"imported": "loaded", "unchanged": "unchanged"}.get(outcome.status, "rejected")
    metrics.count_upload(result)
    track("data_upload", batch_id=outcome.batch_id, rows=sum(outcome.counts.values()),
          rejected=len(outcome.errors), outcome=result, via=sender.via)
    audit.record(runtime.engine, "upload", sender.tenant_id, sender.username, sender.address,
                 file=outcome.file_name, sha256=outcome.sha256, batch_id=outcome.batch_id, outcome=result,
                 source_system=source_system, via=sender.via, **outcome.counts, errors=len(outcome.errors))


def rollback(sender: Sender) -> str | None:
    batch_id = store.rollback_latest(runtime.engine, sender.tenant_id)
    if batch_id:
        audit.record(runtime.engine, "upload_rollback", sender.tenant_id, sender.username, sender.address,
                     batch_id=batch_id, via=sender.via)
    return batch_id


# --- the report ---------------------------------------------------------------------------

def reason(problem: Problem, lang: str = "en") -> str:
    return t(f"intake_{problem.code}", lang, **problem.params)


def report_rows(problems: list[Problem], lang: str = "en") -> list[dict]:
    return [{"severity": t(f"intake_severity_{p.severity}", lang), "row": p.row or "", "column": p.column or "",
             "value": p.value, "reason": reason(p, lang)} for p in problems]


def report_csv(problems: list[Problem], lang: str = "en") -> str:
    """The report as CSV with a BOM (Excel opens Arabic correctly), headers in `lang`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([t(f"intake_col_{c}", lang) for c in REPORT_COLUMNS])
    writer.writerows([row[c] for c in REPORT_COLUMNS] for row in report_rows(problems, lang))
    return "\ufeff" + buffer.getvalue()


def as_json(outcome: Outcome) -> dict:
    """The API's answer: the same report, reasons in English and Arabic, and the counts."""
    return {
        "status": outcome.status, "file": outcome.file_name, "sha256": outcome.sha256,
        "batch_id": outcome.batch_id, "form": outcome.checked.form if outcome.checked else None,
        "rows": outcome.counts, "errors": len(outcome.errors),
        "warnings": len(outcome.problems) - len(outcome.errors),
        "problems": [{"severity": p.severity, "row": p.row, "column": p.column, "value": p.value, "code": p.code,
                      "reason": reason(p, "en"), "reason_ar": reason(p, "ar")} for p in outcome.problems],
    }


def clean_field(value, length: int) -> str:
    """A typed field as stored: control characters (which PostgreSQL text refuses, e.g. NUL)
    removed, trimmed, at most `length` characters; anything but text becomes empty."""
    if not isinstance(value, str):
        return ""
    return "".join(c for c in value if unicodedata.category(c) != "Cc").strip()[:length]
