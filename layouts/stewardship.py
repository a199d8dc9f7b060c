"""The stewards' pages for their organisation's index weights and targets, and the history
of each setting with its versions side by side (issue 14)."""

from __future__ import annotations

from datetime import date

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from data.catalog import Catalog
from data.regions import NATIONAL_CODE, region_name
from data.stewardship import DEFAULT_VERSION, TARGETS, WEIGHTS, SettingVersion
from layouts import ids
from layouts.components import scroll_hint, scroll_region
from layouts.figures import target_decimals
from layouts.format import digits, format_integer, format_number, format_percent, format_time, format_value
from layouts.text import t


def problems_alert(problems: list[tuple[str, dict]], catalog: Catalog, lang: str,
                   heading_key: str = "setting_refused") -> dbc.Alert:
    """What is wrong, one line a problem, in the user's language; nothing was stored."""
    items = [html.Li(t(f"problem_{key}", lang, **_readable(params, catalog, lang))) for key, params in problems]
    return dbc.Alert([html.P(t(heading_key, lang), className="fw-semibold mb-1"),
                      html.Ul(items, className="mb-0")], color="danger")


def _readable(params: dict, catalog: Catalog, lang: str) -> dict:
    shown = dict(params)
    for key in ("component", "indicator"):
        if key in shown and shown[key] in catalog:
            shown[key] = catalog[shown[key]].name(lang)
    for key, value in params.items():
        if isinstance(value, float):
            shown[key] = format_number(value, 2, lang)
    return shown


def change_fields(lang: str, today: date) -> list:
    """The reason (required) and effective date every change carries."""
    return [
        dbc.Label(t("setting_reason", lang), html_for=ids.SETTING_REASON, className="mt-3"),
        dbc.Textarea(id=ids.SETTING_REASON, maxLength=2000, rows=2, required=True),
        dbc.FormText(t("setting_reason_help", lang)),
        html.Div([dbc.Label(t("setting_effective", lang), html_for=ids.SETTING_EFFECTIVE, className="mt-3 d-block"),
                  dbc.Input(id=ids.SETTING_EFFECTIVE, type="date", value=today.isoformat(), max=today.isoformat(),
                            style={"maxWidth": "14rem"})]),
    ]


def current_line(version: SettingVersion, kind: str, lang: str) -> html.P:
    link = dcc.Link(t("history_link", lang), href=f"/admin/history?kind={kind}&lang={lang}",
                    className="link-body-emphasis")
    if version.version == DEFAULT_VERSION:
        return html.P([t("setting_current_default", lang), " ", link], className="small")
    return html.P([t("setting_current", lang, version=format_integer(version.version, lang),
                     date=digits(version.effective_date.isoformat(), lang), user=version.changed_by or "–",
                     reason=version.reason), " ", link], className="small")


# --- weights ---------------------------------------------------------------------------------

def weights_page(catalog: Catalog, current: SettingVersion, today: date, lang: str) -> html.Div:
    rows = [html.Tr([
        html.Th(html.Label(catalog[cid].name(lang), htmlFor=ids.weight_input(cid)), scope="row"),
        html.Td(format_percent(weight, 0, lang), className="text-end"),
        html.Td(dbc.Input(id=ids.weight_input(cid), type="number", step="any", value=weight, size="sm",
                          style={"maxWidth": "8rem"})),
    ]) for cid, weight in current.values.items()]
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in
                               ("col_component", "weights_current", "weights_new")]))
    return html.Div([
        html.H1(t("weights_title", lang), className="h4", id="weights-title"),
        html.P(t("weights_intro", lang), className="small text-body-secondary"),
        current_line(current, WEIGHTS, lang),
        scroll_region(dbc.Table([head, html.Tbody(rows)], size="sm", className="small mb-0"),
                      labelled_by="weights-title"),
        *change_fields(lang, today),
        html.Div([dbc.Button(t("weights_preview", lang), id=ids.WEIGHTS_PREVIEW_BUTTON, color="secondary"),
                  dbc.Button(t("setting_save", lang), id=ids.WEIGHTS_SAVE, color="primary")],
                 className="d-flex gap-2 mt-3"),
        html.Div(id=ids.WEIGHTS_RESULT, className="mt-3", role="status"),
        html.Div(id=ids.WEIGHTS_PREVIEW, className="mt-3"),
    ])


