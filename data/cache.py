"""Memoization of data-layer queries in a cache every worker shares.

FileSystemCache (a directory) by default, Redis when CACHE_REDIS_URL is set. A key names
the code version, the query, the tenant and the tenant's data version:

    hub:<code version>:<query>:<tenant>:<data version>:<digest of the arguments>

so one tenant never reads another's entry, and no entry outlives the code, the catalog or
the data it was computed from: a new release, an edited catalog or a data load makes new
keys, and the old entries expire unread.

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
from pathlib import Path

from flask_caching.backends import FileSystemCache, NullCache, RedisCache, SimpleCache

from data import catalog as catalog_module
from data.runtime import runtime
from data.tenancy import Tenant

KEY_PREFIX = "hub:"
FILESYSTEM_ENTRIES = 20_000
TIMINGS_KEPT = 200  # most recent miss durations kept per query
STAT_NAMES = {"hit": "hits", "miss": "misses"}
# The code whose output is cached: queries and formulas, figure builders, views and charts.
CACHED_CODE = ("data", "layouts", "services")
ROOT = Path(__file__).resolve().parent.parent

# listener(outcome, query_name, seconds): outcome "hit" or "miss"; seconds of a miss's query, else None
Listener = Callable[[str, str, float | None], None]


class Cache:
    """One backend with this process's statistics."""

    def __init__(self, backend, redis_client=None):
        self.backend = backend
        self._redis = redis_client
        self._stats: Counter = Counter()
        self._timings: defaultdict[str, deque] = defaultdict(lambda: deque(maxlen=TIMINGS_KEPT))
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> Cache:
        timeout = settings.cache_default_timeout
        if settings.cache_type == "redis":
            import redis

            client = redis.Redis.from_url(settings.cache_redis_url)
            return cls(RedisCache(host=client, default_timeout=timeout, key_prefix=KEY_PREFIX), client)
        if settings.cache_type == "filesystem":
            settings.cache_dir.mkdir(parents=True, exist_ok=True)
            return cls(FileSystemCache(str(settings.cache_dir), threshold=FILESYSTEM_ENTRIES,
                                       default_timeout=timeout))
        if settings.cache_type == "simple":
            return cls(SimpleCache(default_timeout=timeout))
        return cls(NullCache())

    @property
    def backend_name(self) -> str:
        return type(self.backend).__name__

    def clear(self) -> int | None:
        """Empty the shared cache (every worker sees the change at once). Returns the number
        of entries there were, or None when the backend cannot count them."""
        entries = self.entry_count()
        self.backend.clear()
        self._count("clears")
        return entries

    def entry_count(self) -> int | None:
        """Entries stored in the backend; None for the per-process SimpleCache, which cannot say."""
        if isinstance(self.backend, FileSystemCache):
            return sum(1 for _ in self.backend._list_dir())  # the listing cachelib's own clear() uses
        if self._redis is not None:
            return sum(1 for _ in self._redis.scan_iter(match=f"{KEY_PREFIX}*", count=1000))
        if isinstance(self.backend, NullCache):
            return 0
        return None

    def stats(self) -> dict:
        """Backend name, this process's hits, misses and clears, and the entries stored."""
        with self._lock:
            stats = dict(self._stats)
        return {"backend": self.backend_name, **stats, "entries": self.entry_count()}

    def query_timings(self) -> dict[str, list[float]]:
        """Seconds taken by the most recent cache misses of each query, in this process."""
        with self._lock:
            return {name: list(durations) for name, durations in self._timings.items()}

    def add_listener(self, listener: Listener) -> None:
        """Call `listener` on every lookup from now on (once, however often it is added)."""
        with self._lock:
            if listener not in self._listeners:
                self._listeners.append(listener)

    def record(self, outcome: str, query_name: str, seconds: float | None = None) -> None:
        with self._lock:
            self._stats[STAT_NAMES[outcome]] += 1
            if seconds is not None:
                self._timings[query_name].append(seconds)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(outcome, query_name, seconds)

    def _count(self, name: str) -> None:
        with self._lock:
            self._stats[name] += 1


@functools.cache
def code_version() -> str:
    """A digest of the installed version, the catalog and the source of the cached code,
    computed once per process (a restart after any change of them gives new keys)."""
    from settings import app_version

    digest = hashlib.sha256((app_version() or "unknown").encode())
    digest.update(catalog_module.CATALOG_FILE.read_bytes())
    for folder in CACHED_CODE:
        for path in sorted((ROOT / folder).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def memoized(query):
    """Cache `query(tenant, *args)` per code version, tenant, data version and arguments.
    The first argument must be a Tenant: a query cannot run, or be cached, without one."""
    from data.versions import data_version

    @functools.wraps(query)
    def wrapper(tenant: Tenant, *args):
        if not isinstance(tenant, Tenant):
            raise TypeError(f"{query.__name__} needs a Tenant, got {type(tenant).__name__}")
        cache = runtime.cache
        digest = hashlib.sha1(repr(args).encode()).hexdigest()[:20]
        key = f"{KEY_PREFIX}{code_version()}:{query.__name__}:{tenant.id}:{data_version(tenant)}:{digest}"
        cached = cache.backend.get(key)
        if cached is not None:
            cache.record("hit", query.__name__)
            return cached[0]
        started = time.perf_counter()
        result = query(tenant, *args)
        cache.record("miss", query.__name__, time.perf_counter() - started)
        cache.backend.set(key, (result,))
        return result

    return wrapper
