"""Requests per client and minute, counted where every worker sees the same count: Redis
when the cache uses it, otherwise a small SQLite file in DATA_DIR."""

from __future__ import annotations

import sqlite3
import time

WINDOW_S = 60


class RateLimiter:
    def __init__(self, settings, limit: int, name: str):
        self.limit = limit
        self.name = name
        self._redis = None
        self._path = settings.data_dir / "rate_limits.db"
        if settings.cache_type == "redis":
            import redis

            self._redis = redis.Redis.from_url(settings.cache_redis_url)

    def hit(self, client: str) -> int | None:
        """Count one request; return the seconds to wait when the client is over the limit."""
        window = int(time.time() // WINDOW_S)
        key = f"hub:ratelimit:{self.name}:{client}:{window}"
        count = self._redis_hit(key) if self._redis is not None else self._sqlite_hit(key, window)
        if count > self.limit:
            return WINDOW_S - int(time.time() % WINDOW_S)
        return None

    def _redis_hit(self, key: str) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, WINDOW_S * 2)
        return int(pipe.execute()[0])

    def _sqlite_hit(self, key: str, window: int) -> int:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self._path, timeout=5) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS hits (key TEXT PRIMARY KEY, window INTEGER, count INTEGER)")
            conn.execute("DELETE FROM hits WHERE window < ?", (window - 1,))
            return conn.execute(
                "INSERT INTO hits (key, window, count) VALUES (?, ?, 1) "
                "ON CONFLICT(key) DO UPDATE SET count = count + 1 RETURNING count", (key, window)).fetchone()[0]
