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
from dataclasses import asdict, dataclass

from sqlalchemy import select, text

from data import schema
from data.engine import get_engine
from data.runtime import NotConfigured, runtime
from ops import integrity, logs
from settings import ENVIRONMENTS, Settings

obs = schema.sustainability_indicators
SQLITE_TIMEOUT_S = 5


@dataclass(frozen=True)
class Check:
    key: str
    name: str
    ok: bool
    detail: str
    critical: bool = True  # a failure makes the hub unhealthy, not only degraded


def run_checks(settings: Settings) -> list[Check]:
    database = _database_connection(settings)
    return [
        database,
        _data_available(settings) if database.ok else
        Check("data_available", "Data Available", False, "skipped: the database is not reachable"),
        _environment_set(settings),
        _version_defined(settings),
        _disk_space(settings),
        _database_integrity(settings),
        _logging(settings),
        _cache(),
    ]


def health_report(settings: Settings) -> dict:
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
        "checks": {c.key: {k: v for k, v in asdict(c).items() if k not in ("key", "critical")} for c in checks},
    }


def instance_name(settings: Settings) -> str:
    """Which replica answered: its host name (under Docker, the container's id) and port."""
    return f"{socket.gethostname()}:{settings.port}"


def _database_integrity(settings: Settings) -> Check:
    name = "Database Integrity"
    result = integrity.last_result(settings)
    if result is None:
        return Check("database_integrity", name, True, "not checked yet (PRAGMA quick_check runs at start)")
    when = f"{result['checked_at']} UTC, {result['duration_ms']:,.0f} ms"
    if result["ok"]:
        return Check("database_integrity", name, True, f"PRAGMA quick_check: {result['detail']} ({when})")
    return Check("database_integrity", name, False,
                 f"PRAGMA quick_check found damage ({when}): {result['detail']}. "
                 "Restore the latest backup with scripts/restore_db.py (runbook: Recovery)")


def _logging(settings: Settings) -> Check:
    failure = logs.failing(settings.log_dir)
    if failure is None:
        return Check("logging", "Logging", True, "log files are written", critical=False)
    return Check("logging", "Logging", False, f"log lines cannot be written: {failure}", critical=False)


def _cache() -> Check:
    try:
        cache = runtime.cache
    except NotConfigured:
        return Check("cache", "Cache", True, "not set up in this process", critical=False)
    failure = cache.failing()
    if failure is None:
        return Check("cache", "Cache", True, f"{cache.backend_name} answers", critical=False)
    return Check("cache", "Cache", False, f"{cache.backend_name} fails, serving uncached: {failure}",
                 critical=False)


def _database_connection(settings: Settings) -> Check:
    name = "Database Connection"
    path = settings.sqlite_file
    if path is not None and not path.exists():
        return Check("database_connection", name, False, f"database file {path.name} does not exist")
    try:
        if path is not None:
            _read_sqlite_file(path)
        else:
            with get_engine(settings.database_url).connect() as conn:
                conn.execute(text("SELECT 1"))
                conn.execute(select(obs.c.id).limit(1))
    except Exception as error:  # any driver error means the check fails; report it plainly
        return Check("database_connection", name, False, reason(error))
    return Check("database_connection", name, True, f"{get_engine(settings.database_url).dialect.name} answers queries")


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
        return Check("data_available", name, False, reason(error))
    if found is None:
        return Check("data_available", name, False, "no observations for the default tenant")
    return Check("data_available", name, True, "observations present for the default tenant")


def _environment_set(settings: Settings) -> Check:
    name = "Environment Set"
    if not settings.env_explicit:
        return Check("environment_set", name, False,
                     f"ANALYTICS_HUB_ENV is not set (one of {', '.join(ENVIRONMENTS)})")
    return Check("environment_set", name, True, f"ANALYTICS_HUB_ENV={settings.env}")


def _version_defined(settings: Settings) -> Check:
    version = settings.version
    if not version:
        return Check("version_defined", "Version Defined", False, "package metadata not found: install the project")
    return Check("version_defined", "Version Defined", True, f"version {version}")


def _disk_space(settings: Settings) -> Check:
    name = "Disk Space OK"
    folder = settings.data_dir if settings.data_dir.exists() else settings.data_dir.parent
    try:
        free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    except OSError as error:
        return Check("disk_space", name, False, reason(error))
    ok = free_mb >= settings.disk_min_free_mb
    return Check("disk_space", name, ok, f"{free_mb:,} MB free on the data volume "
                 f"({'at least' if ok else 'below'} {settings.disk_min_free_mb:,} MB)")


def reason(error: Exception) -> str:
    """The first line of an error's message, short enough to show."""
    lines = str(error).strip().splitlines()
    first = lines[0] if lines else type(error).__name__
    return first.split("\n")[0][:200]
