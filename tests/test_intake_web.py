"""Data intake through the real routes of an app with sign-in on: the page's upload (CSRF,
size limit, roles), the report CSV and templates, the /data page's preview and confirm, and
the API with its per-tenant tokens."""

from __future__ import annotations

import io
import json
import re
import sqlite3

import pytest
from openpyxl import load_workbook

from app import create_app
from data.catalog import catalog
from data.engine import get_engine
from layouts import ids
from security import api_tokens
from tests.conftest import secured_settings, sign_in, sql_scalar
from tests.dash_requests import header_payload, post, router_payload
from tests.intake_files import BAD_FILES, EXPECTED_LONG, LONG_LINES, checksum, csv_bytes, stored_values

USERS = {"stew1": ("mep", "steward"), "ana1": ("mep", "analyst"), "exec1": ("mep", "executive"),
         "stew2": ("rda", "steward")}
UPLOAD_LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("intake-web")
    settings = secured_settings(tmp, USERS, UPLOAD_MAX_BYTES=str(UPLOAD_LIMIT))
    return create_app(settings), settings.database_url


def signed_in(hub, username):
    client, response = sign_in(hub[0], username)
    assert response.status_code == 302
    header = post(client, header_payload("/data")).get_data(as_text=True)
    client.csrf = re.search(r'"value":"([^"]+)","type":"hidden","name":"csrf_token"', header).group(1)
    return client


def upload(client, content: bytes, name="q.csv", source="gastat", csrf=True, lang="en"):
    headers = {"X-CSRFToken": client.csrf} if csrf else {}
    return client.post(f"/upload/data?lang={lang}", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name), "source_system": source, "description": "Q1"})


def page_text(client, path, search=""):
    return json.dumps(post(client, router_payload(path, search)).get_json(), ensure_ascii=False)


def test_a_steward_uploads_previews_and_confirms(hub):
    app, url = hub
    client = signed_in(hub, "stew1")
    before = checksum(url)
    location = upload(client, csv_bytes(LONG_LINES)).get_json()["location"]
    search = location.split("?", 1)[1]
    shown = page_text(client, "/data", "?" + search)
    assert "4 new values, 0 changed, 0 unchanged" in shown and ids.DATA_CONFIRM in shown
    assert checksum(url) == before  # staged and previewed: nothing stored yet
    confirm = {"output": f"{ids.DATA_CONFIRM_RESULT}.children",
               "outputs": {"id": ids.DATA_CONFIRM_RESULT, "property": "children"},
               "inputs": [{"id": ids.DATA_CONFIRM, "property": "n_clicks", "value": 1}],
               "state": [{"id": ids.URL, "property": "search", "value": "?" + search}],
               "changedPropIds": [f"{ids.DATA_CONFIRM}.n_clicks"]}
    assert "Imported 4 new and 0 changed values" in post(client, confirm).get_data(as_text=True)
    assert stored_values(url, "mep", EXPECTED_LONG) == EXPECTED_LONG
    assert "no longer waiting" in post(client, confirm).get_data(as_text=True)  # a second click imports nothing
    rollback = {**confirm, "output": f"{ids.DATA_ROLLBACK_RESULT}.children",
                "outputs": {"id": ids.DATA_ROLLBACK_RESULT, "property": "children"},
                "inputs": [{"id": ids.DATA_ROLLBACK, "property": "n_clicks", "value": 1}],
                "changedPropIds": [f"{ids.DATA_ROLLBACK}.n_clicks"]}
    assert "Rolled back batch" in post(client, rollback).get_data(as_text=True)
    assert stored_values(url, "mep", EXPECTED_LONG) == dict.fromkeys(EXPECTED_LONG)


def confirm_payload(search: str) -> dict:
    return {"output": f"{ids.DATA_CONFIRM_RESULT}.children",
            "outputs": {"id": ids.DATA_CONFIRM_RESULT, "property": "children"},
            "inputs": [{"id": ids.DATA_CONFIRM, "property": "n_clicks", "value": 1}],
            "state": [{"id": ids.URL, "property": "search", "value": search}],
            "changedPropIds": [f"{ids.DATA_CONFIRM}.n_clicks"]}


def test_a_steward_is_told_while_another_import_holds_the_lock_and_can_confirm_after(hub):
    app, url = hub
    client = signed_in(hub, "stew1")
    search = "?" + upload(client, csv_bytes(LONG_LINES)).get_json()["location"].split("?", 1)[1]
    other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another steward's import, holding the write lock
    before = checksum(url)
    try:
        answer = post(client, confirm_payload(search)).get_data(as_text=True)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "still running" in answer and checksum(url) == before
    assert "Imported 4 new" in post(client, confirm_payload(search)).get_data(as_text=True)  # the file waited
    post(client, {**confirm_payload(search), "output": f"{ids.DATA_ROLLBACK_RESULT}.children",
                  "outputs": {"id": ids.DATA_ROLLBACK_RESULT, "property": "children"},
                  "inputs": [{"id": ids.DATA_ROLLBACK, "property": "n_clicks", "value": 1}],
                  "changedPropIds": [f"{ids.DATA_ROLLBACK}.n_clicks"]})


