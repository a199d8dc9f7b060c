"""The audit log: who did what, for which tenant, when and from where. Rows are only ever
added; the database refuses updates and deletes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, insert, select

from data import schema

audit_log = schema.audit_log
ACTIONS = ("login_success", "login_failure", "logout", "export", "upload", "settings_change",
           "target_change", "cache_clear", "user_created", "user_disabled", "password_reset", "restore",
           "upload_rollback", "api_token_created", "api_token_revoked",
           # issue 14: stewardship in the app
           "weights_change", "user_enabled", "role_change", "user_unlocked", "password_change")


def record(engine: Engine, action: str, tenant_id: str | None, username: str | None,
           client_address: str | None = None, **detail) -> None:
    """Add one entry. `detail` must never carry a password or token: callers pass only what
    was done (a format, a figure, a view), never what was typed into a password field."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    with engine.begin() as conn:
        conn.execute(insert(audit_log).values(
            occurred_at=datetime.now(UTC), tenant_id=tenant_id, username=username, action=action,
            detail=json.dumps(detail, sort_keys=True, default=str), client_address=client_address))


def recent(engine: Engine, tenant_id: str, limit: int = 500, action: str | None = None,
           username: str | None = None) -> pd.DataFrame:
    """The tenant's latest entries, newest first; only of `action` and of `username` when given."""
    query = (select(audit_log.c.occurred_at, audit_log.c.username, audit_log.c.action, audit_log.c.detail,
                    audit_log.c.client_address)
             .where(audit_log.c.tenant_id == tenant_id).order_by(audit_log.c.id.desc()).limit(limit))
    if action:
        query = query.where(audit_log.c.action == action)
    if username:
        query = query.where(audit_log.c.username == username)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def names_and_actions(engine: Engine, tenant_id: str) -> tuple[list[str], list[str]]:
    """The user names and the actions in the tenant's log, for filters."""
    with engine.connect() as conn:
        names = conn.scalars(select(audit_log.c.username).where(audit_log.c.tenant_id == tenant_id,
                                                                audit_log.c.username.is_not(None)).distinct())
        actions = conn.scalars(select(audit_log.c.action).where(audit_log.c.tenant_id == tenant_id).distinct())
        return sorted(names), sorted(actions)
