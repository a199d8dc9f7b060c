"""Log files under LOG_DIR, as JSON lines, safe to write from several worker processes.

| file | what | rotation |
|---|---|---|
| analytics_hub.log | everything at LOG_LEVEL and above | LOG_MAX_BYTES (10 MB) x 5 |
| errors.log | errors, with their traceback | LOG_MAX_BYTES (10 MB) x 10 |
| access.log | one line per HTTP request | daily at midnight UTC, 30 kept |
| telemetry.jsonl | usage events (ops.telemetry) | weekly on Monday UTC, 26 kept |

Every line has time, level, logger, message, request_id and pid; secrets and personal data
are redacted before anything is written (ops.redaction).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler, TimedRotatingFileHandler
from pathlib import Path

from flask import g, has_request_context

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


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": _timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "pid": record.process,
        }
        entry.update({name: getattr(record, name) for name in _extra_fields(record)})
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str, ensure_ascii=False)


class TelemetryFormatter(logging.Formatter):
    """A telemetry line is the event itself (see ops.telemetry.track)."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(record.event, default=str, ensure_ascii=False)


class _SharedFileMixin:
    """For a file that several worker processes append to: an exclusive lock (flock on a
    side file) around every write and rotation, and a reopen when another process has
    rotated the file away, so no line is lost or written to a rotated file."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            with self._interprocess_lock():
                self._reopen_if_rotated()
                super().emit(record)
        except Exception:  # as every logging handler: report on stderr, never raise into the caller
            self.handleError(record)

    def close(self) -> None:
        super().close()
        lock = getattr(self, "_lock_file", None)
        if lock is not None:
            lock.close()

    @contextlib.contextmanager
    def _interprocess_lock(self):
        lock = getattr(self, "_lock_file", None)
        # a lock file opened before a fork is shared with the parent; one closed by close() is reopened
        if lock is None or lock.closed or self._lock_pid != os.getpid():
            self._lock_file = open(f"{self.baseFilename}.lock", "a")  # noqa: SIM115 closed in close()
            self._lock_pid = os.getpid()
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _reopen_if_rotated(self) -> None:
        if self.stream is None:
            return
        try:
            on_disk = os.stat(self.baseFilename)
        except FileNotFoundError:
            on_disk = None
        mine = os.fstat(self.stream.fileno())
        if on_disk is None or (on_disk.st_dev, on_disk.st_ino) != (mine.st_dev, mine.st_ino):
            self.stream.close()
            self.stream = self._open()
            self._rotated_elsewhere()

    def _rotated_elsewhere(self) -> None:
        """Called after reopening a file another process rotated."""


class SharedRotatingFileHandler(_SharedFileMixin, RotatingFileHandler):
    pass


class SharedTimedRotatingFileHandler(_SharedFileMixin, TimedRotatingFileHandler):
    def _rotated_elsewhere(self) -> None:
        self.rolloverAt = self.computeRollover(int(time.time()))


def _install(logger: logging.Logger, handler: logging.Handler, level: int = logging.NOTSET,
             formatter: logging.Formatter | None = None) -> None:
    handler.setLevel(level)
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
