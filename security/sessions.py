"""Browser sessions kept on the server with Flask-Session: the cookie holds only a random id;
the data lives in the app's database (table `web_sessions`), so every worker and replica sees
the same sessions and sign-out deletes them. Not in Redis even when the cache uses it: the
cache and the rate limits degrade when Redis is down, sessions must not (everyone would be
signed out), and the database is shared by every replica anyway.

Flask-Session ships a database store only through Flask-SQLAlchemy (a second engine, pool
and table definition beside ours), so the database store here is its documented extension
point, `ServerSideSessionInterface`, on the app's own engine and `data/schema.py` table.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from flask import Flask
from flask_session.base import ServerSideSession, ServerSideSessionInterface
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from data import schema
from data.runtime import runtime
from security.accounts import aware, utc_now
from settings import Settings

COOKIE_NAME = "hub_session"
ANONYMOUS_LIFETIME = timedelta(hours=1)  # a visitor who only opened the sign-in form
CLEANUP_EVERY_REQUESTS = 1000  # on average, expired rows are deleted once per this many requests
USER_KEY = "_user_id"  # where Flask-Login keeps the signed-in user

web_sessions = schema.web_sessions
log = logging.getLogger(__name__)


class _AnonymousSessionsExpireSooner:
    """A session nobody signed in to (a CSRF token for the sign-in form) is kept an hour,
    not the signed-in lifetime, so anonymous clients cannot fill the store for long."""

    def _upsert_session(self, session_lifetime: timedelta, session: ServerSideSession, store_id: str) -> None:
        lifetime = session_lifetime if USER_KEY in session else min(session_lifetime, ANONYMOUS_LIFETIME)
        super()._upsert_session(lifetime, session, store_id)


class _DatabaseStore(ServerSideSessionInterface):
    """Sessions as rows of `web_sessions` on the app's engine (SQLite or PostgreSQL)."""

    ttl = False  # rows do not expire by themselves: expired ones are ignored, and deleted now and then

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        with runtime.engine.connect() as conn:
            row = conn.execute(select(web_sessions.c.data, web_sessions.c.expires_at)
                               .where(web_sessions.c.session_id == store_id)).first()
        if row is None or aware(row.expires_at) <= utc_now():
            return None
        return self.serializer.decode(row.data)

    def _delete_session(self, store_id: str) -> None:
        with runtime.engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.session_id == store_id))

    def _upsert_session(self, session_lifetime: timedelta, session: ServerSideSession, store_id: str) -> None:
        values = {"data": self.serializer.encode(session), "expires_at": utc_now() + session_lifetime}
        with runtime.engine.begin() as conn:
            changed = conn.execute(update(web_sessions).where(web_sessions.c.session_id == store_id)
                                   .values(**values)).rowcount
            if changed == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(web_sessions).values(session_id=store_id, **values))
                except IntegrityError:  # a concurrent request of the same session inserted it first
                    conn.execute(update(web_sessions).where(web_sessions.c.session_id == store_id).values(**values))

    def _delete_expired_sessions(self) -> None:
        with runtime.engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= utc_now()))

    def _cleanup_n_requests(self) -> None:
        """Housekeeping that runs before a random request (any request, /healthz included)
        must not fail it: with the database unreachable, the rows wait for a later one."""
        try:
            super()._cleanup_n_requests()
        except SQLAlchemyError as error:
            log.warning("expired sessions not deleted this time: %s", str(error).splitlines()[0])


class DatabaseSessionInterface(_AnonymousSessionsExpireSooner, _DatabaseStore):
    pass


def init_sessions(server: Flask, settings: Settings) -> None:
    server.config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.env == "production",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
        # the cookie is the id alone and is set when a session starts, never rewritten after:
        # concurrent responses have nothing to race over
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    server.session_interface = DatabaseSessionInterface(
        app=server, key_prefix=_key_prefix(server.secret_key), permanent=True, sid_length=32,
        cleanup_n_requests=CLEANUP_EVERY_REQUESTS)


def _key_prefix(secret_key: str) -> str:
    """Store keys name the secret key (a fingerprint of it): a new SECRET_KEY ends every
    session, as it did when the key signed the session cookie."""
    return f"hub-session:{hashlib.sha256(secret_key.encode()).hexdigest()[:12]}:"

