"""The routes of data intake outside Dash: the page's file upload (under UPLOAD_PATH_PREFIX,
where bodies up to UPLOAD_MAX_BYTES are accepted), the templates, the report as CSV, and the
ingestion API (POST /api/v1/uploads, a tenant's bearer token instead of a session; the
sign-in guard checks the token)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import RequestEntityTooLarge

from data.intake import staging
from data.runtime import runtime
from data.tenancy import current_tenant
from layouts.text import language_of, t
from security.limits import client_address
from security.web import allowed, signed_in
from services import intake
from services.intake_templates import template_csv, template_xlsx

log = logging.getLogger(__name__)
API_UPLOADS = "/api/v1/uploads"
MEGABYTE = 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

uploads = Blueprint("intake_uploads", __name__)  # registered under UPLOAD_PATH_PREFIX
files = Blueprint("intake_files", __name__)
api = Blueprint("intake_api", __name__)  # exempt from CSRF: no session, a token


def _lang() -> str:
    return language_of(request.query_string)


def _refused(key: str, status: int, **values):
    return jsonify({"error": key, "message": t(key, _lang(), **values)}), status


def _too_large(_error):
    return _refused("data_too_large", 413, size=runtime.settings.upload_max_bytes // MEGABYTE)


@uploads.post("/data")
def upload_file():
    """Stage the page's file and send the browser to its report."""
    if not allowed("data"):
        return _refused("data_not_allowed", 403)
    file = request.files.get("file")
    source = intake.clean_field(request.form.get("source_system"), intake.SOURCE_LENGTH)
    if file is None or not file.filename:
        return _refused("data_file_required", 400)
    if not source:
        return _refused("data_source_required", 400)
    account = signed_in()
    upload_id = staging.stage(runtime.engine, current_tenant().id, account.username if account else None,
                              intake.clean_field(file.filename, 255), file.read(), source,
                              intake.clean_field(request.form.get("description"), intake.DESCRIPTION_LENGTH))
    return jsonify({"location": f"/data?{urlencode({'upload': upload_id, 'lang': _lang()})}"})


@files.get("/data/template.<fmt>")
def template(fmt: str):
    if not allowed("data"):
        return _refused("data_not_allowed", 403)
    form = "wide" if request.args.get("form") == "wide" else "long"
    if fmt == "csv":
        return _download(template_csv(form).encode("utf-8-sig"), f"template-{form}.csv", "text/csv; charset=utf-8")
    if fmt == "xlsx":
        return _download(template_xlsx(form, _lang()), f"template-{form}.xlsx", XLSX_TYPE)
    return _refused("data_no_such_template", 404)


@files.get("/data/report.csv")
def report():
    if not allowed("data"):
        return _refused("data_not_allowed", 403)
    staged = staging.staged_upload(runtime.engine, current_tenant().id, request.args.get("upload"))
    if staged is None:
        return _refused("data_staged_gone", 404)
    outcome = intake.examine(current_tenant().id, staged.file_name, staged.content)
    return _download(intake.report_csv(outcome.problems, _lang()).encode(), "report.csv", "text/csv; charset=utf-8")


@api.post(API_UPLOADS)
def api_upload():
    """The same path as the page: 200 imported or checked, 422 with the problems."""
    holder = g.hub_api_token
    file = request.files.get("file")
    if file is None or not file.filename:
        return _refused("data_file_required", 400)
    source = intake.clean_field(request.form.get("source_system"), intake.SOURCE_LENGTH) or f"api:{holder.name}"
    sender = intake.Sender(holder.tenant_id, f"api:{holder.name}"[:64], client_address(), "api")
    try:
        outcome = intake.receive(sender, intake.clean_field(file.filename, 255), file.read(), source,
                                 intake.clean_field(request.form.get("description"), intake.DESCRIPTION_LENGTH),
                                 dry_run=request.args.get("dry_run") in ("1", "true"))
    except OperationalError:  # another import holds the tenant's lock past the database's busy timeout
        log.warning("an API upload found the database busy", exc_info=True)
        return _refused("data_busy", 503, reference="-")
    return jsonify(intake.as_json(outcome)), 422 if outcome.status == "rejected" else 200


def _download(body: bytes, name: str, mimetype: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


for blueprint in (uploads, api):
    blueprint.register_error_handler(RequestEntityTooLarge, _too_large)