def test_the_report_shows_each_problem_and_downloads_as_csv_in_both_languages(hub):
    client = signed_in(hub, "stew1")
    search = upload(client, BAD_FILES["unknown region"][1], lang="ar").get_json()["location"].split("?", 1)[1]
    shown = page_text(client, "/data", "?" + search)
    assert "Atlantis" in shown and "منطقة غير معروفة" in shown and ids.DATA_CONFIRM not in shown
    report = client.get(f"/data/report.csv?{search}")
    rows = report.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0] == "الدرجة,الصف,العمود,القيمة,السبب" and rows[1].startswith("خطأ,2,region,Atlantis,")
    english = client.get(f"/data/report.csv?{search.replace('lang=ar', 'lang=en')}").get_data(as_text=True)
    assert "error,2,region,Atlantis,\"Unknown region: use a code" in english


def test_uploads_need_a_csrf_token_a_source_and_a_steward(hub):
    steward, analyst = signed_in(hub, "stew1"), signed_in(hub, "ana1")
    assert upload(steward, csv_bytes(LONG_LINES), csrf=False).status_code == 400
    assert upload(steward, csv_bytes(LONG_LINES), source=" ").get_json()["error"] == "data_source_required"
    assert upload(analyst, csv_bytes(LONG_LINES)).status_code == 403
    assert analyst.get("/data/template.csv").status_code == 403
    assert "Not available to your role" in page_text(analyst, "/data")
    assert "Not available to your role" not in page_text(analyst, "/quality")
    assert "Not available to your role" in page_text(signed_in(hub, "exec1"), "/quality")


def test_a_file_over_the_limit_gets_413_with_a_clear_message(hub):
    client = signed_in(hub, "stew1")
    response = upload(client, b"x" * (UPLOAD_LIMIT + 1), lang="ar")
    assert response.status_code == 413
    assert "حد التحميل" in response.get_json()["message"]
    token = api_tokens.create(get_engine(hub[1]), "mep", "limit", "stew1")
    api = api_upload(hub, token, b"x" * (UPLOAD_LIMIT + 1))
    assert api.status_code == 413 and "upload limit" in api.get_json()["message"]


def test_a_staged_file_is_its_tenants_only(hub):
    search = upload(signed_in(hub, "stew1"), csv_bytes(LONG_LINES)).get_json()["location"].split("?", 1)[1]
    other = signed_in(hub, "stew2")
    assert other.get(f"/data/report.csv?{search}").status_code == 404
    assert "Atlantis" not in page_text(other, "/data", "?" + search) and "4 new values" not in page_text(
        other, "/data", "?" + search)


def test_templates_list_the_columns_indicators_and_regions(hub):
    client = signed_in(hub, "stew1")
    assert client.get("/data/template.csv").get_data() == \
        b"\xef\xbb\xbfindicator_id,region,year,quarter,value,quality_flag,note\r\n"
    wide = client.get("/data/template.csv?form=wide").get_data(as_text=True).lstrip("\ufeff")
    assert wide.startswith("region,year,quarter,gdp_growth,") and "co2_per_gdp" not in wide
    book = load_workbook(io.BytesIO(client.get("/data/template.xlsx?lang=ar").get_data()))
    assert book.sheetnames == ["البيانات", "المؤشرات والمناطق"]
    reference = [row[:4] if str(row[0]).startswith("SA-") else row
                 for row in book.worksheets[1].iter_rows(values_only=True)]
    assert ("SA-01", "Riyadh", "الرياض", "Riyadh Region | Ar Riyad | منطقة الرياض") in reference
    assert sum(1 for row in reference if row[0] in catalog().base_ids) == len(catalog().base_ids)


# --- the API ----------------------------------------------------------------------------

def api_upload(hub, token, content, name="q.csv", dry_run=False):
    client = hub[0].server.test_client()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/uploads" + ("?dry_run=1" if dry_run else ""), headers=headers,
                       content_type="multipart/form-data", data={"file": (io.BytesIO(content), name)})


