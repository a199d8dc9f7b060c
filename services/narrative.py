"""The summary in words of a selection at a quarter, in English or Arabic: each sentence is a
text key (layouts/text.py) filled with numbers from the same functions as the charts and
tables (the index breakdown, the movers, the forecasts' target outlook, the values that
stand out). Nothing is written that the numbers do not say."""

from __future__ import annotations

import pandas as pd

from data import aggregate, queries
from data.catalog import INDEX_ID, catalog
from data.periods import Period
from data.regions import region_name
from data.tenancy import Tenant
from layouts.components import change_text, scope_label, shown_change
from layouts.format import digits, format_number, format_period, format_value
from layouts.text import t
from services.insight import anomalies_in, scope_code, target_outlooks

DRIVERS_SHOWN = 2
DRIVER_DECIMALS = 2  # points of the index, as in the breakdown table's contributions


def narrative(tenant: Tenant, period: Period, regions: tuple[str, ...], lang: str = "en") -> list[str]:
    """The sentences, in order: the index and its drivers, the largest improvement and
    deterioration, the target outlook, the values that stand out."""
    sentences = [index_sentence(tenant, period, regions, lang), drivers_sentence(tenant, period, regions, lang),
                 movers_sentence(tenant, period, regions, lang), *outlook_sentences(tenant, regions, lang),
                 unusual_sentence(tenant, period, regions, lang)]
    return [s for s in sentences if s]


def index_sentence(tenant: Tenant, period: Period, regions: tuple[str, ...], lang: str) -> str:
    now = queries.index_breakdown(tenant, period, regions)
    before = queries.index_breakdown(tenant, period.year_ago, regions)
    scope = scope_label(queries.scope_of(regions), lang)
    decimals = catalog()[INDEX_ID].decimals
    if now.value is None or before.value is None:
        return t("story_index_missing", lang, scope=scope, period=format_period(period, lang))
    change = round(now.value - before.value, decimals) + 0.0
    return t("story_index", lang, scope=scope, period=format_period(period, lang),
             value=format_number(now.value, decimals, lang),
             change=format_number(change, decimals, lang, signed=bool(change)),
             before=format_period(period.year_ago, lang))


def drivers_sentence(tenant: Tenant, period: Period, regions: tuple[str, ...], lang: str) -> str | None:
    now = queries.index_breakdown(tenant, period, regions)
    before = queries.index_breakdown(tenant, period.year_ago, regions)
    if now.value is None or before.value is None:
        return None
    drivers = aggregate.index_drivers(now, before).head(DRIVERS_SHOWN)
    parts = [t("story_driver", lang, name=catalog()[row.component].name(lang),
               delta=format_number(row.delta, DRIVER_DECIMALS, lang, signed=bool(round(row.delta, 2))))
             for row in drivers.itertuples(index=False)]
    return t("story_drivers", lang, drivers=t("list_separator", lang).join(parts)) if parts else None


def movers_sentence(tenant: Tenant, period: Period, regions: tuple[str, ...], lang: str) -> str:
    movers = queries.movers(tenant, period, regions)
    better, worse = movers[movers["score_change"] > 0], movers[movers["score_change"] < 0]
    parts = []
    if len(better):
        parts.append(t("story_best", lang, **_mover(better.loc[better["score_change"].idxmax()], lang)))
    if len(worse):
        parts.append(t("story_worst", lang, **_mover(worse.loc[worse["score_change"].idxmin()], lang)))
    return " ".join(parts) if parts else t("story_no_movers", lang)


def _mover(row: pd.Series, lang: str) -> dict:
    indicator = catalog()[row["indicator_id"]]
    change = change_text(shown_change(row["change"], indicator)[0], indicator, lang)
    return {"name": indicator.name(lang), "change": change, "unit": indicator.unit(lang)}


def outlook_sentences(tenant: Tenant, regions: tuple[str, ...], lang: str) -> list[str]:
    code = scope_code(regions)
    outlooks = target_outlooks(tenant, code)
    if code is None:
        return [t("story_outlook_combined", lang)]
    if outlooks is None:
        return [t("story_outlook_computing", lang)]
    return [t(f"story_outlook_{outlook}", lang, name=catalog()[indicator_id].name(lang),
              year=digits(str(year), lang) if year else "")
            for indicator_id, outlook, year in outlooks]


def unusual_sentence(tenant: Tenant, period: Period, regions: tuple[str, ...], lang: str) -> str:
    start = period.shift(-3)
    found = anomalies_in(tenant, regions, start, period)
    when = {"start": format_period(start, lang), "end": format_period(period, lang)}
    if found is None:
        return t("story_unusual_computing", lang)
    if found.empty:
        return t("story_unusual_none", lang, **when)
    top = found.iloc[0]
    indicator = catalog()[top["indicator_id"]]
    return t("story_unusual", lang, count=format_number(len(found), 0, lang), name=indicator.name(lang),
             region=region_name(top["region_code"], lang),
             period=format_period(Period(int(top["year"]), int(top["quarter"])), lang),
             value=format_value(top["value"], indicator, lang), expected=format_value(top["expected"], indicator, lang),
             **when)
