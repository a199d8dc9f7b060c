"""Memoization of data-layer queries in a cache every worker shares.

FileSystemCache (a directory) by default, Redis when CACHE_REDIS_URL is set. Every key
starts with the query's name and the tenant id, so one tenant never reads another's entry.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import Counter

from flask_caching.backends import FileSystemCache, NullCache, RedisCache, SimpleCache

from data.tenancy import Tenant

KEY_PREFIX = "hub:"
FILESYSTEM_ENTRIES = 20_000

_backend = SimpleCache()
_stats: Counter = Counter()
_stats_lock = threading.Lock()


def configure_cache(settings) -> None:
    """Choose the backend from the settings (called once per process by create_app)."""
    global _backend
    timeout = settings.cache_default_timeout
    if settings.cache_type == "redis":
        import redis

        client = redis.Redis.from_url(settings.cache_redis_url)
        _backend = RedisCache(host=client, default_timeout=timeout, key_prefix=KEY_PREFIX)
    elif settings.cache_type == "filesystem":
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        _backend = FileSystemCache(
            str(settings.cache_dir), threshold=FILESYSTEM_ENTRIES, default_timeout=timeout
        )
    elif settings.cache_type == "simple":
        _backend = SimpleCache(default_timeout=timeout)
    else:
        _backend = NullCache()


def memoized(query):
    """Cache `query(tenant, *args)` per tenant and arguments. The first argument must be a
    Tenant: a query cannot run, or be cached, without one."""

    @functools.wraps(query)
    def wrapper(tenant: Tenant, *args):
        if not isinstance(tenant, Tenant):
            raise TypeError(f"{query.__name__} needs a Tenant, got {type(tenant).__name__}")
        digest = hashlib.sha1(repr(args).encode()).hexdigest()[:20]
        key = f"{KEY_PREFIX}{query.__name__}:{tenant.id}:{digest}"
        cached = _backend.get(key)
        if cached is not None:
            _count("hits")
            return cached[0]
        _count("misses")
        result = query(tenant, *args)
        _backend.set(key, (result,))
        return result

    wrapper.uncached = query
    return wrapper


def clear_cache() -> None:
    """Empty the shared cache (every worker sees the change at once)."""
    _backend.clear()
    _count("clears")


def cache_stats() -> dict:
    with _stats_lock:
        stats = dict(_stats)
    return {"backend": type(_backend).__name__, **stats}


def _count(name: str) -> None:
    with _stats_lock:
        _stats[name] += 1
