"""How numbers, quarters and times are written, per language, with Babel (CLDR): `en`, and
`ar-SA` with Arabic quarter names. Arabic-Indic digits (٠١٢…) are a setting (ARABIC_DIGITS);
Babel keeps Latin digits, so they are swapped in here, after formatting."""

from __future__ import annotations

import math
from datetime import datetime

from babel import dates, numbers

from data.catalog import Indicator
from data.periods import Period
from layouts.text import language, t

LOCALES = {"en": "en", "ar": "ar_SA"}
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_MARKS = str.maketrans("", "", "\u200e\u200f\u061c")
LEFT_TO_RIGHT_MARK = "\u200e"  # keeps a sign before its number inside right-to-left text: -0.13, not 0.13-
PERCENT_SIGN = {"en": "%", "ar": "٪"}


def arabic_indic_digits() -> bool:
    """Whether Arabic text uses Arabic-Indic digits (the ARABIC_DIGITS setting)."""
    from data.runtime import NotConfigured, runtime

    try:
        return runtime.settings.arabic_digits == "arabic-indic"
    except NotConfigured:
        return False


def digits(text: str, lang: str) -> str:
    """`text` with its digits in the language's digit style."""
    return text.translate(ARABIC_INDIC) if language(lang) == "ar" and arabic_indic_digits() else text


def _locale(lang: str) -> str:
    return LOCALES[language(lang)]


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | None, decimals: int, lang: str = "en", signed: bool = False) -> str:
    """The number with grouping and `decimals` places, e.g. 12,345.6; `signed` adds + to
    positive numbers. "No data" for a missing value."""
    if missing(value):
        return t("no_value", lang)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    if signed:
        pattern = f"+{pattern};-{pattern}"
    text = numbers.format_decimal(value, format=pattern, locale=_locale(lang), numbering_system="latn")
    return _signed_ltr(digits(text.translate(_MARKS), lang), lang)


def _signed_ltr(text: str, lang: str) -> str:
    return LEFT_TO_RIGHT_MARK + text if language(lang) == "ar" and text[:1] in "+-" else text


def format_percent(value: float | None, decimals: int, lang: str = "en") -> str:
    """A share written as a percentage: 0.153 -> 15% (with `decimals` places)."""
    if missing(value):
        return t("no_value", lang)
    return format_number(value * 100, decimals, lang) + PERCENT_SIGN[language(lang)]


def format_integer(value: int | None, lang: str = "en") -> str:
    return format_number(value, 0, lang)


def format_value(value: float | None, indicator: Indicator, lang: str = "en") -> str:
    """The value with the indicator's precision and unit, e.g. '18.8 % of energy'."""
    text = format_number(value, indicator.decimals, lang)
    return text if missing(value) else f"{text} {indicator.unit(lang)}"


def format_period(period: Period, lang: str = "en") -> str:
    """A quarter as people of the language write it: 2025Q4 (the form links use), or
    'الربع الرابع 2025' with Babel's Arabic quarter names."""
    if language(lang) == "en":
        return str(period)
    name = dates.get_quarter_names("abbreviated", locale=_locale(lang))[period.quarter]
    return digits(f"{name} {period.year}", lang)


def format_time(moment: datetime, lang: str = "en", seconds: bool = True) -> str:
    """A timestamp in the language's digits: year-month-day hours:minutes(:seconds) in English,
    day/month/year in Arabic. After Arabic letters, digits are Arabic numbers to the bidi
    algorithm, which keeps them together across "/" and ":" but not across "-": a hyphenated
    date would show its parts in reverse order."""
    day = "yyyy-MM-dd" if lang == "en" else "dd/MM/yyyy"
    pattern = f"{day} HH:mm:ss" if seconds else f"{day} HH:mm"
    return digits(dates.format_datetime(moment, pattern, locale=_locale(lang)), lang)
