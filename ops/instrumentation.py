"""Wires logging, request ids, the access log, metrics and error telemetry into the app."""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid

from flask import Flask, g, got_request_exception, request

from data.runtime import runtime
from ops import metrics, telemetry
from ops.logs import ACCESS_LOGGER, configure_logging
from ops.redaction import redact
from ops.worker import queued_at

REQUEST_ID_HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
QUERY_LOGGED_CHARS = 2048  # of a query string in the access log; the rest is counted, not written
TRACEBACKS_PER_MINUTE = 20  # per process: beyond that, errors are logged without their traceback

CALLBACK_LOGGER = "analytics_hub.callbacks"  # callbacks.failures logs a callback's failure here
_access_log = logging.getLogger(ACCESS_LOGGER)


def instrument(app, settings) -> None:
    """Call once per process from create_app, after the callbacks are registered."""
    configure_logging(settings)
    server: Flask = app.server
    callback_route = f"{app.config.routes_pathname_prefix}_dash-update-component"
    # first of all before-request hooks, so that a request another hook answers early (a rate
    # limit, a sign-in redirect) still gets its id and its time
    server.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    server.after_request(lambda response: _finish_request(response, callback_route, app.callback_map))
    got_request_exception.connect(_report_exception, server)
    for logger in (server.logger, logging.getLogger(CALLBACK_LOGGER)):
        logger.addFilter(_flood_guard)  # one guard per process, added once
    runtime.cache.add_listener(metrics.observe_cache)


def _start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_queued = queued_at()
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if VALID_REQUEST_ID.match(offered) else uuid.uuid4().hex


def _finish_request(response, callback_route: str, callback_map):
    now = time.perf_counter()
    started = g.get("request_started", now)
    queued = g.get("request_queued")
    seconds = now - started
    route = request.url_rule.rule if request.url_rule else None
    waited = None if queued is None else max(0.0, started - queued)
    metrics.observe_request(request.method, route, response.status_code, seconds + (waited or 0.0), waited)
    callback = metrics.callback_label(g.get("callback_key"), callback_map) if route == callback_route else None
    if callback is not None:
        metrics.observe_callback(callback, seconds)
    extra = {"method": request.method, "path": request.path[:QUERY_LOGGED_CHARS],
             "route": route or metrics.UNMATCHED_ROUTE,
             "query": redact(request.query_string.decode("latin-1"), limit=QUERY_LOGGED_CHARS),
             "status": response.status_code, "duration_ms": round(seconds * 1000, 1),
             "bytes": response.content_length, "callback": callback}
    if g.get("refused"):
        extra["refused"] = g.refused
    _access_log.info("%s %s %s", request.method, extra["path"], response.status_code, extra=extra)
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    return response


class TracebackFloodGuard(logging.Filter):
    """At most `per_minute` tracebacks a minute from this process; past that an error is
    still logged, on one line without its traceback, so a burst of failures cannot rotate
    the earlier errors out of errors.log."""

    def __init__(self, per_minute: int):
        super().__init__()
        self.per_minute = per_minute
        self._minute, self._count = 0, 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info:
            return True
        with self._lock:
            minute = int(time.monotonic() // 60)
            self._minute, self._count = minute, (self._count + 1 if minute == self._minute else 1)
            over = self._count > self.per_minute
        if over:
            record.exc_info, record.exc_text = None, None
            record.msg = f"{record.getMessage()} (traceback not logged: over {self.per_minute} a minute)"
            record.args = None
        return True


_flood_guard = TracebackFloodGuard(TRACEBACKS_PER_MINUTE)


def _report_exception(_sender, exception: BaseException, **_extra) -> None:
    route = request.url_rule.rule if request.url_rule else metrics.UNMATCHED_ROUTE
    telemetry.track("error", where="request", route=route, error_type=type(exception).__name__)
