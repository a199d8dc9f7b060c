"""Per-tenant tokens for the ingestion API. A token is shown once, when a steward creates it;
the database keeps only its SHA-256 digest (a token is 256 random bits, so a plain digest
cannot be reversed) and a short prefix to tell tokens apart."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from data import schema

tokens = schema.api_tokens
TOKEN_PREFIX = "hub_"
SHOWN_PREFIX = 10
NAME_LENGTH = 100


@dataclass(frozen=True)
class TokenHolder:
    token_id: int
    tenant_id: str
    name: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(engine: Engine, tenant_id: str, name: str, created_by: str | None) -> str:
    """A new token for the tenant; the only time its text exists outside the caller."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(insert(tokens).values(
            tenant_id=tenant_id, name=name.strip()[:NAME_LENGTH], token_hash=digest(token),
            prefix=token[:SHOWN_PREFIX], created_by=created_by, created_at=_now()))
    return token


def is_token_id(value) -> bool:
    """Whether a value from the browser can be a token's id (an integer column's range)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def revoke(engine: Engine, tenant_id: str, token_id: int) -> bool:
    """Revoke one of the tenant's tokens; False when it has no such active token."""
    with engine.begin() as conn:
        done = conn.execute(update(tokens).where(
            tokens.c.token_id == token_id, tokens.c.tenant_id == tenant_id, tokens.c.revoked_at.is_(None),
        ).values(revoked_at=_now()))
    return done.rowcount == 1


def holder(engine: Engine, authorization: str | None) -> TokenHolder | None:
    """Who a request's `Authorization: Bearer <token>` header belongs to, if anyone."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    with engine.begin() as conn:
        row = conn.execute(select(tokens.c.token_id, tokens.c.tenant_id, tokens.c.name).where(
            tokens.c.token_hash == digest(token.strip()), tokens.c.revoked_at.is_(None))).first()
        if row is not None:
            conn.execute(update(tokens).where(tokens.c.token_id == row.token_id).values(last_used_at=_now()))
    return TokenHolder(*row) if row else None


def listed(engine: Engine, tenant_id: str) -> pd.DataFrame:
    """The tenant's tokens, newest first, without anything that would let one be used."""
    query = select(tokens.c.token_id, tokens.c.name, tokens.c.prefix, tokens.c.created_by, tokens.c.created_at,
                   tokens.c.last_used_at, tokens.c.revoked_at).where(tokens.c.tenant_id == tenant_id).order_by(
        tokens.c.token_id.desc())
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
