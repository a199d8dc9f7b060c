"""The data intake page for stewards: load a file, read its report and preview, confirm,
roll back the latest import, and manage the ingestion API's tokens."""

from __future__ import annotations

from dataclasses import dataclass

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from data.catalog import catalog
from data.periods import Period
from data.regions import region_name
from layouts import ids
from layouts.components import dropdown, scroll_region
from layouts.format import format_integer, format_number, format_period, format_time
from layouts.text import t

SHOWN_PROBLEMS = 200
SHOWN_PREVIEW_ROWS = 50


@dataclass(frozen=True)
class Intake:
    """What the page shows besides the form."""
    upload_url: str
    csrf_token: str
    max_mb: int
    latest_batch: object | None  # a load_batches row
    tokens: pd.DataFrame
    examined: object | None = None  # services.intake.Outcome of the staged file
    report_rows: list | None = None
    report_href: str | None = None


def data_page(intake: Intake, lang: str = "en") -> html.Div:
    return html.Div([
        html.H1(t("data_title", lang), className="h4", id=ids.DATA_TITLE),
        html.P(t("data_intro", lang), className="text-muted small"),
        upload_card(intake, lang),
        report_card(intake, lang) if intake.examined is not None else None,
        rollback_card(intake.latest_batch, lang),
        tokens_card(intake.tokens, lang),
    ])


def _card(title: str, body: list, **props) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(html.H2(title, className="h6 mb-0 fw-semibold")), dbc.CardBody(body)],
                    className="mb-3", **props)


def _field(label: str, component) -> html.Div:
    return html.Div([dbc.Label(label, html_for=component.id), component], className="mb-2")


def upload_card(intake: Intake, lang: str) -> dbc.Card:
    suffix = f"?lang={lang}"
    return _card(t("data_upload_title", lang), [
        html.P([t("data_templates", lang), " ",
                html.A(t("data_template_csv", lang), href=f"/data/template.csv{suffix}", download=""), " · ",
                html.A(t("data_template_xlsx", lang), href=f"/data/template.xlsx{suffix}", download="")],
               className="small"),
        _field(t("data_source", lang), dbc.Input(id=ids.DATA_SOURCE, maxLength=64, value="", type="text")),
        _field(t("data_description", lang), dbc.Input(id=ids.DATA_DESCRIPTION, maxLength=500, value="", type="text")),
        # the file input inside the label is named by the label's words
        html.Label(dcc.Upload(html.Div([html.I(className="bi bi-upload me-1", **{"aria-hidden": "true"}),
                                        t("data_upload_drop", lang, size=intake.max_mb)]),
                              id=ids.DATA_UPLOAD, accept=".csv,.xlsx", multiple=False, className="upload-drop"),
                   className="d-block"),
        dcc.Store(id=ids.DATA_UPLOAD_CONFIG, data={"url": intake.upload_url + suffix, "csrf": intake.csrf_token,
                                                   "sending": t("data_upload_sending", lang)}),
        html.Div(id=ids.DATA_UPLOAD_STATUS, role="status", className="mt-2 small"),
    ])


def report_card(intake: Intake, lang: str) -> dbc.Card:
    outcome = intake.examined
    errors = len(outcome.errors)
    summary = t("data_report_summary", lang, file=outcome.file_name, errors=format_integer(errors, lang),
                warnings=format_integer(len(outcome.problems) - errors, lang))
    body = [html.P(summary, className="small"), _problems(intake.report_rows, lang)]
    if intake.report_href and outcome.problems:
        body.append(html.A(t("data_report_csv", lang), href=intake.report_href, download="", id=ids.DATA_REPORT_CSV,
                           className="btn btn-outline-primary btn-sm mb-3"))
    body.append(_verdict(outcome, lang))
    return _card(t("data_report_title", lang), body, id=ids.DATA_REPORT)


def _problems(rows: list, lang: str):
    if not rows:
        return html.P(t("data_report_clean", lang), className="small text-success")
    columns = ("severity", "row", "column", "value", "reason")
    table = _table([t(f"intake_col_{c}", lang) for c in columns],
                   [[row[c] for c in columns] for row in rows[:SHOWN_PROBLEMS]])
    more = len(rows) - SHOWN_PROBLEMS
    note = html.P(t("data_report_more", lang, count=format_integer(more, lang)), className="small") if more > 0 \
        else None
    return html.Div([scroll_region(table, t("data_report_title", lang)), note])


