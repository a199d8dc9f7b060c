"""Comparing checked rows with what is stored, importing them in one transaction and rolling
back a tenant's latest import exactly.

An import or a rollback first gives the tenant a new data version (data/versions.py): that
write takes the tenant's lock (a row lock on PostgreSQL, the database's write lock on
SQLite), so a second steward's import waits for the first and then compares with its result;
no update is lost. Readers see the data before or after, never a mix, and every worker's
cache entries of the tenant expire with the version.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update

from data import schema
from data.versions import bump_data_version

obs = schema.sustainability_indicators
batches = schema.load_batches
previous = schema.batch_previous_values
KEY = ["indicator_id", "region_code", "year", "quarter"]
COMPARED = ["value", "quality_flag", "note"]
STORED = ["id", *KEY, *COMPARED, "source_system", "batch_id", "loaded_at"]
HISTORY_QUARTERS = 12  # the latest quarters of a region's history a new value is compared with


@dataclass
class Comparison:
    new: pd.DataFrame  # rows not stored yet
    changed: pd.DataFrame  # rows whose value, flag or note differ: old_value, value, change
    unchanged: pd.DataFrame

    @property
    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "changed": len(self.changed), "unchanged": len(self.unchanged)}

    @property
    def nothing_to_do(self) -> bool:
        return self.new.empty and self.changed.empty


@dataclass(frozen=True)
class Upload:
    """Who loads what: recorded with the batch."""
    tenant_id: str
    username: str | None
    file_name: str
    sha256: str
    source_system: str
    description: str


@dataclass(frozen=True)
class Imported:
    batch_id: str | None  # None when nothing changed
    counts: dict[str, int]


def stored_rows(conn: Connection, tenant_id: str) -> pd.DataFrame:
    query = select(*(obs.c[name] for name in STORED)).where(obs.c.tenant_id == tenant_id)
    return pd.read_sql(query, conn)


def compare(rows: pd.DataFrame, stored: pd.DataFrame) -> Comparison:
    """Split checked rows into new, changed and unchanged against the stored ones."""
    rows = rows.astype({"year": int, "quarter": int})
    merged = rows.merge(stored.rename(columns={c: f"old_{c}" for c in COMPARED}), on=KEY, how="left")
    is_new = merged["id"].isna()
    same = pd.Series(True, index=merged.index)
    for column in COMPARED:
        old, now = merged[f"old_{column}"], merged[column]
        same &= (old == now) | (old.isna() & now.isna())
    changed = merged[~is_new & ~same].assign(change=lambda f: f["value"] - f["old_value"])
    return Comparison(rows[is_new.to_numpy()].reset_index(drop=True), changed.reset_index(drop=True),
                      merged[~is_new & same][[*KEY, "value"]].reset_index(drop=True))


def preview(engine: Engine, tenant_id: str, rows: pd.DataFrame) -> Comparison:
    with engine.connect() as conn:
        return compare(rows, stored_rows(conn, tenant_id))


def history(engine: Engine, tenant_id: str) -> pd.DataFrame:
    """Median and median absolute deviation of each indicator and region over the latest
    HISTORY_QUARTERS quarters stored."""
    with engine.connect() as conn:
        latest = conn.scalar(select(func.max(obs.c.year * 4 + obs.c.quarter)).where(obs.c.tenant_id == tenant_id))
        if latest is None:
            return pd.DataFrame(columns=["indicator_id", "region_code", "median", "mad"])
        query = select(obs.c.indicator_id, obs.c.region_code, obs.c.value).where(
            obs.c.tenant_id == tenant_id, obs.c.year * 4 + obs.c.quarter > latest - HISTORY_QUARTERS)
        values = pd.read_sql(query, conn)
    grouped = values.groupby(["indicator_id", "region_code"])["value"]
    medians = grouped.median().rename("median")
    deviations = (values["value"] - values.join(medians, on=["indicator_id", "region_code"])["median"]).abs()
    mads = deviations.groupby([values["indicator_id"], values["region_code"]]).median().rename("mad")
    return pd.concat([medians, mads], axis=1).reset_index()


def import_rows(engine: Engine, upload: Upload, rows: pd.DataFrame) -> Imported:
    """Write the rows that are new or changed as one batch, in one transaction."""
    with engine.begin() as conn:
        bump_data_version(conn, upload.tenant_id)  # first: takes the tenant's lock
        comparison = compare(rows, stored_rows(conn, upload.tenant_id))
        if comparison.nothing_to_do:
            conn.rollback()
            return Imported(None, comparison.counts)
        batch_id, loaded_at = _new_batch(conn, upload, comparison)
        _keep_previous(conn, batch_id, upload.tenant_id, comparison.changed)
        _write(conn, batch_id, loaded_at, upload, comparison)
    return Imported(batch_id, comparison.counts)


def _new_batch(conn: Connection, upload: Upload, comparison: Comparison) -> tuple[str, datetime]:
    now = _now()
    batch_id = f"upload-{upload.tenant_id}-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    counts = comparison.counts
    conn.execute(insert(batches).values(
        batch_id=batch_id, tenant_id=upload.tenant_id, source_system=upload.source_system,
        description=upload.description, row_count=counts["new"] + counts["changed"], loaded_at=now,
        file_name=upload.file_name, file_sha256=upload.sha256, uploaded_by=upload.username,
        rows_new=counts["new"], rows_changed=counts["changed"], rows_unchanged=counts["unchanged"]))
    return batch_id, now


def _keep_previous(conn: Connection, batch_id: str, tenant_id: str, changed: pd.DataFrame) -> None:
    if changed.empty:
        return
    old = changed[[*KEY, "old_value", "old_quality_flag", "old_note", "source_system", "batch_id", "loaded_at"]]
    old = old.rename(columns={"old_value": "value", "old_quality_flag": "quality_flag", "old_note": "note",
                              "batch_id": "previous_batch_id"})
    _insert(conn, previous, old.assign(batch_id=batch_id, tenant_id=tenant_id))


def _write(conn: Connection, batch_id: str, loaded_at: datetime, upload: Upload, comparison: Comparison) -> None:
    stamp = {"batch_id": batch_id, "source_system": upload.source_system, "loaded_at": loaded_at}
    if not comparison.new.empty:
        _insert(conn, obs, comparison.new[[*KEY, *COMPARED]].assign(tenant_id=upload.tenant_id, **stamp))
    if not comparison.changed.empty:
        _update(conn, comparison.changed[[*COMPARED, "id"]].assign(**stamp))


def latest_batch(conn: Connection, tenant_id: str):
    """The tenant's latest uploaded batch that is not rolled back, or None."""
    return conn.execute(select(batches).where(
        batches.c.tenant_id == tenant_id, batches.c.file_sha256.is_not(None), batches.c.rolled_back.is_(False),
    ).order_by(batches.c.loaded_at.desc(), batches.c.batch_id.desc()).limit(1)).first()


