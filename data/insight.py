"""Forecasts, their track records and the values that stand out, computed once per tenant and
data version and kept in the shared cache under

    hub:<code version>:insight:<tenant>:<data version>

Pages and exports only read them (`ready`); they are never computed inside a request. The
background job (`python -m data.insight`, started by gunicorn's master in a process group of
its own, see gunicorn.conf.py)
looks every POLL_S seconds for a tenant whose current data version has none, and computes
them: at start, and after every import, rollback or catalog change.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from data import anomalies, forecasts, queries, schema
from data.cache import KEY_PREFIX, code_version
from data.runtime import runtime
from data.stewardship import tenant_catalog
from data.tenancy import Tenant
from data.versions import data_version

POLL_S = 10.0
CLAIM_S = 900  # a tenant's computation is left to the job that claimed it this long (it takes about a minute)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Insight:
    forecasts: pd.DataFrame  # forecasts.POINT_COLUMNS
    skill: pd.DataFrame  # forecasts.SKILL_COLUMNS
    anomalies: pd.DataFrame  # anomalies.COLUMNS
    seconds: float  # how long computing them took


def key(tenant: Tenant) -> str:
    return f"{KEY_PREFIX}{code_version()}:insight:{tenant.id}:{data_version(tenant)}"


def ready(tenant: Tenant) -> Insight | None:
    """The tenant's insight for its current data, or None while it is being computed; read
    from the cache once per request (a profile page asks for it once per indicator)."""
    from flask import g, has_request_context

    if not has_request_context():
        return _stored(key(tenant))
    known = g.setdefault("hub_insight", {})
    if tenant.id not in known:
        known[tenant.id] = _stored(key(tenant))
    return known[tenant.id]


def _stored(name: str) -> Insight | None:
    stored = runtime.cache.get(name)
    return stored[0] if stored is not None else None


def compute(tenant: Tenant) -> Insight:
    """Compute and store the tenant's insight for its current data version."""
    started = time.perf_counter()
    panel = queries.panel(tenant)
    indicators = tenant_catalog(tenant)  # the index forecast follows the tenant's weights
    points, skill = forecasts.panel_forecasts(panel, indicators)
    found = anomalies.panel_anomalies(panel, indicators)
    insight = Insight(points, skill, found, time.perf_counter() - started)
    runtime.cache.set(key(tenant), (insight,))
    return insight


def tenants() -> list[Tenant]:
    with runtime.engine.connect() as conn:
        return [Tenant(tenant_id) for tenant_id in conn.scalars(select(schema.tenants.c.tenant_id))]


def refresh(owner: str) -> list[str]:
    """Compute the insight of every tenant whose current data has none, unless the job of
    another server sharing the cache has claimed it; their ids. `owner` names this job's
    server: a job started again after its predecessor died takes over that one's claims."""
    done = []
    for tenant in tenants():
        if ready(tenant) is not None or not len(queries.panel(tenant)):
            continue
        if runtime.cache.claim(f"{key(tenant)}:claimed", CLAIM_S, owner):
            insight = compute(tenant)
            log.info("insight for %s computed in %.1f s", tenant.id, insight.seconds)
            done.append(tenant.id)
    return done


def run(master: int) -> None:
    """Refresh every POLL_S seconds until gunicorn's master ends."""
    owner = f"{socket.gethostname()}:{master}"
    while _alive(master):
        try:
            refresh(owner)
        except Exception:  # a database or cache hiccup: try again at the next poll
            log.exception("computing forecasts failed; trying again in %.0f s", POLL_S)
        time.sleep(POLL_S)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_path(data_dir: Path, master: int) -> Path:
    """The file the job of gunicorn master `master` holds locked while it runs (its pid inside)."""
    return data_dir / f"insight-{master}.lock"


def running(path: Path) -> bool:
    """Whether a job holds `path` locked. POSIX record locks: held by a process, never
    inherited by the workers gunicorn forks, and gone when the holder dies however it dies."""
    with open(path, "a") as probe:
        try:
            fcntl.lockf(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(probe, fcntl.LOCK_UN)
        return False


def main() -> None:
    """`python -m data.insight MASTER_PID`: detach (the master's children stay its workers
    only, as the tools that watch them expect), hold the master's job lock (or leave, when
    another job holds it), then refresh until the master ends."""
    from settings import Settings

    master = int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid()
    if os.fork():
        os._exit(0)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s insight %(message)s")
    settings = Settings.from_env()
    with open(lock_path(settings.data_dir, master), "a+") as lock:
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log.info("another insight job runs for this server; leaving")
            return
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        runtime.init(settings)
        run(master)


if __name__ == "__main__":
    # run the importable module's code, so that what it stores names data.insight.Insight
    # (not __main__.Insight) and unpickles in the workers
    from data import insight

    insight.main()
