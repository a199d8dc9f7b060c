"""Log files under LOG_DIR, as JSON lines, safe to write from several worker processes.

| file | what | rotation |
|---|---|---|
| analytics_hub.log | everything at LOG_LEVEL and above | LOG_MAX_BYTES (10 MB) x 5 |
| errors.log | errors, with their traceback | LOG_MAX_BYTES (10 MB) x 10 |
| access.log | one line per HTTP request | daily at midnight UTC, 30 kept |
| telemetry.jsonl | usage events (ops.telemetry) | weekly on Monday UTC, 26 kept |

Every line has time, level, logger, message, request_id and pid; secrets and personal data
are redacted before anything is written (ops.redaction). Lines are JSON by python-json-logger;
the files are shared by every worker process through concurrent-log-handler (a lock file
`.__<name>.lock` beside each serialises writes and rotation). A write that fails (a full
disk) never raises and never floods stderr: see WriteHealth.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from concurrent_log_handler import ConcurrentRotatingFileHandler, ConcurrentTimedRotatingFileHandler
from flask import g, has_request_context
from pythonjsonlogger import json as jsonlogger

from ops.redaction import redact, redact_value

APP_LOG = "analytics_hub.log"
ERROR_LOG = "errors.log"
ACCESS_LOG = "access.log"
TELEMETRY_LOG = "telemetry.jsonl"
APP_BACKUPS = 5
ERROR_BACKUPS = 10
ACCESS_DAYS_KEPT = 30
TELEMETRY_WEEKS_KEPT = 26
ACCESS_LOGGER = "analytics_hub.access"
TELEMETRY_LOGGER = "analytics_hub.telemetry"
ERROR_TAIL_BYTES = 64 * 1024

# attributes every LogRecord has; anything else on a record was passed as `extra`
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_installed: list[tuple[logging.Logger, logging.Handler]] = []


def configure_logging(settings) -> None:
    """Write the four log files of `settings.log_dir` from this process. Calling it again
    replaces the handlers it installed before, never adds a second set."""
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    _remove_installed()
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    folder, size = settings.log_dir, settings.log_max_bytes
    for name in (APP_LOG, ERROR_LOG, ACCESS_LOG, TELEMETRY_LOG):
        (folder / name).touch()  # every file is there from the start, as the runbook lists them
    _install(root, SharedRotatingFileHandler(folder / APP_LOG, maxBytes=size, backupCount=APP_BACKUPS))
    _install(root, SharedRotatingFileHandler(folder / ERROR_LOG, maxBytes=size, backupCount=ERROR_BACKUPS),
             level=logging.ERROR)
    _install(_own_logger(ACCESS_LOGGER), SharedTimedRotatingFileHandler(
        folder / ACCESS_LOG, when="midnight", backupCount=ACCESS_DAYS_KEPT, utc=True))
    _install(_own_logger(TELEMETRY_LOGGER), SharedTimedRotatingFileHandler(
        folder / TELEMETRY_LOG, when="W0", backupCount=TELEMETRY_WEEKS_KEPT, utc=True),
        formatter=TelemetryFormatter())


def log_to_console() -> None:
    """Also write the application log to stderr (what `docker logs` and `make run` show)."""
    _install(logging.getLogger(), logging.StreamHandler(sys.stderr))


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def recent_errors(log_dir: Path, limit: int = 10) -> list[dict]:
    """The last `limit` entries of errors.log, newest first: time and the message's first line."""
    path = log_dir / ERROR_LOG
    if not path.exists():
        return []
    with path.open("rb") as file:
        file.seek(max(0, path.stat().st_size - ERROR_TAIL_BYTES))
        lines = file.read().decode("utf-8", errors="replace").splitlines()
    entries = []
    for line in reversed(lines):
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            entries.append({"time": entry["time"], "message": entry["message"].splitlines()[0][:300]})
        if len(entries) == limit:
            break
    return entries


class QuietLibraries(logging.Filter):
    """Keeps the PNG renderer's libraries (kaleido, choreographer, logistro) to their warnings
    and errors: their info and debug lines about browser tabs would fill analytics_hub.log."""

    PACKAGES = ("kaleido", "choreographer", "logistro")
    _folders = tuple(f"{os.sep}{name}{os.sep}" for name in PACKAGES)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        from_library = record.name.split(".")[0] in self.PACKAGES or any(f in record.pathname for f in self._folders)
        return not from_library


