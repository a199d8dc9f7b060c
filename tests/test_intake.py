"""Data intake through its one code path (services/intake.py) on SQLite and PostgreSQL:
every bad file refused with its reason and nothing stored changed; good files in each form,
CSV and XLSX, with a BOM, CRLF and Arabic names, import what they hold; a re-import changes
nothing; rollback restores exactly; two imports at once lose nothing; readers never see half
an import."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from data import database
from data.engine import get_engine
from data.intake import reading, store
from data.runtime import runtime
from security import audit
from services import intake
from tests.conftest import make_settings, scratch_postgres_url
from tests.intake_files import (
    BAD_FILES,
    EXPECTED_LONG,
    EXPECTED_WIDE,
    LONG_LINES,
    WIDE_LINES,
    checksum,
    csv_bytes,
    stored_values,
    table,
    xlsx_bytes,
)

STEWARD = intake.Sender("mep", "stew1", "127.0.0.1", "page")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def intake_url(request, tmp_path_factory):
    """A seeded database of the module's own: these tests write."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('intake') / 'hub.db'}"
    else:
        url = scratch_postgres_url("intake")
    database.seed(get_engine(url))
    return url


@pytest.fixture
def hub(intake_url, tmp_path):
    runtime.init(make_settings(tmp_path, DATABASE_URL=intake_url))
    return intake_url


def send(name: str, content: bytes, dry_run: bool = False, sender=STEWARD) -> intake.Outcome:
    return intake.receive(sender, name, content, "gastat", "a test load", dry_run=dry_run)


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_with_its_reason_and_changes_nothing(hub, case, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 2_000_000)  # the zip bomb stays small
    name, content, code, column = BAD_FILES[case]
    before = checksum(hub)
    outcome = send(name, content)
    assert outcome.status == "rejected"
    problem = next(p for p in outcome.errors if p.code == code)
    assert problem.column == column
    if column is not None:
        assert problem.row == 2 and problem.value != ""  # the file's row and what it held
    assert intake.reason(problem, "en") and intake.reason(problem, "ar") != intake.reason(problem, "en")
    assert checksum(hub) == before


def test_a_formula_is_named_by_its_cell_and_never_evaluated(hub):
    outcome = send(*BAD_FILES["formula cell"][:2])
    assert outcome.errors[0].params == {"cells": "E3", "count": 1}
    assert "E3" in intake.reason(outcome.errors[0], "en") and "E3" in intake.reason(outcome.errors[0], "ar")


GOOD_FILES = {
    "long CSV, BOM, CRLF, Arabic": ("q.csv", csv_bytes(LONG_LINES), EXPECTED_LONG),
    "long CSV, plain LF": ("q.csv", csv_bytes(LONG_LINES, bom=False, crlf=False), EXPECTED_LONG),
    "wide CSV, BOM, CRLF, Arabic": ("q.csv", csv_bytes(WIDE_LINES), EXPECTED_WIDE),
    "long XLSX": ("q.xlsx", xlsx_bytes(table(LONG_LINES)), EXPECTED_LONG),
    "wide XLSX": ("q.xlsx", xlsx_bytes(table(WIDE_LINES)), EXPECTED_WIDE),
}


@pytest.mark.parametrize("case", GOOD_FILES, ids=list(GOOD_FILES))
def test_a_good_file_imports_its_rows_and_rolls_back_exactly(hub, case):
    name, content, expected = GOOD_FILES[case]
    before = checksum(hub)
    assert send(name, content, dry_run=True).status == "checked" and checksum(hub) == before
    outcome = send(name, content)
    assert outcome.status == "imported", outcome.problems
    assert outcome.counts == {"new": len(expected), "changed": 0, "unchanged": 0}
    assert stored_values(hub, "mep", expected) == expected
    assert intake.rollback(STEWARD) == outcome.batch_id
    assert checksum(hub) != before  # the batch is kept, marked rolled back ...
    assert stored_values(hub, "mep", expected) == dict.fromkeys(expected)  # ... and its rows are gone


def test_reimporting_changes_nothing_and_says_so(hub):
    content = csv_bytes(LONG_LINES)
    first = send("q.csv", content)
    after_first = checksum(hub)
    again = send("q.csv", content)
    assert (again.status, again.batch_id, again.counts) == ("unchanged", None, {"new": 0, "changed": 0, "unchanged": 4})
    assert checksum(hub) == after_first
    assert intake.rollback(STEWARD) == first.batch_id


