"""Quarters: parsing, formatting and arithmetic in one place."""

from __future__ import annotations

import re
from typing import NamedTuple

_PERIOD = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


class Period(NamedTuple):
    year: int
    quarter: int

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def ordinal(self) -> int:
        """Quarters since year 0: makes ranges and differences simple integer arithmetic."""
        return self.year * 4 + self.quarter - 1

    @classmethod
    def from_ordinal(cls, ordinal: int) -> Period:
        return cls(ordinal // 4, ordinal % 4 + 1)

    def shift(self, quarters: int) -> Period:
        return Period.from_ordinal(self.ordinal + quarters)

    @property
    def previous(self) -> Period:
        return self.shift(-1)

    @property
    def year_ago(self) -> Period:
        return self.shift(-4)


def parse_period(text: str) -> Period:
    """Parse '2025Q4' (also '2025-Q4', '2025 q4'); ValueError with a clear message otherwise."""
    match = _PERIOD.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a quarter like 2025Q4")
    year = int(match.group(1))
    if not 1900 <= year <= 2100:
        raise ValueError(f"year {year} is out of range")
    return Period(year, int(match.group(2)))
