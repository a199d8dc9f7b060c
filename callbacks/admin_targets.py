"""The targets page (stewards): each directional indicator's target value and year for the
organisation, saved as a new version of its targets (issue 14)."""

from __future__ import annotations

from dash import Input, Output, State

from callbacks.admin_common import actor, audited, read_date, read_number, success, today
from data import queries, stewardship
from data.proposals import current_annual_values
from data.runtime import runtime
from data.stewardship import TARGETS, SettingError, target_indicators, tenant_catalog
from data.tenancy import current_tenant
from layouts import ids
from layouts.format import format_integer
from layouts.stewardship import problems_alert, targets_page
from layouts.text import language_of, t

INDICATORS = tuple(target_indicators())


def page(_search: str = "", lang: str = "en"):
    tenant = current_tenant()
    current = stewardship.current_versions(tenant)[TARGETS]
    return targets_page(tenant_catalog(tenant), list(INDICATORS), current, _annual(tenant), today(), lang)


def _annual(tenant) -> dict[str, float | None]:
    period = queries.latest_complete_period(tenant)
    return current_annual_values(tenant, period) if period else {}


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.TARGETS_RESULT, "children"),
        Input(ids.TARGETS_SAVE, "n_clicks"),
        State(ids.URL, "search"),
        State(ids.SETTING_REASON, "value"),
        State(ids.SETTING_EFFECTIVE, "value"),
        *[State(ids.target_value(i), "value") for i in INDICATORS],
        *[State(ids.target_year(i), "value") for i in INDICATORS],
        prevent_initial_call=True,
    )(save)


def read_targets(values, years) -> dict[str, dict]:
    """{indicator: {value, year}} for every row with a value; an empty year means every year.
    A year that is not a whole number is passed on as it is, for the check to refuse."""
    targets = {}
    for indicator_id, value, year in zip(INDICATORS, values, years, strict=True):
        number = read_number(value)
        if number is None:
            continue
        year_number = read_number(year)
        whole = year_number is not None and year_number.is_integer()
        targets[indicator_id] = {"value": number, "year": int(year_number) if whole else year_number}
    return targets


def save(_clicks, search, reason, effective, *fields):
    lang = language_of(search)
    tenant = current_tenant()
    half = len(INDICATORS)
    targets = read_targets(fields[:half], fields[half:])
    before = stewardship.current_versions(tenant)[TARGETS].values
    try:
        version = stewardship.save(runtime.engine, tenant.id, TARGETS, targets, reason, actor(), read_date(effective),
                                   current=_annual(tenant))
    except SettingError as refused:
        return problems_alert(refused.problems, tenant_catalog(tenant), lang)
    audited("target_change", version=version, reason=reason.strip(), effective=effective,
            changes=changes_text(before, targets))
    return success(t("targets_saved", lang, version=format_integer(version, lang)))


def changes_text(before: dict, after: dict) -> str:
    """"renewable_share 50 (2030) → 45 (2031); ..." for the targets that changed ("–": no year,
    a level to hold every year; "none": no target)."""
    def said(entry):
        return "none" if not entry else f"{entry['value']:g} ({entry.get('year') or '–'})"
    return "; ".join(f"{i} {said(before.get(i))} → {said(after.get(i))}" for i in INDICATORS
                     if before.get(i) != after.get(i)) or "none"