def preview_table(comparison: pd.DataFrame, period_text: str, lang: str, heading_key: str = "preview_heading"):
    """The index under the current and the proposed weights, the nation first, then the
    regions by proposed rank with their change of rank."""
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in (
        "col_region", "preview_official", "preview_proposed", "preview_difference", "preview_rank",
        "preview_rank_change")]))
    body = html.Tbody([_preview_row(row, lang) for row in comparison.itertuples(index=False)])
    return html.Div([
        html.H2(t(heading_key, lang, period=period_text), className="h6", id="preview-heading"),
        scroll_hint(lang),
        scroll_region(dbc.Table([head, body], size="sm", hover=True, className="small mb-0",
                                id=ids.WEIGHTS_PREVIEW + "-table"), labelled_by="preview-heading"),
    ])


def _preview_row(row, lang: str) -> html.Tr:
    national = row.region_code == NATIONAL_CODE
    return html.Tr([
        html.Th(region_name(row.region_code, lang), scope="row", className="fw-semibold" if national else "fw-normal"),
        html.Td(_index(row.official, lang), className="text-end"),
        html.Td(_index(row.proposed, lang), className="text-end"),
        html.Td(format_number(None if pd.isna(row.official) or pd.isna(row.proposed) else row.proposed - row.official,
                              2, lang, signed=True), className="text-end"),
        html.Td("–" if national or pd.isna(row.rank_official) else t(
            "preview_rank_from_to", lang, before=format_integer(int(row.rank_official), lang),
            after=format_integer(int(row.rank_proposed), lang))),
        html.Td("–" if national or pd.isna(row.rank_change) else _rank_change(int(row.rank_change), lang)),
    ])


def _index(value, lang: str) -> str:
    return t("index_insufficient", lang) if pd.isna(value) else format_number(value, 2, lang)


def _rank_change(change: int, lang: str) -> str:
    if change == 0:
        return t("rank_same", lang)
    return t("rank_up" if change > 0 else "rank_down", lang, places=format_integer(abs(change), lang))


# --- targets ---------------------------------------------------------------------------------

def targets_page(catalog: Catalog, indicator_ids: list[str], current: SettingVersion,
                 annual: dict[str, float | None], today: date, lang: str) -> html.Div:
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in (
        "col_indicator", "targets_direction", "targets_range", "targets_latest", "targets_value", "targets_year")]))
    rows = [_target_row(catalog[i], current.values.get(i), annual.get(i), lang) for i in indicator_ids]
    return html.Div([
        html.H1(t("targets_title", lang), className="h4", id="targets-title"),
        html.P(t("targets_intro", lang), className="small text-body-secondary"),
        current_line(current, TARGETS, lang),
        scroll_hint(lang),
        scroll_region(dbc.Table([head, html.Tbody(rows)], size="sm", className="small mb-0"),
                      labelled_by="targets-title", wide=True),
        *change_fields(lang, today),
        dbc.Button(t("setting_save", lang), id=ids.TARGETS_SAVE, color="primary", className="mt-3"),
        html.Div(id=ids.TARGETS_RESULT, className="mt-3", role="status"),
    ])


def _target_row(indicator, entry: dict | None, annual: float | None, lang: str) -> html.Tr:
    low, high = indicator.range
    name = indicator.name(lang)
    return html.Tr([
        html.Th(name, scope="row", className="fw-normal"),
        html.Td(t(f"direction_{indicator.direction}", lang)),
        html.Td(f"{format_number(low, indicator.decimals, lang)} – {format_number(high, indicator.decimals, lang)}"),
        html.Td(format_value(annual, indicator, lang), className="text-end"),
        html.Td(dbc.Input(id=ids.target_value(indicator.id), type="number", step="any", size="sm",
                          value=entry["value"] if entry else None, style={"maxWidth": "8rem"},
                          **{"aria-label": t("targets_value_for", lang, indicator=name)})),
        html.Td(dbc.Input(id=ids.target_year(indicator.id), type="number", step=1, size="sm",
                          value=entry["year"] if entry else None, style={"maxWidth": "7rem"},
                          placeholder=t("targets_every_year", lang),
                          **{"aria-label": t("targets_year_for", lang, indicator=name)})),
    ])


