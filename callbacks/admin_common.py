"""What the stewards' pages share (issue 14): who acts, the audit entry of each change, and
reading a change's reason and effective date from the form."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import dash_bootstrap_components as dbc

from data.runtime import runtime
from data.tenancy import current_tenant
from security import audit
from security.limits import client_address
from security.web import signed_in


def actor() -> str | None:
    """The signed-in user's name (None while sign-in is off)."""
    account = signed_in()
    return account.username if account else None


def audited(action: str, **detail) -> None:
    """Record an action of the signed-in user for the request's tenant."""
    audit.record(runtime.engine, action, current_tenant().id, actor(), client_address(), **detail)


def today() -> date:
    return datetime.now(UTC).date()


def read_date(text) -> date | None:
    """An ISO date from a date input; None when empty or malformed (the check refuses it)."""
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def read_number(value) -> float | None:
    """A number from a number input (Dash sends int, float, None, or text when typed oddly)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value) if isinstance(value, str) and value.strip() else None
    except ValueError:
        return None


def read_weights(components, values) -> dict[str, float]:
    """A form's weights by component; an empty or unreadable field counts as NaN, which the
    check refuses."""
    return {cid: (number if (number := read_number(v)) is not None else math.nan)
            for cid, v in zip(components, values, strict=True)}


def success(text: str) -> dbc.Alert:
    return dbc.Alert(text, color="success")