def _verdict(outcome, lang: str):
    if outcome.errors:
        return dbc.Alert(t("data_blocked", lang), color="danger")
    counts = outcome.counts
    parts = [html.H3(t("data_preview_title", lang), className="h6"),
             html.P(t("data_preview_counts", lang, **{k: format_integer(v, lang) for k, v in counts.items()}),
                    className="small")]
    comparison = outcome.comparison
    parts += _preview_table(t("data_preview_new", lang), comparison.new, ("value",), lang)
    parts += _preview_table(t("data_preview_changed", lang), comparison.changed, ("old_value", "value", "change"), lang)
    parts += _preview_table(t("data_preview_unchanged", lang), comparison.unchanged, ("value",), lang)
    if comparison.nothing_to_do:
        parts.append(dbc.Alert(t("data_nothing_changed", lang), color="info"))
    else:
        parts.append(dbc.Button(t("data_confirm", lang), id=ids.DATA_CONFIRM, color="primary"))
    parts.append(html.Div(id=ids.DATA_CONFIRM_RESULT, role="status", className="mt-3"))
    return html.Div(parts, id=ids.DATA_PREVIEW)


def _preview_table(title: str, rows: pd.DataFrame, values: tuple[str, ...], lang: str) -> list:
    if rows.empty:
        return []
    head = [t(k, lang) for k in ("intake_col_indicator", "intake_col_region", "intake_col_period")]
    head += [t(f"intake_col_{v}", lang) for v in values]
    body = [[catalog()[r.indicator_id].name(lang), region_name(r.region_code, lang),
             format_period(Period(int(r.year), int(r.quarter)), lang),
             *(format_number(getattr(r, v), catalog()[r.indicator_id].decimals, lang, signed=v == "change")
               for v in values)]
            for r in rows.head(SHOWN_PREVIEW_ROWS).itertuples(index=False)]
    return [html.Details([html.Summary(f"{title} ({format_integer(len(rows), lang)})", className="small"),
                          scroll_region(_table(head, body), title)], className="mb-2")]


def _table(head: list[str], body: list[list]) -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(c, scope="col") for c in head])),
                      html.Tbody([html.Tr([html.Td(str(cell)) for cell in row]) for row in body])],
                     size="sm", className="small mb-2", striped=True)


def rollback_card(batch, lang: str) -> dbc.Card:
    if batch is None:
        body = [html.P(t("data_no_batch", lang), className="small")]
    else:
        body = [html.P(t("data_latest_batch", lang, file=batch.file_name, user=batch.uploaded_by or "-",
                         time=format_time(batch.loaded_at, lang), new=format_integer(batch.rows_new, lang),
                         changed=format_integer(batch.rows_changed, lang)), className="small"),
                dbc.Button(t("data_rollback", lang), id=ids.DATA_ROLLBACK, color="warning")]
    body.append(html.Div(id=ids.DATA_ROLLBACK_RESULT, role="status", className="mt-3"))
    return _card(t("data_rollback_title", lang), body)


def tokens_card(tokens: pd.DataFrame, lang: str) -> dbc.Card:
    active = tokens[tokens["revoked_at"].isna()]
    options = [{"label": f"{r.name} ({r.prefix}…)", "value": int(r.token_id)} for r in active.itertuples()]
    return _card(t("data_tokens_title", lang), [
        html.P(t("data_tokens_intro", lang), className="small"),
        html.Div(token_list(tokens, lang), id=ids.DATA_TOKEN_LIST),
        _field(t("data_token_name", lang), dbc.Input(id=ids.DATA_TOKEN_NAME, maxLength=100, value="", type="text")),
        dbc.Button(t("data_token_create", lang), id=ids.DATA_TOKEN_CREATE, color="primary", className="mb-3"),
        html.Div([dbc.Label(t("data_token_choice", lang), html_for=ids.DATA_TOKEN_CHOICE),
                  dropdown(lang, id=ids.DATA_TOKEN_CHOICE, options=options, clearable=True,
                               placeholder=t("data_token_choice", lang))], className="mb-2"),
        dbc.Button(t("data_token_revoke", lang), id=ids.DATA_TOKEN_REVOKE, color="danger"),
        html.Div(id=ids.DATA_TOKEN_RESULT, role="status", className="mt-3"),
    ])


def token_list(tokens: pd.DataFrame, lang: str):
    if tokens.empty:
        return html.P(t("data_tokens_none", lang), className="small")
    head = [t(k, lang) for k in ("data_token_name", "data_token_prefix", "data_token_created", "data_token_used",
                                 "data_token_state")]
    body = [[r.name, f"{r.prefix}…", format_time(r.created_at, lang),
             format_time(r.last_used_at, lang) if pd.notna(r.last_used_at) else "-",
             t("data_token_revoked" if pd.notna(r.revoked_at) else "data_token_active", lang)]
            for r in tokens.itertuples(index=False)]
    return scroll_region(_table(head, body), t("data_tokens_title", lang))


def token_shown(token: str, lang: str) -> dbc.Alert:
    return dbc.Alert([html.P(t("data_token_once", lang), className="mb-1"), html.Code(token, className="token")],
                     color="success")


def result(text: str, colour: str) -> dbc.Alert:
    return dbc.Alert(text, color=colour)