# --- history ---------------------------------------------------------------------------------

def history_page(kind: str, versions: list[SettingVersion], catalog: Catalog, lang: str) -> html.Div:
    """The setting's versions side by side, newest first, and restoring one as a new version."""
    items = list(catalog.index_weights) if kind == WEIGHTS else \
        list(dict.fromkeys(k for v in versions for k in v.values))
    head = html.Thead(html.Tr([html.Th(t("history_item", lang), scope="col")] + [
        html.Th(_version_name(v, lang), scope="col") for v in versions]))
    about = [html.Tr([html.Th(t(key, lang), scope="row", className="fw-normal text-body-secondary")] + [
        html.Td(_about(v, key, lang), className="small") for v in versions])
        for key in ("history_effective", "history_by", "history_at", "history_reason")]
    values = [html.Tr([html.Th(catalog[item].name(lang), scope="row", className="fw-normal")] + [
        html.Td(_setting_value(kind, v.values.get(item), lang), className="text-end") for v in versions])
        for item in items if item in catalog]
    options = [{"label": _version_name(v, lang), "value": v.version} for v in versions[1:]]
    title = t(f"history_title_{kind}", lang)
    return html.Div([
        html.H1(title, className="h4", id="history-title"),
        html.P(dcc.Link(t(f"history_back_{kind}", lang), href=f"/admin/{kind}?lang={lang}",
                        className="link-body-emphasis"), className="small"),
        scroll_hint(lang),
        scroll_region(dbc.Table([head, html.Tbody(about + values)], size="sm", bordered=True, className="small mb-0",
                                id=ids.HISTORY_TABLE), labelled_by="history-title", wide=True),
        html.H2(t("history_restore_heading", lang), className="h6 mt-4"),
        dbc.Label(t("history_version", lang), html_for=ids.HISTORY_VERSION),
        dbc.Select(id=ids.HISTORY_VERSION, options=options, value=options[0]["value"] if options else None,
                   style={"maxWidth": "24rem"}),
        dbc.Label(t("setting_reason", lang), html_for=ids.SETTING_REASON, className="mt-3"),
        dbc.Textarea(id=ids.SETTING_REASON, maxLength=2000, rows=2, required=True),
        dbc.Button(t("history_restore", lang), id=ids.HISTORY_RESTORE, color="warning", className="mt-3",
                   disabled=not options),
        html.Div(id=ids.HISTORY_RESULT, className="mt-3", role="status"),
    ])


def _version_name(version: SettingVersion, lang: str) -> str:
    if version.version == DEFAULT_VERSION:
        return t("history_default", lang)
    name = t("history_version_n", lang, version=format_integer(version.version, lang))
    if version.restored_from is not None:
        name += " " + t("history_restored_from", lang, version=format_integer(version.restored_from, lang))
    return name


def _about(version: SettingVersion, key: str, lang: str) -> str:
    if version.version == DEFAULT_VERSION:
        return t("history_catalog", lang) if key == "history_reason" else "–"
    return {"history_effective": digits(version.effective_date.isoformat(), lang),
            "history_by": version.changed_by or "–",
            "history_at": format_time(version.changed_at, lang, seconds=False),
            "history_reason": version.reason}[key]


def _setting_value(kind: str, value, lang: str) -> str:
    if value is None:
        return "–"
    if kind == WEIGHTS:
        return format_percent(value, 1, lang)
    number = format_number(value["value"], target_decimals(value["value"]), lang)
    when = t("targets_every_year", lang) if value.get("year") is None else \
        t("target_by", lang, year=digits(str(value["year"]), lang))
    return f"{number} {when}"

