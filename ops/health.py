"""The runbook's five smoke checks, computed for real and cheap enough to run often."""

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
from settings import ENVIRONMENTS, Settings

obs = schema.sustainability_indicators
SQLITE_TIMEOUT_S = 5


@dataclass(frozen=True)
class Check:
    key: str
    name: str
    ok: bool
    detail: str


def run_checks(settings: Settings) -> list[Check]:
    database = _database_connection(settings)
    return [
        database,
        _data_available(settings) if database.ok else
        Check("data_available", "Data Available", False, "skipped: the database is not reachable"),
        _environment_set(settings),
        _version_defined(settings),
        _disk_space(settings),
    ]


def health_report(settings: Settings) -> dict:
    checks = run_checks(settings)
    failing = [c.name for c in checks if not c.ok]
    return {
        "status": "unhealthy" if failing else "healthy",
        "version": settings.version,
        "environment": settings.env,
        "instance": instance_name(settings),
        "pid": os.getpid(),
        "failing": failing,
        "checks": {c.key: {k: v for k, v in asdict(c).items() if k != "key"} for c in checks},
    }


def instance_name(settings: Settings) -> str:
    """Which replica answered: its host name (under Docker, the container's id) and port."""
    return f"{socket.gethostname()}:{settings.port}"


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
