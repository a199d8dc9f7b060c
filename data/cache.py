"""Memoization of data-layer queries in a cache every worker shares.

diskcache (one SQLite file plus value files in CACHE_DIR, shared by every process, bounded by
CACHE_SIZE_LIMIT_MB, constant cost per read and write at any size) by default; Redis when
CACHE_REDIS_URL is set. A key names the code version, the query, the tenant and the tenant's
data version:

    hub:<code version>:<query>:<tenant>:<data version>:<digest of the arguments>

so one tenant never reads another's entry, and no entry outlives the code, the catalog or
the data it was computed from: a new release, an edited catalog or a data load makes new
keys, and the old entries expire unread (or are evicted, oldest stored first, at the size limit).

A cache that fails (Redis down, a disk error) never fails a request: the query runs uncached,
the failure is logged at most once a minute, `failing()` names it for /healthz and
Diagnostics, and the backend is tried again after a few seconds.

Statistics: hits and misses of this process, the entries and bytes stored in the backend, and
the durations of the most recent misses per query (a small ring buffer per process). Listeners
(e.g. the Prometheus counters) hear of every lookup.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from pathlib import Path

from cachelib import NullCache, RedisCache, SimpleCache

from data import catalog as catalog_module
from data.runtime import runtime
from data.tenancy import Tenant

KEY_PREFIX = "hub:"
TIMINGS_KEPT = 200  # most recent miss durations kept per query
STAT_NAMES = {"hit": "hits", "miss": "misses"}
# The code whose output is cached: queries and formulas, figure builders, views and charts,
# and the exports (PNG bytes are cached).
CACHED_CODE = ("data", "layouts", "services", "exports")
ROOT = Path(__file__).resolve().parent.parent
RETRY_AFTER_S = 5.0  # a failed backend is left alone this long, so requests do not each wait for it
PROBE_AFTER_S = 5.0  # asked whether it fails, a backend unused this long is tried first
PROBE_KEY = f"{KEY_PREFIX}probe"
WARN_EVERY_S = 60.0
DISK_BUSY_TIMEOUT_S = 2.0  # a write that cannot get diskcache's SQLite lock this fast is skipped
REDIS_TIMEOUT_S = 1.0
REDIS_DELETE_BATCH = 1000

log = logging.getLogger(__name__)

# listener(outcome, query_name, seconds): outcome "hit", "miss" or "error" (the backend failed);
# seconds of a miss's query, else None
Listener = Callable[[str, str, float | None], None]


class DiskBackend:
    """diskcache.Cache with the get/set/clear of the other backends. Reads never write
    (eviction is least-recently-stored), so workers reading at once do not contend."""

    def __init__(self, directory: Path, size_limit: int, default_timeout: int):
        import diskcache

        directory.mkdir(parents=True, exist_ok=True)
        self.store = diskcache.Cache(str(directory), size_limit=size_limit, timeout=DISK_BUSY_TIMEOUT_S,
                                     eviction_policy="least-recently-stored")
        self.default_timeout = default_timeout or None

    def get(self, key: str):
        return self.store.get(key)

    def set(self, key: str, value) -> None:
        self.store.set(key, value, expire=self.default_timeout)

    def add(self, key: str, value, timeout: int | None = None) -> bool:
        return self.store.add(key, value, expire=timeout or self.default_timeout)

    def clear(self) -> None:
        self.store.clear()

    def entries(self) -> int:
        return len(self.store)  # a stored count: constant time

    def size_bytes(self) -> int:
        return self.store.volume()  # the database's pages plus the value files' sizes: constant time


class RedisBackend(RedisCache):
    """cachelib's RedisCache, counting what the database holds in constant time (give the
    hub a Redis database of its own)."""

    def entries(self) -> int:
        return int(self._write_client.dbsize())

    def clear(self) -> bool:
        """Delete the hub's keys a batch at a time: each call stays short, whatever the size."""
        client, batch = self._write_client, []
        for key in client.scan_iter(match=f"{self.key_prefix}*", count=REDIS_DELETE_BATCH):
            batch.append(key)
            if len(batch) == REDIS_DELETE_BATCH:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        return True

    def size_bytes(self) -> int:
        return int(self._write_client.info("memory")["used_memory"])