def test_the_api_imports_with_its_tenants_token_and_answers_like_the_page(hub):
    app, url = hub
    token = api_tokens.create(get_engine(url), "mep", "nightly", "stew1")
    before = checksum(url)
    checked = api_upload(hub, token, csv_bytes(LONG_LINES), dry_run=True)
    assert checked.status_code == 200 and checked.get_json()["status"] == "checked" and checksum(url) == before
    refused = api_upload(hub, token, BAD_FILES["unknown region"][1])
    body = refused.get_json()
    assert refused.status_code == 422 and body["errors"] == 1
    first = body["problems"][0]
    assert (first["row"], first["column"], first["value"], first["code"]) == (2, "region", "Atlantis", "unknown_region")
    assert body["problems"][0]["reason_ar"].startswith("منطقة غير معروفة")
    imported = api_upload(hub, token, csv_bytes(LONG_LINES))
    assert imported.status_code == 200 and imported.get_json()["rows"] == {"new": 4, "changed": 0, "unchanged": 0}
    assert sql_scalar(url, "SELECT uploaded_by FROM load_batches WHERE batch_id = :b",
                      b=imported.get_json()["batch_id"]) == "api:nightly"
    again = api_upload(hub, token, csv_bytes(LONG_LINES)).get_json()
    assert again["status"] == "unchanged" and again["batch_id"] is None
    assert api_upload(hub, token, b"", name="q.csv").get_json()["problems"][0]["code"] == "file_empty"


def test_the_api_refuses_no_token_a_wrong_one_and_a_revoked_one(hub):
    app, url = hub
    engine = get_engine(url)
    before = checksum(url, "rda")
    assert api_upload(hub, None, csv_bytes(LONG_LINES)).status_code == 401
    assert api_upload(hub, "hub_not-a-real-token", csv_bytes(LONG_LINES)).status_code == 401
    mep_token = api_tokens.create(engine, "mep", "mep's", "stew1")
    mep_load = api_upload(hub, mep_token, csv_bytes(LONG_LINES[:2]))  # lands in mep, never in rda
    assert mep_load.status_code == 200 and checksum(url, "rda") == before
    rda_token = api_tokens.create(engine, "rda", "rda's", "stew2")
    token_id = sql_scalar(url, "SELECT token_id FROM api_tokens WHERE token_hash = :h", h=api_tokens.digest(rda_token))
    assert not api_tokens.revoke(engine, "mep", token_id)  # another tenant cannot revoke it
    assert api_tokens.revoke(engine, "rda", token_id)
    assert api_upload(hub, rda_token, csv_bytes(LONG_LINES)).status_code == 401
    assert checksum(url, "rda") == before
    stored = json.dumps([list(r) for r in get_engine(url).connect().exec_driver_sql(
        "SELECT token_hash, prefix FROM api_tokens").all()])
    assert rda_token not in stored and mep_token not in stored  # only digests are kept


def test_a_steward_creates_a_token_shown_once_and_revokes_it_on_the_page(hub):
    app, url = hub
    client = signed_in(hub, "stew2")
    create = {"output": f"..{ids.DATA_TOKEN_RESULT}.children...{ids.DATA_TOKEN_LIST}.children..",
              "outputs": [{"id": ids.DATA_TOKEN_RESULT, "property": "children"},
                          {"id": ids.DATA_TOKEN_LIST, "property": "children"}],
              "inputs": [{"id": ids.DATA_TOKEN_CREATE, "property": "n_clicks", "value": 1}],
              "state": [{"id": ids.DATA_TOKEN_NAME, "property": "value", "value": "scheduler"},
                        {"id": ids.URL, "property": "search", "value": "?lang=en"}],
              "changedPropIds": [f"{ids.DATA_TOKEN_CREATE}.n_clicks"]}
    answer = post(client, create).get_data(as_text=True)
    token = re.search(r"hub_[A-Za-z0-9_-]{43}", answer).group(0)
    assert "not shown again" in answer
    assert api_upload(hub, token, csv_bytes(LONG_LINES), dry_run=True).status_code == 200
    assert token not in page_text(client, "/data")  # the page lists it by its prefix only
    token_id = sql_scalar(url, "SELECT token_id FROM api_tokens WHERE token_hash = :h", h=api_tokens.digest(token))
    key = next(k for k in app.callback_map if ids.DATA_TOKEN_REVOKE in json.dumps(app.callback_map[k]["inputs"]))
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in key.strip(".").split("...")]
    revoke = {"output": key, "outputs": outputs,
              "inputs": [{"id": ids.DATA_TOKEN_REVOKE, "property": "n_clicks", "value": 1}],
              "state": [{"id": ids.DATA_TOKEN_CHOICE, "property": "value", "value": token_id},
                        {"id": ids.URL, "property": "search", "value": "?lang=en"}],
              "changedPropIds": [f"{ids.DATA_TOKEN_REVOKE}.n_clicks"]}
    assert "no longer works" in post(client, revoke).get_data(as_text=True)
    assert api_upload(hub, token, csv_bytes(LONG_LINES), dry_run=True).status_code == 401
    assert "no longer works" not in post(signed_in(hub, "stew1"), revoke).get_data(as_text=True)
