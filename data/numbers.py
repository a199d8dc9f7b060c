"""Reading a number that people or programs typed, within bounds, in one place."""

from __future__ import annotations


def bounded_number(text: str | None, kind: type[int] | type[float], low: float, high: float):
    """`text` as an int or float between `low` and `high` inclusive; None when it is not one
    (a missing value is for the caller to default)."""
    try:
        value = kind(text)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if low <= value <= high else None
