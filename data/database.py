"""Creating, upgrading, seeding and checking the database.

The schema is made only by the migrations in data/migrations (Alembic), for a new database
and an existing one alike: `create_schema` upgrades to the newest revision.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, inspect, select, text

from data import migrations, schema
from data.catalog import catalog
from data.engine import get_engine
from data.regions import REGIONS
from data.seed import SOURCE_SYSTEM, seed_batch_id, seed_frames
from data.versions import bump_data_version

OBSERVATION_COLUMNS = ["tenant_id", "indicator_id", "region_code", "year", "quarter", "value",
                       "quality_flag", "source_system", "batch_id"]


def create_schema(engine: Engine) -> tuple[str | None, str | None]:
    """Upgrade the database to the newest schema revision (creating it when empty) and bring
    the reference tables up to date; return the revisions before and after."""
    revisions = migrations.upgrade(engine)
    with engine.begin() as conn:
        sync_reference_data(conn)
    return revisions


def sync_reference_data(conn: Connection) -> None:
    """Make the regions and indicators tables match the code's vocabulary and catalog."""
    conn.execute(schema.regions.delete().where(
        schema.regions.c.region_code.not_in([r.code for r in REGIONS])
    ))
    known = set(conn.scalars(select(schema.regions.c.region_code)))
    rows = [{"region_code": r.code, "name_en": r.name_en, "name_ar": r.name_ar,
             "aliases": "|".join(r.aliases)} for r in REGIONS if r.code not in known]
    if rows:
        conn.execute(insert(schema.regions), rows)
    known = set(conn.scalars(select(schema.indicators.c.indicator_id)))
    for indicator in catalog().indicators:
        values = {"name_en": indicator.name_en, "name_ar": indicator.name_ar,
                  "unit_en": indicator.unit_en, "pillar": indicator.pillar,
                  "direction": indicator.direction, "aggregation": indicator.aggregation,
                  "is_derived": indicator.is_derived, "index_weight": indicator.index_weight}
        if indicator.id in known:
            conn.execute(schema.indicators.update()
                         .where(schema.indicators.c.indicator_id == indicator.id).values(values))
        else:
            conn.execute(insert(schema.indicators).values(indicator_id=indicator.id, **values))


def ensure_tenant(conn: Connection, tenant_id: str, name_en: str, name_ar: str) -> None:
    exists = conn.scalar(select(schema.tenants.c.tenant_id).where(schema.tenants.c.tenant_id == tenant_id))
    if not exists:
        conn.execute(insert(schema.tenants).values(
            tenant_id=tenant_id, name_en=name_en, name_ar=name_ar, created_at=_now()))


def load_observations(conn: Connection, rows: pd.DataFrame, batch_id: str, tenant_id: str,
                      source_system: str, description: str = "") -> int:
    """Insert one batch of observations in bulk, inside the caller's transaction."""
    loaded_at = _now()
    conn.execute(insert(schema.load_batches).values(
        batch_id=batch_id, tenant_id=tenant_id, source_system=source_system,
        description=description, row_count=len(rows), loaded_at=loaded_at))
    records = rows[OBSERVATION_COLUMNS].assign(loaded_at=loaded_at).to_dict("records")
    for record in records:  # numpy scalars to plain Python for every driver
        record["year"], record["quarter"] = int(record["year"]), int(record["quarter"])
        record["value"] = float(record["value"])
    conn.execute(insert(schema.sustainability_indicators), records)
    return len(records)


def seed(engine: Engine) -> int:
    """Create the schema and load the synthetic data of every seed tenant."""
    create_schema(engine)
    return _load_seed_data(engine)


def _load_seed_data(engine: Engine) -> int:
    total = 0
    with engine.begin() as conn:
        for tenant, frame in seed_frames().items():
            ensure_tenant(conn, tenant.tenant_id, tenant.name_en, tenant.name_ar)
            total += load_observations(conn, frame, seed_batch_id(tenant), tenant.tenant_id,
                                       SOURCE_SYSTEM, "Synthetic seed data")
            bump_data_version(conn, tenant.tenant_id)
    return total


