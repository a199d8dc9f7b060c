"""What the Diagnostics page shows beyond the smoke checks. Every figure is cheap: counts,
file sizes, the last load batch, in-memory statistics and the tail of the error log."""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import shutil
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy import func, select, text

from data import migrations, queries, schema
from data.engine import get_engine
from data.runtime import runtime
from data.tenancy import Tenant
from ops import metrics
from ops.health import health_report, instance_name, reason
from ops.logs import recent_errors
from settings import Settings

PROCESS_STARTED = time.time()
TABLES = (schema.sustainability_indicators, schema.load_batches, schema.tenants, schema.regions,
          schema.indicators)
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
RECENT_ERRORS_SHOWN = 10

log = logging.getLogger(__name__)


class Unavailable(Exception):
    """A part of the report that cannot be computed now; the message says why."""


def diagnostics_report(settings: Settings, tenant: Tenant, lang: str = "en") -> dict:
    return {
        "health": health_report(settings, lang),
        "database": _section(database_info, settings),
        "data": _section(data_info, settings, tenant),
        "cache": _section(cache_info),
        "png_export": png_export_info(),
        "query_timings": query_timing_summary(runtime.cache.query_timings()),
        "recent_errors": _section(recent_errors, settings.log_dir, RECENT_ERRORS_SHOWN),
        "process": process_info(settings),
        "checked_at": datetime.now(UTC),
    }


def database_info(settings: Settings) -> dict:
    """Backend, schema revision (and the newest this version has), size on disk and the row
    count of every table."""
    engine = _existing_engine(settings)
    counts = select(*[select(func.count()).select_from(table).scalar_subquery().label(table.name)
                      for table in TABLES])
    with engine.connect() as conn:
        rows = dict(conn.execute(counts).one()._mapping)
        size = _database_bytes(settings, conn)
    return {"backend": engine.dialect.name, "revision": migrations.current(engine), "newest_revision": newest(),
            "size_bytes": size, "rows": rows}


@functools.cache
def newest() -> str:
    """The newest schema revision of this version (read once: the files do not change while it runs)."""
    return migrations.head()


def data_info(settings: Settings, tenant: Tenant) -> dict:
    """The tenant's last load batch and the latest complete quarter the dashboard serves."""
    batches = schema.load_batches
    query = (select(batches.c.batch_id, batches.c.loaded_at, batches.c.row_count, batches.c.source_system)
             .where(batches.c.tenant_id == tenant.id).order_by(batches.c.loaded_at.desc()).limit(1))
    with _existing_engine(settings).connect() as conn:
        last = conn.execute(query).first()
    return {
        "tenant": tenant.id,
        "last_load": dict(last._mapping) if last else None,
        "latest_period": queries.latest_complete_period(tenant),
    }


def cache_info() -> dict:
    """Backend, entries and size, and hits, misses and failures added up over every worker."""
    totals = metrics.totals("cache_hits_total", "cache_misses_total", "cache_errors_total")
    hits, misses = int(totals["cache_hits_total"]), int(totals["cache_misses_total"])
    return {
        "backend": runtime.cache.backend_name,
        "entries": runtime.cache.entry_count(),
        "size_bytes": runtime.cache.size_bytes(),
        "hits": hits,
        "misses": misses,
        "errors": int(totals["cache_errors_total"]),
        "hit_ratio": hits / (hits + misses) if hits + misses else None,
    }


def png_export_info() -> dict:
    """Whether kaleido is installed and a Chromium it can drive is found (nothing is started)."""
    kaleido = _package_version("kaleido") if importlib.util.find_spec("kaleido") else None
    browser = os.environ.get("BROWSER_PATH") or next(filter(None, map(shutil.which, BROWSER_NAMES)), None)
    browser_ok = bool(browser) and os.access(browser, os.X_OK)
    return {"kaleido": kaleido, "browser": browser, "available": bool(kaleido) and browser_ok}


def query_timing_summary(timings: dict[str, list[float]]) -> list[dict]:
    """Per query: how many recent misses were timed, and their p50 and p95 in milliseconds."""
    summary = [{"query": name, "count": len(seconds), "p50_ms": _percentile(seconds, 50) * 1000,
                "p95_ms": _percentile(seconds, 95) * 1000}
               for name, seconds in timings.items() if seconds]
    return sorted(summary, key=lambda row: row["p95_ms"], reverse=True)


def process_info(settings: Settings) -> dict:
    return {"instance": instance_name(settings), "pid": os.getpid(),
            "uptime_seconds": time.time() - PROCESS_STARTED, "rss_bytes": _rss_bytes()}


def _section(build, *args):
    try:
        return build(*args)
    except Unavailable as missing:
        return {"unavailable": str(missing)}
    except Exception as error:  # a broken part must not hide the rest of the page
        log.warning("diagnostics: %s failed: %s", build.__name__, error)
        return {"unavailable": reason(error)}


def _existing_engine(settings: Settings):
    path = settings.sqlite_file
    if path is not None and not path.exists():  # connecting would create an empty file
        raise Unavailable(f"database file {path.name} does not exist")
    return get_engine(settings.database_url)


def _database_bytes(settings: Settings, conn) -> int:
    path = settings.sqlite_file
    if path is None:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar())
    sidecars = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    return path.stat().st_size + sum(p.stat().st_size for p in sidecars if p.exists())


def _percentile(values: list[float], percent: int) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _rss_bytes() -> int | None:
    """Resident memory of this process from /proc (Linux); None elsewhere."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None