class Cache:
    """One backend, protected against its failures, with this process's statistics."""

    def __init__(self, backend, name: str | None = None):
        self.backend = backend
        self.backend_name = name or type(backend).__name__
        self._stats: Counter = Counter()
        self._timings: defaultdict[str, deque] = defaultdict(lambda: deque(maxlen=TIMINGS_KEPT))
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._failure: tuple[float, str] | None = None  # (monotonic time, reason) of the last failure
        self._last_success = 0.0
        self._last_attempt = 0.0
        self._warned_at = -WARN_EVERY_S

    @classmethod
    def from_settings(cls, settings) -> Cache:
        timeout = settings.cache_default_timeout
        if settings.cache_type == "redis":
            import redis

            client = redis.Redis.from_url(settings.cache_redis_url, socket_timeout=REDIS_TIMEOUT_S,
                                          socket_connect_timeout=REDIS_TIMEOUT_S)
            return cls(RedisBackend(host=client, default_timeout=timeout, key_prefix=KEY_PREFIX), "RedisCache")
        if settings.cache_type == "disk":
            return cls(DiskBackend(settings.cache_dir, settings.cache_size_limit_mb * 1024 * 1024, timeout),
                       "DiskCache")
        if settings.cache_type == "simple":
            return cls(SimpleCache(default_timeout=timeout))
        return cls(NullCache())

    # --- reads and writes that never fail a request ------------------------------------

    def get(self, key: str):
        """The stored value, or None when there is none or the backend cannot answer now."""
        return self._guarded(self.backend.get, key)

    def set(self, key: str, value) -> None:
        self._guarded(self.backend.set, key, value)

    def claim(self, key: str, seconds: int, owner: str) -> bool:
        """Store `owner` under `key` for `seconds` unless another owner is there: True for the
        caller whose owner is stored (now, or by an earlier call of the same owner). With the
        backend failing, True: the caller does the work rather than nobody."""
        return self._guarded(self.backend.add, key, owner, seconds) is not False or self.get(key) == owner

    def _guarded(self, operation, *args):
        if self._resting():
            return None
        self._last_attempt = time.monotonic()
        try:
            result = operation(*args)
        except Exception as error:  # any backend error: serve uncached, say so, try again later
            self._failed(error)
            return None
        self._last_success = time.monotonic()
        return result

    def _resting(self) -> bool:
        failure = self._failure
        return failure is not None and failure[0] > self._last_success and \
            time.monotonic() - failure[0] < RETRY_AFTER_S

    def _failed(self, error: Exception) -> None:
        now = time.monotonic()
        reason = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
        with self._lock:
            self._failure = (now, reason[:200])
            self._stats["errors"] += 1
            warn = now - self._warned_at >= WARN_EVERY_S
            if warn:
                self._warned_at = now
            listeners = list(self._listeners)
        if warn:
            log.warning("the %s cannot be used, serving uncached (%s); next warning in a minute at most",
                        self.backend_name, reason)
        for listener in listeners:
            listener("error", "", None)

    def failing(self) -> str | None:
        """Why the backend failed, while its last operation failed; else None. A backend this
        process has not used for a few seconds is tried first (one read), so the answer is
        current even when every thread was busy elsewhere."""
        if time.monotonic() - self._last_attempt > PROBE_AFTER_S:
            self.get(PROBE_KEY)
        failure = self._failure
        if failure is None or failure[0] < self._last_success:
            return None
        return failure[1]

    # --- what the backend holds ----------------------------------------------------------

    def clear(self) -> int | None:
        """Empty the shared cache (every worker sees the change at once). Returns the number
        of entries there were, or None when the backend cannot count them."""
        entries = self.entry_count()
        self.backend.clear()
        self._count("clears")
        return entries

    def entry_count(self) -> int | None:
        """Entries stored in the backend; None for the per-process SimpleCache, which cannot say."""
        if isinstance(self.backend, NullCache):
            return 0
        return self.backend.entries() if hasattr(self.backend, "entries") else None

    def size_bytes(self) -> int | None:
        """Bytes the backend holds (diskcache: its files; Redis: the server's memory), or None."""
        return self.backend.size_bytes() if hasattr(self.backend, "size_bytes") else None

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
        cached = cache.get(key)
        if cached is not None:
            cache.record("hit", query.__name__)
            return cached[0]
        started = time.perf_counter()
        result = query(tenant, *args)
        cache.record("miss", query.__name__, time.perf_counter() - started)
        cache.set(key, (result,))
        return result

    return wrapper