def rollback_latest(engine: Engine, tenant_id: str) -> str | None:
    """Undo the tenant's latest upload: its new rows go, the rows it changed get their
    previous values, flags, notes, sources and batches back. Returns the batch id."""
    with engine.begin() as conn:
        bump_data_version(conn, tenant_id)
        batch = latest_batch(conn, tenant_id)
        if batch is None:
            conn.rollback()
            return None
        conn.execute(obs.delete().where(obs.c.tenant_id == tenant_id, obs.c.batch_id == batch.batch_id))
        kept = pd.read_sql(select(previous).where(previous.c.batch_id == batch.batch_id), conn)
        if not kept.empty:
            restored = kept.drop(columns=["id", "batch_id"]).rename(columns={"previous_batch_id": "batch_id"})
            _insert(conn, obs, restored)
        conn.execute(update(batches).where(batches.c.batch_id == batch.batch_id).values(
            rolled_back=True, rolled_back_at=_now()))
    return batch.batch_id


def batch_history(engine: Engine, tenant_id: str, limit: int = 100) -> pd.DataFrame:
    """The tenant's batches, newest first."""
    query = select(batches).where(batches.c.tenant_id == tenant_id).order_by(
        batches.c.loaded_at.desc(), batches.c.batch_id.desc()).limit(limit)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


# Bulk writes go to the driver's executemany directly: SQLAlchemy's per-row parameter handling
# cost more than the database's own work at 100,000 rows (bench/intake.py).

def _insert(conn: Connection, table, frame: pd.DataFrame) -> None:
    columns = list(frame.columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([_marker(conn)] * len(columns))})"
    conn.exec_driver_sql(sql, _tuples(conn, table, frame))


def _update(conn: Connection, frame: pd.DataFrame) -> None:
    """Update observations by id (the frame's last column) with the other columns."""
    marker = _marker(conn)
    assignments = ", ".join(f"{c} = {marker}" for c in frame.columns if c != "id")
    frame = frame[[c for c in frame.columns if c != "id"] + ["id"]]
    conn.exec_driver_sql(f"UPDATE {obs.name} SET {assignments} WHERE id = {marker}", _tuples(conn, obs, frame))


def _marker(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _tuples(conn: Connection, table, frame: pd.DataFrame) -> list[tuple]:
    """Rows as plain Python values (NaN as None), each passed through its column type's
    bind processor where it has one (e.g. datetimes as text on SQLite)."""
    values = []
    for name in frame.columns:
        column = frame[name].astype(object).where(frame[name].notna(), None).tolist()
        process = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        if process:
            processed = {value: process(value) for value in set(column)}  # a batch's stamp is one value
            column = [processed[value] for value in column]
        values.append(column)
    return list(zip(*values, strict=True))


def _now() -> datetime:
    """With microseconds: imports follow each other under the tenant's lock, so the latest
    batch is the one with the latest time even within one second."""
    return datetime.now(UTC)
