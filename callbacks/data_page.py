"""The data intake page (/data): a staged file's report and preview, confirm, rollback and
the API's tokens. The file itself is posted by the browser to the upload route
(callbacks/intake_routes.py), which stages it and sends the browser back here with its id."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from dash import ClientsideFunction, Input, Output, State, no_update
from sqlalchemy.exc import OperationalError

from callbacks.failures import failure_message
from data.intake import staging, store
from data.runtime import runtime
from data.tenancy import current_tenant
from layouts import ids
from layouts.data_page import Intake, data_page, result, token_list, token_shown
from layouts.format import format_integer
from layouts.text import language_of, t
from security import api_tokens, audit
from security.limits import client_address
from security.web import csrf_token, signed_in
from services import intake

MEGABYTE = 1024 * 1024


def page(search: str = "", lang: str = "en"):
    tenant = current_tenant()
    upload_id = upload_of(search)
    staged = staging.staged_upload(runtime.engine, tenant.id, upload_id) if upload_id else None
    examined = intake.examine(tenant.id, staged.file_name, staged.content) if staged else None
    settings = runtime.settings
    with runtime.engine.connect() as conn:
        latest = store.latest_batch(conn, tenant.id)
    return data_page(Intake(
        upload_url=f"{settings.upload_path_prefix}/data", csrf_token=csrf_token(),
        max_mb=settings.upload_max_bytes // MEGABYTE, latest_batch=latest,
        tokens=api_tokens.listed(runtime.engine, tenant.id), examined=examined,
        report_rows=intake.report_rows(examined.problems, lang) if examined else None,
        report_href=f"/data/report.csv?{urlencode({'upload': upload_id, 'lang': lang})}" if examined else None,
    ), lang)


def upload_of(search) -> str | None:
    return dict(parse_qsl((search or "").lstrip("?"))).get("upload") if isinstance(search, str) else None


def sender() -> intake.Sender:
    account = signed_in()
    return intake.Sender(current_tenant().id, account.username if account else None, client_address(), "page")


def confirm(_clicks, search):
    """Import the staged file of the URL: checked again, compared inside the transaction."""
    lang = language_of(search)
    who = sender()
    staged = staging.staged_upload(runtime.engine, who.tenant_id, upload_of(search))
    if staged is None:
        return result(t("data_staged_gone", lang), "warning")
    try:
        outcome = intake.receive(who, staged.file_name, staged.content, staged.source_system, staged.description)
    except OperationalError as error:  # e.g. SQLite's write lock held longer than its busy timeout
        return failure_message("data_import", error, "data_busy", lang=lang)
    staging.discard(runtime.engine, who.tenant_id, staged.upload_id)
    if outcome.status == "rejected":
        return result(t("data_blocked", lang), "danger")
    if outcome.status == "unchanged":
        return result(t("data_nothing_changed", lang), "info")
    counts = {k: format_integer(v, lang) for k, v in outcome.counts.items()}
    return result(t("data_imported", lang, batch=outcome.batch_id, **counts), "success")


def rollback(_clicks, search):
    lang = language_of(search)
    try:
        batch_id = intake.rollback(sender())
    except OperationalError as error:
        return failure_message("data_rollback", error, "data_busy", lang=lang)
    if batch_id is None:
        return result(t("data_no_batch", lang), "info")
    return result(t("data_rolled_back", lang, batch=batch_id), "success")


def create_token(_clicks, name, search):
    lang = language_of(search)
    name = intake.clean_field(name, api_tokens.NAME_LENGTH)
    if not name:
        return result(t("data_token_needs_name", lang), "warning"), no_update
    who = sender()
    token = api_tokens.create(runtime.engine, who.tenant_id, name, who.username)
    audit.record(runtime.engine, "api_token_created", who.tenant_id, who.username, who.address, name=name)
    return token_shown(token, lang), token_list(api_tokens.listed(runtime.engine, who.tenant_id), lang)


def revoke_token(_clicks, token_id, search):
    lang = language_of(search)
    who = sender()
    if not api_tokens.is_token_id(token_id) or not api_tokens.revoke(runtime.engine, who.tenant_id, token_id):
        return result(t("data_token_not_found", lang), "warning"), no_update
    audit.record(runtime.engine, "api_token_revoked", who.tenant_id, who.username, who.address, token_id=token_id)
    return result(t("data_token_revoked_done", lang), "success"), token_list(
        api_tokens.listed(runtime.engine, who.tenant_id), lang)


def register(callbacks) -> None:
    callbacks.clientside_callback(
        ClientsideFunction("intake", "upload"),  # in assets/intake.js
        Output(ids.DATA_UPLOAD_STATUS, "children"), Input(ids.DATA_UPLOAD, "contents"),
        State(ids.DATA_UPLOAD, "filename"), State(ids.DATA_SOURCE, "value"), State(ids.DATA_DESCRIPTION, "value"),
        State(ids.DATA_UPLOAD_CONFIG, "data"), prevent_initial_call=True)
    callbacks.callback(Output(ids.DATA_CONFIRM_RESULT, "children"), Input(ids.DATA_CONFIRM, "n_clicks"),
                       State(ids.URL, "search"), prevent_initial_call=True)(confirm)
    callbacks.callback(Output(ids.DATA_ROLLBACK_RESULT, "children"), Input(ids.DATA_ROLLBACK, "n_clicks"),
                       State(ids.URL, "search"), prevent_initial_call=True)(rollback)
    callbacks.callback(Output(ids.DATA_TOKEN_RESULT, "children"), Output(ids.DATA_TOKEN_LIST, "children"),
                       Input(ids.DATA_TOKEN_CREATE, "n_clicks"), State(ids.DATA_TOKEN_NAME, "value"),
                       State(ids.URL, "search"), prevent_initial_call=True)(create_token)
    callbacks.callback(Output(ids.DATA_TOKEN_RESULT, "children", allow_duplicate=True),
                       Output(ids.DATA_TOKEN_LIST, "children", allow_duplicate=True),
                       Input(ids.DATA_TOKEN_REVOKE, "n_clicks"), State(ids.DATA_TOKEN_CHOICE, "value"),
                       State(ids.URL, "search"), prevent_initial_call=True)(revoke_token)
