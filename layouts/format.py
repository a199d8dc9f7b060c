"""How numbers are written on screen."""

from __future__ import annotations

import math

from data.catalog import Indicator
from layouts.text import t


def format_number(value: float | None, decimals: int, lang: str = "en") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("no_value", lang)
    return f"{value:,.{decimals}f}"


def format_value(value: float | None, indicator: Indicator, lang: str = "en") -> str:
    """The value with the indicator's precision and unit, e.g. '18.8 % of energy'."""
    text = format_number(value, indicator.decimals, lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return text
    return f"{text} {indicator.unit(lang)}"
