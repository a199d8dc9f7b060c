"""The health checks, computed for real and cheap enough to run often: the runbook's five
smoke checks, the database's last integrity check, and whether logging and the cache work.

A failing smoke or integrity check makes the hub "unhealthy" (/healthz 503: take it out of
service). Logging and the cache failing make it "degraded": it still serves correct answers
(uncached, or without writing logs), so /healthz answers 200 and names them in `failing`.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, text

from data import schema
from data.engine import get_engine
from data.runtime import NotConfigured, runtime
from layouts.format import format_integer, format_time
from layouts.text import t
from ops import integrity, logs
from settings import ENVIRONMENTS, Settings

obs = schema.sustainability_indicators
SQLITE_TIMEOUT_S = 5


@dataclass(frozen=True)
class Check:
    """One check's outcome. Its detail is a text key (`health_<detail>` in layouts/text.py)
    and the values filling it, so /healthz says it in English and Diagnostics in the page's
    language; values that are numbers are written for the language."""
    key: str
    name: str
    ok: bool
    detail: str
    values: dict = field(default_factory=dict)
    critical: bool = True  # a failure makes the hub unhealthy, not only degraded

    def detail_in(self, lang: str = "en") -> str:
        return t(f"health_{self.detail}", lang, **{name: _written(value, lang) for name, value in self.values.items()})


def _written(value, lang: str):
    if isinstance(value, datetime):
        return format_time(value, lang)
    return format_integer(value, lang) if isinstance(value, int) else value


def run_checks(settings: Settings) -> list[Check]:
    database = _database_connection(settings)
    return [
        database,
        _data_available(settings) if database.ok else
        Check("data_available", "Data Available", False, "skipped"),
        _environment_set(settings),
        _version_defined(settings),
        _disk_space(settings),
        _database_integrity(settings),
        _logging(settings),
        _cache(),
    ]


def health_report(settings: Settings, lang: str = "en") -> dict:
    """Every check and the overall status; the details in `lang` (English for /healthz)."""
    checks = run_checks(settings)
    failing = [c.name for c in checks if not c.ok]
    unhealthy = any(c.critical for c in checks if not c.ok)
    return {
        "status": "unhealthy" if unhealthy else "degraded" if failing else "healthy",
        "version": settings.version,
        "environment": settings.env,
        "instance": instance_name(settings),
        "pid": os.getpid(),
        "failing": failing,
        "checks": {c.key: {"name": c.name, "ok": c.ok, "detail": c.detail_in(lang)} for c in checks},
    }


def instance_name(settings: Settings) -> str:
    """Which replica answered: its host name (under Docker, the container's id) and port."""
    return f"{socket.gethostname()}:{settings.port}"


def _database_integrity(settings: Settings) -> Check:
    name = "Database Integrity"
    result = integrity.last_result(settings)
    if result is None:
        return Check("database_integrity", name, True, "integrity_not_yet")
    values = {"time": datetime.fromisoformat(result["checked_at"]), "ms": round(result["duration_ms"]),
              "found": result["detail"]}
    if not result["ok"]:
        return Check("database_integrity", name, False, "integrity_damaged", values)
    outcome = integrity.OUTCOMES.get(result["detail"], "other")
    return Check("database_integrity", name, True, f"integrity_{outcome}", values)


def _logging(settings: Settings) -> Check:
    failure = logs.failing(settings.log_dir)
    if failure is None:
        return Check("logging", "Logging", True, "logging_ok", critical=False)
    return Check("logging", "Logging", False, "logging_failing", {"reason": failure}, critical=False)


def _cache() -> Check:
    try:
        cache = runtime.cache
    except NotConfigured:
        return Check("cache", "Cache", True, "cache_not_set_up", critical=False)
    failure = cache.failing()
    values = {"backend": cache.backend_name, "reason": failure}
    return Check("cache", "Cache", failure is None, "cache_ok" if failure is None else "cache_failing", values,
                 critical=False)


def _database_connection(settings: Settings) -> Check:
    name = "Database Connection"
    path = settings.sqlite_file
    if path is not None and not path.exists():
        return Check("database_connection", name, False, "database_missing", {"file": path.name})
    try:
        if path is not None:
            _read_sqlite_file(path)
        else:
            with get_engine(settings.database_url).connect() as conn:
                conn.execute(text("SELECT 1"))
                conn.execute(select(obs.c.id).limit(1))
    except Exception as error:  # any driver error means the check fails; report it plainly
        return Check("database_connection", name, False, "error", {"reason": reason(error)})
    return Check("database_connection", name, True, "database_ok",
                 {"backend": get_engine(settings.database_url).dialect.name})


def _read_sqlite_file(path) -> None:
    """Query the file through a new connection: a pooled one may answer from its page cache
    after the file on disk was damaged or replaced."""
    with closing(sqlite3.connect(path, timeout=SQLITE_TIMEOUT_S)) as conn:
        conn.execute(f"SELECT {obs.c.id.name} FROM {obs.name} LIMIT 1").fetchall()


def _data_available(settings: Settings) -> Check:
    name = "Data Available"
    try:
        with get_engine(settings.database_url).connect() as conn:
            found = conn.execute(
                select(obs.c.id).where(obs.c.tenant_id == settings.default_tenant).limit(1)
            ).first()
    except Exception as error:
        return Check("data_available", name, False, "error", {"reason": reason(error)})
    return Check("data_available", name, found is not None, "data_none" if found is None else "data_ok")


def _environment_set(settings: Settings) -> Check:
    name = "Environment Set"
    if not settings.env_explicit:
        return Check("environment_set", name, False, "environment_unset", {"allowed": ", ".join(ENVIRONMENTS)})
    return Check("environment_set", name, True, "environment_ok", {"env": settings.env})


def _version_defined(settings: Settings) -> Check:
    version = settings.version
    if not version:
        return Check("version_defined", "Version Defined", False, "version_missing")
    return Check("version_defined", "Version Defined", True, "version_ok", {"version": version})


def _disk_space(settings: Settings) -> Check:
    name = "Disk Space OK"
    folder = settings.data_dir if settings.data_dir.exists() else settings.data_dir.parent
    try:
        free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    except OSError as error:
        return Check("disk_space", name, False, "error", {"reason": reason(error)})
    ok = free_mb >= settings.disk_min_free_mb
    return Check("disk_space", name, ok, "disk_ok" if ok else "disk_low",
                 {"free": free_mb, "minimum": settings.disk_min_free_mb})


def reason(error: Exception) -> str:
    """The first line of an error's message, short enough to show."""
    lines = str(error).strip().splitlines()
    first = lines[0] if lines else type(error).__name__
    return first.split("\n")[0][:200]
