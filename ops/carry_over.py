"""What a restore keeps from the database it replaces, and what it says before it does.

A restore returns the data (observations, load batches, targets) to the backup's state. It
never rolls back the audit trail or sign-in: the current accounts are kept (a password reset
or a disabled account after the backup stays as it is, and a backup without accounts cannot
turn sign-in off), audit entries newer than the backup's newest are carried over, and a
`restore` entry records the restore itself. When the current database cannot be read (it
is damaged), the backup's accounts and audit log stay as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, inspect, select

from data import schema
from data.engine import get_engine

COUNTED = {"observations": schema.sustainability_indicators, "load batches": schema.load_batches,
           "organisations": schema.tenants, "accounts": schema.users, "audit entries": schema.audit_log}
ACTOR = "command-line"


@dataclass
class State:
    """What one database holds, as far as a restore is concerned."""
    counts: dict[str, int]
    newest_audit: datetime | None
    accounts: list[dict] = field(default_factory=list)
    tenants: list[dict] = field(default_factory=list)
    newer_audit: list[dict] = field(default_factory=list)  # entries after the backup's newest


def read_state(url: str, audit_after: datetime | None = None) -> State | None:
    """The state of the database at `url`, or None when it has no hub tables or cannot be read."""
    engine = get_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(schema.audit_log.name):
                return None
            counts = {name: int(conn.scalar(select(func.count()).select_from(table)))
                      for name, table in COUNTED.items()}
            newest = utc(conn.scalar(select(func.max(schema.audit_log.c.occurred_at))))
            accounts = [dict(row) for row in conn.execute(select(schema.users)).mappings()]
            tenants = [dict(row) for row in conn.execute(select(schema.tenants)).mappings()]
            audit = schema.audit_log
            newer = [] if audit_after is None else [
                {k: v for k, v in row.items() if k != "id"}
                for row in conn.execute(select(audit).order_by(audit.c.id)).mappings()
                if utc(row["occurred_at"]) > audit_after]
    except Exception:  # a damaged or foreign database: nothing can be carried from it
        return None
    finally:
        engine.dispose()
    return State(counts, newest, accounts, tenants, newer)


def describe(database: str, source: str, now: State | None, backup: State | None) -> str:
    """What the restore will roll back and what it keeps, for the operator to confirm."""
    lines = [f"Restoring {source} replaces the database {database}."]
    if backup is not None:
        taken = backup.newest_audit.strftime("%Y-%m-%d %H:%M UTC") if backup.newest_audit else "unknown"
        lines.append(f"The backup's newest audit entry is from {taken}. Rolled back to the backup:")
        for name in ("observations", "load batches", "organisations"):
            before = f"{now.counts[name]:,} now" if now else "unknown now"
            lines.append(f"  {name}: {before} -> {backup.counts[name]:,} in the backup")
    else:
        lines.append("Everything in the database is replaced by the archive's contents.")
    if now is None:
        lines.append("The current database cannot be read (or is new): accounts and the audit log come from "
                     "the backup.")
    elif not now.accounts:
        lines.append("The current database has no accounts: the backup's accounts are used.")
    else:
        theirs = f" (the backup has {backup.counts['accounts']:,})" if backup else ""
        lines.append(f"Kept: the {len(now.accounts):,} current accounts{theirs}; sign-in stays as it is.")
    if now is not None:
        lines.append(f"Kept: {len(now.newer_audit):,} audit entries newer than the backup are carried over, "
                     "plus a 'restore' entry.")
    return "\n".join(lines)


def carry_over(url: str, now: State | None, source: str) -> dict:
    """Into the restored database at `url`: the current accounts (and their organisations),
    the newer audit entries, and a `restore` audit entry. Returns what was carried."""
    engine = get_engine(url)
    try:
        with engine.begin() as conn:
            carried = {"accounts": 0, "audit_entries": 0}
            if now is not None and now.accounts:
                known = set(conn.scalars(select(schema.tenants.c.tenant_id)))
                missing = [row for row in now.tenants if row["tenant_id"] not in known]
                if missing:
                    conn.execute(insert(schema.tenants), missing)
                conn.execute(delete(schema.users))
                conn.execute(insert(schema.users), now.accounts)
                carried["accounts"] = len(now.accounts)
            if now is not None and now.newer_audit:
                conn.execute(insert(schema.audit_log), now.newer_audit)
                carried["audit_entries"] = len(now.newer_audit)
            conn.execute(insert(schema.audit_log).values(
                occurred_at=datetime.now(UTC), tenant_id=None, username=ACTOR, action="restore",
                detail=json.dumps({"backup": source, **carried}, sort_keys=True), client_address=None))
    finally:
        engine.dispose()
    return carried


def utc(moment: datetime | None) -> datetime | None:
    """SQLite gives naive UTC times, PostgreSQL aware ones."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