def drop_all(engine: Engine) -> None:
    """Drop the hub's tables and the record of their revision (seed_db.py, tests)."""
    schema.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {migrations.VERSION_TABLE}")
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP FUNCTION IF EXISTS audit_log_append_only()")


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table(schema.sustainability_indicators.name)


def observation_count(engine: Engine, tenant_id: str | None = None) -> int:
    query = select(func.count()).select_from(schema.sustainability_indicators)
    if tenant_id is not None:
        query = query.where(schema.sustainability_indicators.c.tenant_id == tenant_id)
    with engine.connect() as conn:
        return int(conn.scalar(query))


def ensure_database(settings, then: Callable[[Any], str] | None = None) -> str:
    """Start-up: upgrade the database to the newest schema revision; on first run create it the
    same way and seed it. An existing database's data is never overwritten. Instances starting
    together take turns (migrations.migration_lock), so one migrates and seeds, the rest find
    it done. `then(settings)` runs under the same lock (e.g. creating the admin account).

    Returns what was done, for the start-up log; raises RuntimeError with a clear message
    when the database cannot be used.
    """
    if settings.sqlite_file is not None:
        settings.sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    engine = get_engine(settings.database_url)
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(migrations.migration_lock(engine))
            outcome = _bring_up_to_date(settings, engine)
        except RuntimeError:
            raise
        except Exception as error:  # the driver's own exception types differ per database
            raise RuntimeError(f"the database cannot be read: {_first_line(error)}") from None
        return outcome if then is None else f"{outcome}; {then(settings)}"


def _bring_up_to_date(settings, engine: Engine) -> str:
    path = settings.sqlite_file
    if path is not None and path.exists() and path.stat().st_size > 0:
        check_database(settings.database_url)
    had_schema = has_schema(engine)
    try:
        before, after = create_schema(engine)
    except migrations.UnknownRevision:
        raise
    except Exception as error:
        raise RuntimeError(f"the database cannot be upgraded to schema revision {migrations.head()}: "
                           f"{_first_line(error)}") from None
    revision = f"schema revision {after}" + ("" if before == after else f", upgraded from {before or 'none'}")
    # A SQLite file that has the tables is never seeded again, even when a steward emptied it.
    if (path is not None and had_schema) or observation_count(engine) > 0:
        return f"using the existing database {path or engine.url.render_as_string()} ({revision})"
    rows = _load_seed_data(engine)
    return f"created and seeded the database with {rows} synthetic observations ({revision})"


def quick_check(path: Path, time_limit_s: float) -> tuple[bool, str]:
    """SQLite's PRAGMA quick_check on a connection of its own (a pooled one may answer from
    pages it read before the file was damaged), stopped after `time_limit_s`. Returns whether
    no damage was found and what the check said."""
    deadline = time.monotonic() + time_limit_s
    try:
        with closing(sqlite3.connect(path, timeout=5)) as conn:
            conn.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
            verdict = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.OperationalError as error:
        if "interrupted" in str(error):
            return True, f"no damage found in the part checked within {time_limit_s:g} s"
        return False, _first_line(error)
    except sqlite3.DatabaseError as error:
        return False, _first_line(error)
    if verdict == ["ok"]:
        return True, "ok"
    return False, "; ".join(verdict)[:300]


def check_database(url: str) -> None:
    """Raise RuntimeError with a clear message if the database is unreadable or corrupt."""
    engine = get_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                verdict = conn.execute(text("PRAGMA quick_check")).scalar()
                if verdict != "ok":
                    raise RuntimeError(f"the database file is corrupt ({verdict})")
            if not has_schema(engine) and inspect(engine).get_table_names():  # no table at all: a new database
                raise RuntimeError("the database has no sustainability_indicators table")
    except RuntimeError:
        raise
    except Exception as error:  # the driver's own exception types differ per database
        raise RuntimeError(f"the database cannot be read: {_first_line(error)}") from None


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
