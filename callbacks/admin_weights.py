"""The index weights page (stewards): edit, preview the latest quarter under the old and
the new weights, save as a new version of the organisation's weights (issue 14)."""

from __future__ import annotations

from dash import Input, Output, State, ctx, no_update

from callbacks.admin_common import actor, audited, read_date, read_weights, success, today
from data import queries, stewardship
from data.catalog import catalog
from data.proposals import index_comparison
from data.runtime import runtime
from data.stewardship import WEIGHTS, SettingError, check_weights, tenant_catalog
from data.tenancy import current_tenant
from layouts import ids
from layouts.format import format_integer, format_period
from layouts.stewardship import preview_table, problems_alert, weights_page
from layouts.text import language_of, t

COMPONENTS = tuple(catalog().index_weights)


def page(_search: str = "", lang: str = "en"):
    tenant = current_tenant()
    return weights_page(tenant_catalog(tenant), stewardship.current_versions(tenant)[WEIGHTS], today(), lang)


def register(callbacks) -> None:
    callbacks.callback(
        Output(ids.WEIGHTS_RESULT, "children"),
        Output(ids.WEIGHTS_PREVIEW, "children"),
        Input(ids.WEIGHTS_PREVIEW_BUTTON, "n_clicks"),
        Input(ids.WEIGHTS_SAVE, "n_clicks"),
        State(ids.URL, "search"),
        State(ids.SETTING_REASON, "value"),
        State(ids.SETTING_EFFECTIVE, "value"),
        *[State(ids.weight_input(cid), "value") for cid in COMPONENTS],
        prevent_initial_call=True,
    )(act)


def act(_preview, _save, search, reason, effective, *values):
    """Preview the weights in the form; on Save, also store them as a new version."""
    lang = language_of(search)
    tenant = current_tenant()
    weights = read_weights(COMPONENTS, values)
    problems = check_weights(weights)
    if problems:
        return problems_alert(problems, tenant_catalog(tenant), lang), None
    period = queries.latest_complete_period(tenant)
    preview = preview_table(index_comparison(tenant, period, weights), format_period(period, lang), lang)
    if ctx.triggered_id != ids.WEIGHTS_SAVE:
        return None, preview
    before = tenant_catalog(tenant).index_weights
    try:
        version = stewardship.save(runtime.engine, tenant.id, WEIGHTS, weights, reason, actor(), read_date(effective))
    except SettingError as refused:
        return problems_alert(refused.problems, tenant_catalog(tenant), lang), preview
    audited("weights_change", version=version, reason=reason.strip(), effective=effective,
            changes=changes_text(before, weights))
    return success(t("weights_saved", lang, version=format_integer(version, lang))), no_update


def changes_text(before: dict[str, float], after: dict[str, float]) -> str:
    """"gdp_growth 0.15 → 0.1; ..." for the components whose weight changed."""
    return "; ".join(f"{cid} {before.get(cid, 0):g} → {after.get(cid, 0):g}" for cid in after
                     if abs(before.get(cid, 0) - after.get(cid, 0)) > 1e-12) or "none"

