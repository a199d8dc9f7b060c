"""What a user sees when building something failed: a short message with a reference that
finds the full error in the log, never a traceback."""

from __future__ import annotations

import logging
import uuid

import dash_bootstrap_components as dbc

from layouts.components import message
from layouts.text import t
from ops.telemetry import track

log = logging.getLogger("analytics_hub.callbacks")


def failure_message(where: str, error: Exception, body_key: str = "error_body", lang: str = "en", level: int = 2,
                    **context) -> dbc.Alert:
    """Log the error being handled with a new reference, trace it, and return the message in
    `lang` (a page-level heading with `level` 1). Call it from an `except` block."""
    reference = uuid.uuid4().hex[:8]
    log.exception("%s failed (reference %s)", where, reference)
    track("error", where=where, error_type=type(error).__name__, reference=reference, **context)
    return message(t("error_title", lang), t(body_key, lang, reference=reference), "danger", level=level)
