"""Memoization of data-layer queries in a cache every worker shares.

FileSystemCache (a directory) by default, Redis when CACHE_REDIS_URL is set. Every key
starts with the query's name and the tenant id, so one tenant never reads another's entry.

Statistics: hits and misses of this process, the entries stored in the backend, and the
durations of the most recent misses per query (a small ring buffer per process). Listeners
(e.g. the Prometheus counters) hear of every lookup.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable

from flask_caching.backends import FileSystemCache, NullCache, RedisCache, SimpleCache

from data.tenancy import Tenant

KEY_PREFIX = "hub:"
FILESYSTEM_ENTRIES = 20_000
TIMINGS_KEPT = 200  # most recent miss durations kept per query
STAT_NAMES = {"hit": "hits", "miss": "misses"}

# listener(outcome, query_name, seconds): outcome "hit" or "miss"; seconds of a miss's query, else None
Listener = Callable[[str, str, float | None], None]

_backend = SimpleCache()
_redis_client = None
_stats: Counter = Counter()
_timings: defaultdict[str, deque] = defaultdict(lambda: deque(maxlen=TIMINGS_KEPT))
_listeners: list[Listener] = []
_stats_lock = threading.Lock()


def configure_cache(settings) -> None:
    """Choose the backend from the settings (called once per process by create_app)."""
    global _backend, _redis_client
    timeout = settings.cache_default_timeout
    _redis_client = None
    if settings.cache_type == "redis":
        import redis

        _redis_client = redis.Redis.from_url(settings.cache_redis_url)
        _backend = RedisCache(host=_redis_client, default_timeout=timeout, key_prefix=KEY_PREFIX)
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
            _record("hit", query.__name__)
            return cached[0]
        started = time.perf_counter()
        result = query(tenant, *args)
        _record("miss", query.__name__, time.perf_counter() - started)
        _backend.set(key, (result,))
        return result

    return wrapper


def clear_cache() -> int | None:
    """Empty the shared cache (every worker sees the change at once). Returns the number
    of entries there were, or None when the backend cannot count them."""
    entries = entry_count()
    _backend.clear()
    _count("clears")
    return entries


def cache_stats() -> dict:
    """Backend name, this process's hits, misses and clears, and the entries stored."""
    with _stats_lock:
        stats = dict(_stats)
    return {"backend": backend_name(), **stats, "entries": entry_count()}


def backend_name() -> str:
    return type(_backend).__name__


def entry_count() -> int | None:
    """Entries stored in the backend; None for the per-process SimpleCache, which cannot say."""
    if isinstance(_backend, FileSystemCache):
        return sum(1 for _ in _backend._list_dir())  # the listing cachelib's own clear() uses
    if _redis_client is not None:
        return sum(1 for _ in _redis_client.scan_iter(match=f"{KEY_PREFIX}*", count=1000))
    if isinstance(_backend, NullCache):
        return 0
    return None


def query_timings() -> dict[str, list[float]]:
    """Seconds taken by the most recent cache misses of each query, in this process."""
    with _stats_lock:
        return {name: list(durations) for name, durations in _timings.items()}


def add_listener(listener: Listener) -> None:
    """Call `listener` on every lookup from now on (once, however often it is added)."""
    with _stats_lock:
        if listener not in _listeners:
            _listeners.append(listener)


def _record(outcome: str, query_name: str, seconds: float | None = None) -> None:
    with _stats_lock:
        _stats[STAT_NAMES[outcome]] += 1
        if seconds is not None:
            _timings[query_name].append(seconds)
        listeners = list(_listeners)
    for listener in listeners:
        listener(outcome, query_name, seconds)


def _count(name: str) -> None:
    with _stats_lock:
        _stats[name] += 1
