"""The version of each tenant's data: a token that changes whenever the tenant's data does.

Memoized results are keyed by it, so after a load, a rollback or a change of targets or
weights every worker computes afresh, and no other tenant's entries are touched. Within
one request the version is read once, so all parts of a page agree.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from data import schema
from data.runtime import runtime
from data.tenancy import Tenant

INITIAL = "0"  # a tenant whose data never changed since the table was added
versions = schema.data_versions


def data_version(tenant: Tenant) -> str:
    """The tenant's current data version (read once per request)."""
    from flask import g, has_request_context

    if not has_request_context():
        return _read(tenant.id)
    known = g.setdefault("hub_data_versions", {})
    if tenant.id not in known:
        known[tenant.id] = _read(tenant.id)
    return known[tenant.id]


def bump_data_version(conn: Connection, tenant_id: str) -> str:
    """Give the tenant a new data version inside the caller's transaction: the change and
    the new version commit together."""
    version = uuid.uuid4().hex[:16]
    values = {"version": version, "changed_at": datetime.now(UTC).replace(microsecond=0)}
    updated = conn.execute(versions.update().where(versions.c.tenant_id == tenant_id).values(values))
    if updated.rowcount == 0:
        conn.execute(versions.insert().values(tenant_id=tenant_id, **values))
    return version


def _read(tenant_id: str) -> str:
    with runtime.engine.connect() as conn:
        found = conn.scalar(select(versions.c.version).where(versions.c.tenant_id == tenant_id))
    return found or INITIAL
