"""Prometheus metrics, correct under several gunicorn workers.

gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR before any worker imports prometheus_client,
so each worker writes its samples to files there and /metrics adds up every worker's.
Every label has a small fixed set of values: routes are Flask's URL rules (never raw paths),
callbacks are the app's registered outputs, formats and outcomes are fixed lists.

Request durations count from the moment gunicorn queued the request for a thread (see
ops.worker), so the wait for a free thread under saturation is in them; the wait alone is
`http_request_queue_seconds`, and the threads busy and requests waiting are gauges. The
cache's entries and bytes are read from the backend when /metrics is scraped.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
EXPORT_FORMATS = frozenset({"png", "csv", "xlsx", "pdf"})
UPLOAD_OUTCOMES = frozenset({"loaded", "rejected", "unchanged"})
UNMATCHED_ROUTE = "unmatched"
UNKNOWN_CALLBACK = "unknown"
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)

REQUESTS = Counter("http_requests_total", "HTTP requests answered",
                   ["method", "route", "status"])
REQUEST_SECONDS = Histogram("http_request_duration_seconds",
                            "Time to answer an HTTP request, from when gunicorn queued it for a thread",
                            ["method", "route"], buckets=SECONDS_BUCKETS)
QUEUE_SECONDS = Histogram("http_request_queue_seconds", "Time a request waited for a free worker thread",
                          buckets=SECONDS_BUCKETS)
THREADS = Gauge("gunicorn_threads", "Request threads of the live workers", multiprocess_mode="livesum")
BUSY_THREADS = Gauge("gunicorn_busy_threads", "Request threads handling a request now", multiprocess_mode="livesum")
QUEUED_REQUESTS = Gauge("gunicorn_queued_requests", "Requests waiting for a free thread now",
                        multiprocess_mode="livesum")
CACHE_ERRORS = Counter("cache_errors_total", "Cache reads and writes that failed and were served uncached")
CALLBACK_SECONDS = Histogram("dash_callback_duration_seconds", "Time to answer a Dash callback, by output",
                             ["output"], buckets=SECONDS_BUCKETS)
CACHE_HITS = Counter("cache_hits_total", "Query results served from the shared cache", ["query"])
CACHE_MISSES = Counter("cache_misses_total", "Query results computed because the cache had none", ["query"])
QUERY_SECONDS = Histogram("query_duration_seconds", "Time of a data-layer query on a cache miss",
                          ["query"], buckets=SECONDS_BUCKETS)
EXPORTS = Counter("exports_total", "Files exported, by format", ["format"])
UPLOADS = Counter("uploads_total", "Data files uploaded, by outcome", ["outcome"])


def observe_request(method: str, route: str | None, status: int, seconds: float,
                    queued_seconds: float | None = None) -> None:
    """One answered request: `seconds` from when it was queued for a thread (or, outside
    gunicorn, from when the handler started) and, when known, the part spent waiting."""
    method = method if method in HTTP_METHODS else "other"
    route = route or UNMATCHED_ROUTE
    REQUESTS.labels(method, route, str(status)).inc()
    REQUEST_SECONDS.labels(method, route).observe(seconds)
    if queued_seconds is not None:
        QUEUE_SECONDS.observe(queued_seconds)


def observe_callback(output: str, seconds: float) -> None:
    CALLBACK_SECONDS.labels(output).observe(seconds)


def callback_label(output: object, registered) -> str:
    """The label of a callback from the request's "output" field: the output itself when
    the app registered it ("page-content.children"), the first output and how many more for
    a callback with several ("filter-period.value+16"), else "unknown"."""
    if not isinstance(output, str) or output not in registered:
        return UNKNOWN_CALLBACK
    if not output.startswith(".."):
        return output
    outputs = output.strip(".").split("...")
    return f"{outputs[0]}+{len(outputs) - 1}"


def observe_cache(outcome: str, query: str, seconds: float | None) -> None:
    """A data.cache listener: hits and misses by query, the query time of each miss, and
    the backend's failures."""
    if outcome == "error":
        CACHE_ERRORS.inc()
        return
    if outcome == "hit":
        CACHE_HITS.labels(query).inc()
        return
    CACHE_MISSES.labels(query).inc()
    if seconds is not None:
        QUERY_SECONDS.labels(query).observe(seconds)


def count_export(fmt: str) -> None:
    """Count one exported file; `fmt` is one of png, csv, xlsx, pdf."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(sorted(EXPORT_FORMATS))}")
    EXPORTS.labels(fmt).inc()


def count_upload(outcome: str) -> None:
    """Count one uploaded file; `outcome` is "loaded", "rejected" or "unchanged" (nothing new)."""
    if outcome not in UPLOAD_OUTCOMES:
        raise ValueError(f"unknown upload outcome {outcome!r}: use loaded, rejected or unchanged")
    UPLOADS.labels(outcome).inc()


def exposition(cache=None) -> tuple[bytes, str]:
    """The Prometheus text of every worker's metrics, with the shared cache's size when given,
    and its content type."""
    registry = _registry()
    if cache is not None:
        registry = _with(registry, CacheSizeCollector(cache))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def totals(*names: str) -> dict[str, float]:
    """The sum over all workers and labels of each named counter (e.g. "cache_hits_total")."""
    sums = dict.fromkeys(names, 0.0)
    for family in _registry().collect():
        for sample in family.samples:
            if sample.name in sums:
                sums[sample.name] += sample.value
    return sums


def _registry() -> CollectorRegistry:
    if not os.environ.get(MULTIPROCESS_VARIABLE):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


class CacheSizeCollector:
    """`cache_entries` and `cache_size_bytes`, read from the shared backend at scrape time
    (constant cost for diskcache and Redis); nothing when the backend cannot say or fails."""

    def __init__(self, cache):
        self.cache = cache

    def collect(self):
        for name, documentation, read in (
                ("cache_entries", "Entries the shared query cache holds", self.cache.entry_count),
                ("cache_size_bytes", "Bytes the shared query cache holds (Redis: the server's memory)",
                 self.cache.size_bytes)):
            try:
                value = read()
            except Exception:  # a cache that cannot answer is reported by cache_errors_total and /healthz
                value = None
            if value is not None:
                yield GaugeMetricFamily(name, documentation, value=value)


def _with(registry: CollectorRegistry, collector) -> CollectorRegistry:
    """A registry of `registry`'s metrics and `collector`'s, leaving `registry` as it was."""
    combined = CollectorRegistry()
    combined.register(_Everything(registry))
    combined.register(collector)
    return combined


class _Everything:
    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()
