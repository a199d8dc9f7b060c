"""The database's integrity check: SQLite's PRAGMA quick_check, bounded in time, at start
and then on a schedule in every worker (whichever is due first runs it; a file lock keeps it
to one at a time). The last result is kept in DATA_DIR/integrity.json, so every worker, /healthz,
Diagnostics and the sign-in guard read the same verdict; restore_db.py records a fresh check
of the database it puts in place.

PostgreSQL checks its own pages: there the check reports "not applicable".
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import random
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from data.database import quick_check
from settings import Settings

STATE_FILE = "integrity.json"
LOCK_FILE = "integrity.lock"
TIME_LIMIT_S = 10.0  # quick_check stops here; a bigger database is checked in part

log = logging.getLogger(__name__)
NOT_APPLICABLE = "not applicable: PostgreSQL checks its own pages"
NO_FILE = "no database file yet"
OUTCOMES = {"ok": "ok", NOT_APPLICABLE: "not_applicable", NO_FILE: "no_file"}  # -> ops.health's text keys
_read_cache: dict[str, tuple[tuple[int, int, int], dict | None]] = {}


def check_now(settings: Settings) -> dict:
    """Run the check on the configured database and return its result (not recorded)."""
    started = time.perf_counter()
    path = settings.sqlite_file
    if path is None:
        ok, detail = True, NOT_APPLICABLE
    elif not path.exists():
        ok, detail = True, NO_FILE
    else:
        ok, detail = quick_check(path, TIME_LIMIT_S)
    return {"ok": ok, "detail": detail, "checked_at": _now(),
            "duration_ms": round((time.perf_counter() - started) * 1000, 1)}


def record(settings: Settings, result: dict) -> None:
    """Keep `result` as the last check (written whole, then moved into place)."""
    path = settings.data_dir / STATE_FILE
    temporary = path.with_name(f".{STATE_FILE}.{os.getpid()}.{threading.get_ident()}")
    path.parent.mkdir(parents=True, exist_ok=True)  # a restore can run before the app ever started
    temporary.write_text(json.dumps(result))
    os.replace(temporary, path)


def last_result(settings: Settings) -> dict | None:
    """The last recorded check, re-read only when the file changed; None if there is none."""
    path = settings.data_dir / STATE_FILE
    try:
        stat = path.stat()
    except OSError:
        return None
    # Two writes within one clock tick share a modification time; the new file's inode and
    # size tell them apart.
    changed = (stat.st_mtime_ns, stat.st_ino, stat.st_size)
    key = str(path)
    cached = _read_cache.get(key)
    if cached is None or cached[0] != changed:
        try:
            cached = (changed, json.loads(path.read_text()))
        except (OSError, ValueError):
            return None
        _read_cache[key] = cached
    return cached[1]


def damage(settings: Settings) -> dict | None:
    """The last check's result when it found damage, else None."""
    result = last_result(settings)
    return result if result is not None and not result["ok"] else None


def check_at_start(settings: Settings) -> str | None:
    """At start: check an existing SQLite file and record the result. Returns what is wrong
    when it is damaged (the server then serves the restore notice instead of exiting)."""
    result = check_now(settings)
    record(settings, result)
    if result["ok"]:
        return None
    return f"the database {settings.sqlite_file} failed its integrity check (PRAGMA quick_check: {result['detail']})"


def run_if_due(settings: Settings) -> dict | None:
    """Run and record the check when the last one is older than the interval and no other
    process is running it. Returns the new result, or None when nothing was due."""
    if not _due(settings):
        return None
    with _exclusive(settings.data_dir / LOCK_FILE) as mine:
        if not mine or not _due(settings):
            return None
        result = check_now(settings)
        record(settings, result)
    if not result["ok"]:
        log.error("database integrity check failed: %s; restore the latest backup (docs/RUNBOOK.md, Recovery)",
                  result["detail"])
    return result


def start_schedule(settings: Settings) -> threading.Thread:
    """A daemon thread in this process running `run_if_due` about every interval."""
    def loop():
        while True:
            time.sleep(settings.integrity_check_interval * random.uniform(0.5, 1.0))
            try:
                run_if_due(settings)
            except Exception:  # the schedule must outlive one failed check
                log.exception("the scheduled integrity check could not run")

    thread = threading.Thread(target=loop, name="integrity-check", daemon=True)
    thread.start()
    return thread


def _due(settings: Settings) -> bool:
    result = last_result(settings)
    if result is None:
        return True
    checked = datetime.fromisoformat(result["checked_at"])
    return (datetime.now(UTC) - checked).total_seconds() >= settings.integrity_check_interval


@contextlib.contextmanager
def _exclusive(path: Path):
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