class RedactingFilter(logging.Filter):
    """Masks credentials and personal data in the message, the traceback and extra fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        for name in _extra_fields(record):
            setattr(record, name, redact_value(name, getattr(record, name)))
        return True


class JsonFormatter(jsonlogger.JsonFormatter):
    """python-json-logger, with the hub's fields first: time, level, logger, message,
    request_id, pid; then any `extra` fields; then the (redacted) exception."""

    def __init__(self):
        super().__init__(json_default=str, json_ensure_ascii=False)

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        log_data.update({
            "time": _timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "pid": record.process,
        })
        log_data.update({name: getattr(record, name) for name in _extra_fields(record)})
        if record.exc_text:
            log_data["exception"] = record.exc_text  # as RedactingFilter left it, never the raw traceback


class TelemetryFormatter(JsonFormatter):
    """A telemetry line is the event itself (see ops.telemetry.track)."""

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        log_data.update(record.event)


class WriteHealth:
    """Whether log lines reach their files. A failed write (a full disk, a read-only or
    missing folder) is counted and named by `failing()` for /healthz and Diagnostics, and
    reported on stderr at most once a minute, never as a traceback per line."""

    WARN_EVERY_S = 60.0
    FORGET_AFTER_S = 300.0  # a file not written since its last failure counts as failing this long

    def __init__(self):
        self._lock = threading.Lock()
        self._files: dict[str, dict] = {}
        self._warned_at = -self.WARN_EVERY_S
        self.failures = 0

    def succeeded(self, name: str) -> None:
        state = self._files.get(name)
        if state is not None and state["failed_at"] > state["ok_at"]:
            with self._lock:
                state["ok_at"] = time.monotonic()

    def failed(self, name: str, error: BaseException | None) -> None:
        now = time.monotonic()
        reason = f"{name}: {error}" if error else name
        with self._lock:
            self._files.setdefault(name, {"ok_at": 0.0})
            self._files[name].update(failed_at=now, reason=reason)
            self.failures += 1
            warn = now - self._warned_at >= self.WARN_EVERY_S
            if warn:
                self._warned_at, count = now, self.failures
        if warn:
            with contextlib.suppress(Exception):
                sys.stderr.write(f"analytics-hub: log lines cannot be written ({reason}); {count} failed so far. "
                                 "Serving goes on; the next warning comes in a minute at the earliest.\n")

    def failing(self) -> str | None:
        now = time.monotonic()
        with self._lock:
            reasons = [state["reason"] for state in self._files.values()
                       if state["failed_at"] > state["ok_at"] and now - state["failed_at"] < self.FORGET_AFTER_S]
        return "; ".join(sorted(reasons)) or None


write_health = WriteHealth()


LOG_DISK_MIN_FREE = 1024 * 1024  # below this the log disk counts as full, even for a process that wrote nothing yet


def failing(log_dir: Path | None = None) -> str | None:
    """Why log lines cannot be written now (this process's last writes failed, or the log
    folder's disk is full), or None when they can."""
    reason = write_health.failing()
    if reason is None and log_dir is not None:
        with contextlib.suppress(OSError):
            free = shutil.disk_usage(log_dir).free
            if free < LOG_DISK_MIN_FREE:
                reason = f"the disk of {log_dir} is full ({free:,} bytes free)"
    return reason


class _QuietFailures:
    """concurrent-log-handler's emit, with failures told to `write_health` instead of a
    traceback on stderr for every line."""

    def emit(self, record: logging.LogRecord) -> None:
        self._hub_failed = False
        super().emit(record)
        if not self._hub_failed:
            write_health.succeeded(os.path.basename(self.baseFilename))

    def handleError(self, record: logging.LogRecord) -> None:
        self._hub_failed = True
        write_health.failed(os.path.basename(self.baseFilename), sys.exc_info()[1])


class SharedRotatingFileHandler(_QuietFailures, ConcurrentRotatingFileHandler):
    """Several worker processes append to one file, rotated by size (lock file `.__<name>.lock`)."""


class SharedTimedRotatingFileHandler(_QuietFailures, ConcurrentTimedRotatingFileHandler):
    """Several worker processes append to one file, rotated by time."""


def _install(logger: logging.Logger, handler: logging.Handler, level: int = logging.NOTSET,
             formatter: logging.Formatter | None = None) -> None:
    handler.setLevel(level)
    handler.addFilter(QuietLibraries())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(formatter or JsonFormatter())
    logger.addHandler(handler)
    _installed.append((logger, handler))


def _remove_installed() -> None:
    while _installed:
        logger, handler = _installed.pop()
        logger.removeHandler(handler)
        handler.close()


def _own_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # its own file only
    return logger


def _extra_fields(record: logging.LogRecord) -> list[str]:
    return [name for name in vars(record) if name not in _RECORD_ATTRIBUTES]


def _timestamp(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