def test_rollback_restores_changed_values_exactly(hub):
    keys = [("gdp_total", "SA-01", 2025, 4), ("unemployment_rate", "SA-02", 2025, 3)]
    original = stored_values(hub, "mep", keys)
    rows = {table_row(k, v): None for k, v in zip(keys, (1.5, 2.25), strict=True)}
    before = rows_snapshot(hub)
    outcome = send("q.csv", csv_bytes(["indicator_id,region,year,quarter,value,quality_flag", *rows]))
    assert outcome.counts == {"new": 0, "changed": 2, "unchanged": 0}
    assert stored_values(hub, "mep", keys) == dict(zip(keys, (1.5, 2.25), strict=True))
    intake.rollback(STEWARD)
    assert stored_values(hub, "mep", keys) == original
    assert rows_snapshot(hub) == before  # value, flag, note, source, batch and load time, all as they were


def table_row(key, value) -> str:
    return f"{key[0]},{key[1]},{key[2]},{key[3]},{value},estimated"


def rows_snapshot(url: str) -> list:
    with get_engine(url).connect() as conn:
        return conn.execute(text(
            "SELECT indicator_id, region_code, year, quarter, value, quality_flag, note, source_system, batch_id, "
            "loaded_at FROM sustainability_indicators WHERE tenant_id = 'mep' ORDER BY 1, 2, 3, 4")).all()


def test_an_upload_is_audited_with_its_file_and_outcome(hub):
    send(*BAD_FILES["unknown region"][:2])
    entry = audit.recent(get_engine(hub), "mep", limit=1).iloc[0]
    assert entry.action == "upload" and '"outcome": "rejected"' in entry.detail and '"sha256": ' in entry.detail


def test_other_tenants_data_is_never_touched(hub):
    other = checksum(hub, "rda")
    outcome = send("q.csv", csv_bytes(LONG_LINES))
    assert checksum(hub, "rda") == other
    assert intake.rollback(intake.Sender("rda", "x", None, "page")) is None  # rda has no upload to undo
    assert intake.rollback(STEWARD) == outcome.batch_id


def test_two_imports_at_once_lose_no_update_and_roll_back_in_order(hub):
    before = rows_snapshot(hub)
    key = ("gdp_total", "SA-05", 2025, 2)
    values = {1111: "green_jobs", 2222: "foreign_investment"}  # each file also changes a value of its own
    files = [csv_bytes(["indicator_id,region,year,quarter,value", f"gdp_total,SA-05,2025,2,{v}",
                        f"{other},SA-05,2025,2,{v / 10}"]) for v, other in values.items()]
    outcomes = []
    threads = [threading.Thread(target=lambda v=v, c=c: outcomes.append(send(f"{v}.csv", c)))
               for v, c in zip(values, files, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.status for o in outcomes) == ["imported", "imported"]
    last = store.batch_history(get_engine(hub), "mep", limit=1).iloc[0].batch_id
    second = next(o for o in outcomes if o.batch_id == last)
    assert stored_values(hub, "mep", [key])[key] == (1111 if second.file_name == "1111.csv" else 2222)
    assert {o.counts["changed"] for o in outcomes} == {2}  # the second compared with the first's result
    intake.rollback(STEWARD)
    intake.rollback(STEWARD)
    assert rows_snapshot(hub) == before


def test_readers_during_an_import_see_all_of_it_or_none(hub):
    lines = ["region,year,quarter,gdp_total,population,green_jobs"] + [
        f"SA-{n:02d},2026,3,{100000 + n},{1 + n / 10},{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14)]
    seen, done = set(), threading.Event()

    def read():
        with get_engine(hub).connect() as conn:
            while not done.is_set():
                seen.add(conn.execute(text("SELECT count(*) FROM sustainability_indicators WHERE tenant_id = 'mep' "
                                           "AND year = 2026 AND quarter = 3")).scalar())
                conn.rollback()

    reader = threading.Thread(target=read)
    reader.start()
    outcome = send("q.csv", csv_bytes(lines))
    done.set()
    reader.join()
    assert outcome.counts["new"] == 39
    assert seen <= {0, 39} and 0 in seen
    intake.rollback(STEWARD)
