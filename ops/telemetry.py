"""Usage telemetry: one JSON line per event in LOG_DIR/telemetry.jsonl.

Every line has time, event_type, request_id and tenant, plus the event's own fields:

| event | fields (by convention) |
|---|---|
| page_view | page, query |
| filter_change | filter, value |
| export_png, export_csv, export_xlsx, export_pdf | figure (PNG only, else null), indicator, regions (how many) |
| data_upload | batch_id, rows, rejected, outcome |
| cache_clear | entries, backend |
| login | success, role (the tenant is the account's) |
| error | where, page or route, error_type, reference |

Fields go through the same redaction as the logs: never pass a password, token or
personal data on purpose.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import UTC, datetime

from flask import current_app, g, has_app_context

from ops.logs import TELEMETRY_LOGGER, current_request_id

EVENTS = frozenset({
    "page_view", "filter_change", "export_png", "export_csv", "export_xlsx", "export_pdf",
    "data_upload", "cache_clear", "login", "error",
})
PSEUDONYM_LENGTH = 16

_log = logging.getLogger(TELEMETRY_LOGGER)


def track(event: str, **fields) -> None:
    """Record one usage event. Unknown event names are refused, so the vocabulary stays fixed."""
    if event not in EVENTS:
        raise ValueError(f"unknown telemetry event {event!r}: use one of {', '.join(sorted(EVENTS))}")
    entry = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "event_type": event,
        "request_id": current_request_id(),
        "tenant": _tenant_id(),
        **fields,
    }
    _log.info(event, extra={"event": entry})


def login(username: str, success: bool, reason: str | None = None) -> None:
    """A sign-in attempt: the user as a keyed pseudonym (the same user gives the same
    pseudonym; the name cannot be read back), the outcome and, on failure, why. The
    password is never a parameter."""
    track("login", user=pseudonym(username), outcome="success" if success else "failure", reason=reason)


def pseudonym(value: str) -> str:
    """A stable keyed hash of `value` (HMAC-SHA256 with the app's secret key)."""
    key = current_app.secret_key.encode()
    return hmac.new(key, value.strip().lower().encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def _tenant_id() -> str | None:
    if not has_app_context():
        return None
    return g.get("hub_tenant")  # as the sign-in guard decided it; None before the guard has run
