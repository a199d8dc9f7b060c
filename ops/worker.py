"""gunicorn's threaded worker, telling the app when each request was queued for a thread.

A gthread worker accepts connections in its main loop and queues each request for one of its
threads; under saturation requests wait there, and a duration timed inside Flask misses that
wait. This worker stamps every request when it is queued (a new connection, or a kept-alive
one that became readable), keeps gauges of busy threads and waiting requests, and hands the
stamp to the request's thread (`queued_at()`), so ops.instrumentation can time each request
from that moment.
"""

from __future__ import annotations

import threading
import time

from gunicorn.workers.gthread import ThreadWorker

_current = threading.local()


def queued_at() -> float | None:
    """`time.perf_counter()` when gunicorn queued the request this thread is handling, or
    None outside this worker (tests, other servers)."""
    return getattr(_current, "queued_at", None)


class HubThreadWorker(ThreadWorker):
    def init_process(self):
        from ops import metrics

        self._metrics = metrics
        metrics.THREADS.set(self.cfg.threads)
        super().init_process()

    def enqueue_req(self, conn):
        conn.hub_queued_at = time.perf_counter()
        self._metrics.QUEUED_REQUESTS.inc()
        super().enqueue_req(conn)

    def handle(self, conn):
        self._metrics.QUEUED_REQUESTS.dec()
        self._metrics.BUSY_THREADS.inc()
        _current.queued_at = getattr(conn, "hub_queued_at", None)
        try:
            return super().handle(conn)
        finally:
            _current.queued_at = None
            self._metrics.BUSY_THREADS.dec()
