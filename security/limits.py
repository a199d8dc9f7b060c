"""Request limits with Flask-Limiter, counted where every worker sees the same counts: Redis
when the cache uses it, otherwise a SQLite file in DATA_DIR shared by the workers of the host.

| limit | key | setting |
|---|---|---|
| every request but static files, /healthz and /metrics | address | `REQUEST_RATE_LIMIT` a minute |
| sign-in attempts | address | `LOGIN_RATE_LIMIT` a minute |
| failed sign-ins | name typed and address | `LOGIN_MAX_ATTEMPTS` a minute, 2x in 15 min, 4x an hour, 8x a day |
| downloads | address | `EXPORT_RATE_LIMIT` a minute |

The failed sign-in tiers are the growing delays OWASP recommends instead of locking an account:
after a burst of failures the next attempt waits up to a minute, then up to 15 minutes, an
hour, a day; they count per name *and* address, so failures sent from elsewhere never keep a
user out, and they count names that do not exist exactly as those that do.

`limits` ships no SQLite storage (memory, Redis, Memcached, MongoDB): memory would count per
worker, so a limit of 10 would let 10 per worker through. `SQLiteStorage` below is a
`limits` storage (fixed windows) on a file of its own, not the app's database, so that a long
upload transaction holding the database's write lock never stalls a request on a counter.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, jsonify, request
from flask_limiter import Limiter, RateLimitExceeded
from limits.storage import Storage

from settings import Settings

LIMITER = "hub_limiter"  # server.extensions key
EXEMPT_PATHS = ("/healthz", "/metrics", "/_favicon.ico")
EXEMPT_PREFIXES = ("/vendor/", "/assets/", "/_dash-component-suites/")
CLEANUP_CHANCE = 0.01  # share of counter updates that also delete expired counters


def client_address() -> str:
    return request.remote_addr or "unknown"


def storage_uri(settings: Settings) -> str:
    """Where the counts live: Redis when the cache uses it (shared by every replica), else a
    SQLite file shared by this host's workers."""
    if settings.cache_type == "redis":
        return settings.cache_redis_url
    return f"sqlite://{(settings.data_dir / 'rate_limits.db').resolve()}"


def init_limits(server: Flask, settings: Settings) -> Limiter:
    limiter = Limiter(
        client_address, app=server, storage_uri=storage_uri(settings), strategy="fixed-window", key_prefix="hub",
        # one count per address for all routes together, not one per route
        application_limits=[f"{settings.request_rate_limit} per minute"],
        application_limits_exempt_when=lambda: request.path in EXEMPT_PATHS or request.path.startswith(EXEMPT_PREFIXES),
        # Redis down: count in this worker's memory until it is back, rather than fail requests
        in_memory_fallback_enabled=True, swallow_errors=True,
    )
    server.extensions[LIMITER] = limiter
    return limiter


def failed_sign_in_limits(attempts: int) -> str:
    """The growing delays after failed sign-ins, from LOGIN_MAX_ATTEMPTS."""
    return f"{attempts} per minute;{2 * attempts} per 15 minutes;{4 * attempts} per hour;{8 * attempts} per day"


def release_name(server: Flask, username: str) -> int:
    """Forget the failed sign-ins counted against a name from every address (a steward's
    "unlock"); returns the counters removed. Keys look like `.../<name>@<address>/...`."""
    storage = server.extensions[LIMITER].storage
    marker = f"/{username}@"
    if isinstance(storage, SQLiteStorage):
        with storage._connection() as conn:
            return conn.execute("DELETE FROM counters WHERE instr(key, ?) > 0", (marker,)).rowcount
    client = getattr(storage, "storage", None)
    if hasattr(client, "scan_iter"):  # Redis
        keys = list(client.scan_iter(match=f"*{marker}*"))
        return client.delete(*keys) if keys else 0
    keys = [key for key in list(client or {}) if marker in key]  # memory
    for key in keys:
        storage.clear(key)
    return len(keys)


def retry_after(limiter: Limiter) -> int:
    """Seconds until the limit the current request broke lets it through again."""
    limit = limiter.current_limit
    return max(1, int(limit.reset_at - time.time())) if limit is not None else 60


def too_many(error: RateLimitExceeded, reason: str, limiter: Limiter):
    """The JSON answer to a request over its limit, with Retry-After."""
    wait = retry_after(limiter)
    return jsonify({"error": "rate limited", "reason": reason.format(wait=wait)}), 429, {"Retry-After": str(wait)}


class SQLiteStorage(Storage):
    """Fixed-window counters in a SQLite file (WAL), shared by the processes of one host."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(urlsplit(uri).path)
        self._local = threading.local()

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._connection() as conn:
            if random.random() < CLEANUP_CHANCE:
                conn.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
            return conn.execute(
                "INSERT INTO counters (key, count, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "count = CASE WHEN expires_at > ? THEN count + excluded.count ELSE excluded.count END, "
                "expires_at = CASE WHEN expires_at > ? THEN expires_at ELSE excluded.expires_at END "
                "RETURNING count", (key, amount, now + expiry, now, now)).fetchone()[0]

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        try:
            with self._connection() as conn:
                conn.execute("SELECT 1")
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        with self._connection() as conn:
            return conn.execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        with self._connection() as conn:
            conn.execute("DELETE FROM counters WHERE key = ?", (key,))

    def _row(self, key: str):
        with self._connection() as conn:
            return conn.execute("SELECT count, expires_at FROM counters WHERE key = ? AND expires_at > ?",
                                (key, time.time())).fetchone()

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (a forked worker opens its own); used as `with`, it commits."""
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=5)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, "
                         "expires_at REAL NOT NULL)")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn
