"""The stewards' pages through the real server routes (issue 14): weights with preview,
targets, history and restore, accounts, the change of a one-time password; each refused
for the wrong role or organisation, and audited."""

from __future__ import annotations

import json

import pytest

from app import create_app
from data.catalog import catalog
from data.engine import get_engine
from layouts import ids
from security import accounts
from tests.conftest import PASSWORD, secured_settings, sign_in, sql_rows, sql_scalar
from tests.dash_requests import post, router_payload

USERS = {"stew1": ("mep", "steward"), "stew2": ("rda", "steward"), "ana1": ("mep", "analyst"),
         "exec1": ("mep", "executive"), "ops1": ("mep", "ops")}
COMPONENTS = list(catalog().index_weights)


@pytest.fixture
def hub(tmp_path):
    settings = secured_settings(tmp_path, USERS, CACHE_TYPE="disk", LOGIN_MAX_ATTEMPTS="2")
    return create_app(settings), settings.database_url


def as_user(app, username, password=PASSWORD):
    client, response = sign_in(app, username, password)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def call(app, client, output_id: str, values: dict, trigger: str, search: str = ""):
    """Run the server callback whose outputs include `output_id`, as the browser would after
    `trigger` was clicked; `values` by component id (every other input and state empty)."""
    key = next(k for k in app.callback_map if f"{output_id}.children" in k and "callback" in app.callback_map[k])
    spec = app.callback_map[key]
    values = {ids.URL: search, trigger: 1, **values}

    def entries(items):
        return [{**item, "value": values.get(item["id"])} for item in items]

    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True)) for o in key.strip(".").split("...")]
    payload = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
               "inputs": entries(spec["inputs"]), "state": entries(spec["state"]),
               "changedPropIds": [f"{trigger}.n_clicks"]}
    return post(client, payload)


def shown(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


def weights_form(weights: dict, reason="programme review", effective=None) -> dict:
    values = {ids.weight_input(cid): weights.get(cid) for cid in COMPONENTS}
    values.update({ids.SETTING_REASON: reason})
    if effective is not None:
        values[ids.SETTING_EFFECTIVE] = effective
    return values


def today() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).date().isoformat()


def shifted() -> dict:
    weights = dict(catalog().index_weights)
    weights[COMPONENTS[0]] = round(weights[COMPONENTS[0]] - 0.05, 10)
    weights[COMPONENTS[1]] = round(weights[COMPONENTS[1]] + 0.05, 10)
    return weights


def versions(url, tenant="mep") -> int:
    return sql_scalar(url, "SELECT count(*) FROM setting_versions WHERE tenant_id = :t", t=tenant)


# --- weights --------------------------------------------------------------------------------

def test_preview_then_save_weights_as_a_new_audited_version(hub):
    app, url = hub
    client = as_user(app, "stew1")
    preview = shown(call(app, client, ids.WEIGHTS_PREVIEW, weights_form(shifted(), effective=today()),
                         ids.WEIGHTS_PREVIEW_BUTTON))
    assert "The index in 2025Q4" in preview and "Riyadh" in preview and "Rank change" in preview
    assert versions(url) == 0  # a preview stores nothing
    saved = shown(call(app, client, ids.WEIGHTS_PREVIEW, weights_form(shifted(), effective=today()), ids.WEIGHTS_SAVE))
    assert "Saved as version 1" in saved
    assert versions(url) == 1 and versions(url, "rda") == 0
    action, user, detail = sql_rows(url, "SELECT action, username, detail FROM audit_log WHERE tenant_id = 'mep' "
                                         "ORDER BY id DESC LIMIT 1")[0]
    assert (action, user) == ("weights_change", "stew1")
    assert json.loads(detail)["reason"] == "programme review"
    assert f"{COMPONENTS[0]} {catalog().index_weights[COMPONENTS[0]]:g} → " in json.loads(detail)["changes"]


@pytest.mark.parametrize(("change", "reason", "message"), [
    ({0: 0.1}, "review", "they must add up to 1"),
    ({0: 0.6, 1: -0.1}, "review", "a weight is a number from 0 to 0.5"),
    ({0: None}, "review", "a weight is a number from 0 to 0.5"),
    ({}, "  ", "a reason is required"),
])
def test_bad_weights_or_no_reason_are_refused_and_nothing_changes(hub, change, reason, message):
    app, url = hub
    client = as_user(app, "stew1")
    weights = shifted()
    for position, value in change.items():
        weights[COMPONENTS[position]] = None if value is None else weights[COMPONENTS[position]] + value
    before = sql_scalar(url, "SELECT version FROM data_versions WHERE tenant_id = 'mep'")
    answer = shown(call(app, client, ids.WEIGHTS_PREVIEW, weights_form(weights, reason, today()), ids.WEIGHTS_SAVE))
    assert "Nothing was saved" in answer and message in answer
    assert versions(url) == 0
    assert sql_scalar(url, "SELECT version FROM data_versions WHERE tenant_id = 'mep'") == before


# --- targets ----------------------------------------------------------------------------------

def targets_form(overrides: dict, reason="review") -> dict:
    values = {ids.SETTING_REASON: reason, ids.SETTING_EFFECTIVE: today()}
    for indicator in (i.id for i in catalog().indicators if i.direction != "none"):
        target = catalog()[indicator].target
        values[ids.target_value(indicator)] = target.value if target else None
        values[ids.target_year(indicator)] = target.year if target else None
    for indicator, (value, year) in overrides.items():
        values[ids.target_value(indicator)], values[ids.target_year(indicator)] = value, year
    return values


def test_targets_are_saved_or_refused_with_the_reason(hub):
    app, url = hub
    client = as_user(app, "stew1")
    wrong = shown(call(app, client, ids.TARGETS_RESULT, targets_form({"unemployment_rate": (12.0, 2030)}),
                       ids.TARGETS_SAVE))
    assert "Nothing was saved" in wrong and "Unemployment rate: lower is better" in wrong
    empty = shown(call(app, client, ids.TARGETS_RESULT, targets_form({"renewable_share": (45.0, 2031)}, ""),
                       ids.TARGETS_SAVE))
    assert "a reason is required" in empty and versions(url) == 0
    saved = shown(call(app, client, ids.TARGETS_RESULT, targets_form({"renewable_share": (45.0, 2031)}),
                       ids.TARGETS_SAVE))
    assert "Saved as version 1" in saved
    stored = json.loads(sql_scalar(url, "SELECT settings FROM setting_versions WHERE kind = 'targets'"))
    assert stored["renewable_share"] == {"value": 45.0, "year": 2031}
    page = shown(post(client, router_payload("/executive", "?period=2025Q4")))
    assert "45 by 2031" in page


def test_history_shows_versions_side_by_side_and_restores_one(hub):
    app, url = hub
    client = as_user(app, "stew1")
    shown(call(app, client, ids.WEIGHTS_PREVIEW, weights_form(shifted(), effective=today()), ids.WEIGHTS_SAVE))
    history = shown(post(client, router_payload("/admin/history", "?kind=weights")))
    assert "Version 1" in history and "Catalog defaults (0)" in history and "programme review" in history
    restored = shown(call(app, client, ids.HISTORY_RESULT, {ids.HISTORY_VERSION: "0", ids.SETTING_REASON: "undo"},
                          ids.HISTORY_RESTORE, "?kind=weights"))
    assert "Version 0 restored as version 2" in restored
    weights = json.loads(sql_scalar(url, "SELECT settings FROM setting_versions WHERE version = 2"))
    assert weights == catalog().index_weights


# --- who may ---------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["ana1", "exec1", "ops1"])
def test_other_roles_cannot_save_weights_or_manage_accounts(hub, username):
    app, url = hub
    client = as_user(app, username)
    assert call(app, client, ids.WEIGHTS_PREVIEW, weights_form(shifted(), effective=today()),
                ids.WEIGHTS_SAVE).status_code == 403
    assert call(app, client, ids.USERS_RESULT, {ids.USERS_NEW_NAME: "mallory", ids.USERS_NEW_ROLE: "steward"},
                ids.USERS_CREATE).status_code == 403
    assert versions(url) == 0 and accounts.account_row(get_engine(url), "mallory") is None


def test_another_organisations_steward_sees_and_changes_only_their_own(hub):
    app, url = hub
    client = as_user(app, "stew2")
    page = shown(post(client, router_payload("/admin/users")))
    assert "stew2" in page and "ana1" not in page and "stew1" not in page
    refused = shown(call(app, client, ids.USERS_RESULT, {ids.USERS_TARGET: "ana1", ids.USERS_ACTION: "disable"},
                         ids.USERS_APPLY))
    assert "Your organisation has no such account" in refused
    assert accounts.account_row(get_engine(url), "ana1")["is_active"]
    shown(call(app, client, ids.WEIGHTS_PREVIEW, weights_form(shifted(), effective=today()), ids.WEIGHTS_SAVE))
    assert versions(url, "rda") == 1 and versions(url, "mep") == 0


# --- accounts ---------------------------------------------------------------------------------

def one_time_password(answer: str) -> str:
    """The password in the component with id one-time-password."""
    def find(node):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == "one-time-password":
                return node["props"]["children"]
            return next((found for v in node.values() if (found := find(v)) is not None), None)
        if isinstance(node, list):
            return next((found for v in node if (found := find(v)) is not None), None)
        return None

    return find(json.loads(answer))


def test_a_new_account_must_change_its_one_time_password_at_first_sign_in(hub):
    app, url = hub
    steward = as_user(app, "stew1")
    answer = shown(call(app, steward, ids.USERS_RESULT, {ids.USERS_NEW_NAME: "layla", ids.USERS_NEW_ROLE: "analyst"},
                        ids.USERS_CREATE))
    password = one_time_password(answer)
    assert "Account layla created" in answer
    assert sql_scalar(url, "SELECT detail FROM audit_log WHERE action = 'user_created'") == \
        '{"role": "analyst", "user": "layla"}'  # never the password

    layla = as_user(app, "layla", password)
    assert layla.get("/").headers["Location"] == "/account/password"
    assert layla.get("/export/data.csv").status_code == 403
    held = shown(post(layla, router_payload("/")))
    assert "You signed in with a one-time password" in held
    assert call(app, layla, ids.WHATIF_RESULT, {ids.EXECUTIVE_URL: "?period=2025Q4", **whatif_values(shifted())},
                ids.WHATIF_APPLY).status_code == 403  # no page's callback but the password change
    change = {ids.PASSWORD_CURRENT: password, ids.PASSWORD_NEW: "layla's own password", ids.PASSWORD_REPEAT:
              "layla's own password"}
    assert "Your password is changed" in shown(call(app, layla, ids.PASSWORD_RESULT, change, ids.PASSWORD_SAVE))
    assert layla.get("/export/data.csv").status_code == 200  # the same session goes on, now free
    assert sign_in(app, "layla", password)[1].status_code == 401
    assert sign_in(app, "layla", "layla's own password")[1].status_code == 302


def test_change_password_keeps_the_command_lines_rules(hub):
    app, _url = hub
    client = as_user(app, "ana1")
    for new, repeat, current, message in (("short", "short", PASSWORD, "at least 12 characters"),
                                          ("a new long password", "another one", PASSWORD, "differ"),
                                          ("a new long password", "a new long password", "wrong", "is wrong"),
                                          (PASSWORD, PASSWORD, PASSWORD, "must differ from the current")):
        answer = shown(call(app, client, ids.PASSWORD_RESULT, {ids.PASSWORD_CURRENT: current, ids.PASSWORD_NEW: new,
                                                               ids.PASSWORD_REPEAT: repeat}, ids.PASSWORD_SAVE))
        assert message in answer, answer
    assert sign_in(app, "ana1")[1].status_code == 302  # unchanged


def test_the_last_steward_can_be_neither_disabled_nor_demoted(hub):
    app, url = hub
    client = as_user(app, "stew1")
    for action in ("disable", "role"):
        answer = shown(call(app, client, ids.USERS_RESULT, {ids.USERS_TARGET: "stew1", ids.USERS_ACTION: action,
                                                            ids.USERS_ROLE: "analyst"}, ids.USERS_APPLY))
        assert "last active steward" in answer
    row = accounts.account_row(get_engine(url), "stew1")
    assert row["is_active"] and row["role"] == "steward"


def test_stewards_give_no_role_above_steward_and_leave_ops_accounts_alone(hub):
    app, url = hub
    client = as_user(app, "stew1")
    answer = shown(call(app, client, ids.USERS_RESULT, {ids.USERS_TARGET: "ana1", ids.USERS_ACTION: "role",
                                                        ids.USERS_ROLE: "ops"}, ids.USERS_APPLY))
    assert "Choose executive, analyst or steward" in answer
    answer = shown(call(app, client, ids.USERS_RESULT, {ids.USERS_TARGET: "ops1", ids.USERS_ACTION: "disable"},
                        ids.USERS_APPLY))
    assert "managed by the operators" in answer
    assert accounts.account_row(get_engine(url), "ana1")["role"] == "analyst"
    assert accounts.account_row(get_engine(url), "ops1")["is_active"]


def test_disable_enable_role_reset_and_unlock_are_carried_out_and_audited(hub):
    app, url = hub
    client = as_user(app, "stew1")

    def apply(action, role=None):
        return shown(call(app, client, ids.USERS_RESULT, {ids.USERS_TARGET: "ana1", ids.USERS_ACTION: action,
                                                          ids.USERS_ROLE: role}, ids.USERS_APPLY))

    assert "ana1 is disabled" in apply("disable")
    assert sign_in(app, "ana1")[1].status_code == 401
    assert "ana1 is enabled again" in apply("enable")
    assert "ana1 is now executive" in apply("role", "executive")
    assert accounts.account_row(get_engine(url), "ana1")["role"] == "executive"
    for _ in range(3):
        sign_in(app, "ana1", "wrong password")
    assert sign_in(app, "ana1")[1].status_code == 429  # held back by the failed sign-ins
    assert "can sign in again at once" in apply("unlock")
    assert sign_in(app, "ana1")[1].status_code == 302
    password = one_time_password(apply("reset"))
    assert accounts.account_row(get_engine(url), "ana1")["must_change_password"]
    assert sign_in(app, "ana1", password)[1].status_code == 302
    actions = [r[0] for r in sql_rows(url, "SELECT action FROM audit_log WHERE username = 'stew1' ORDER BY id")]
    assert actions[-5:] == ["user_disabled", "user_enabled", "role_change", "user_unlocked", "password_reset"]


# --- what-if weights on the executive page ------------------------------------------------------

def whatif_values(weights: dict) -> dict:
    return {ids.whatif_input(cid): weights.get(cid) for cid in COMPONENTS}


@pytest.mark.parametrize("username", ["ana1", "exec1"])
def test_what_if_weights_show_the_recomputed_index_beside_the_official_and_store_nothing(hub, username):
    from data import aggregate, queries
    from data.periods import Period
    from data.stewardship import with_settings
    from data.tenancy import Tenant

    app, url = hub
    client = as_user(app, username)
    search = "?period=2025Q4"
    answer = call(app, client, ids.WHATIF_RESULT, {ids.EXECUTIVE_URL: search, **whatif_values(shifted())},
                  ids.WHATIF_APPLY).get_json()["response"]
    with app.server.app_context():
        row = queries.selection_series(Tenant("mep"), ()).loc[Period(2025, 4).ordinal]
        official = aggregate.index_breakdown(row, catalog()).value
    expected = aggregate.index_breakdown(row, with_settings(catalog(), weights=shifted())).value
    text = json.dumps(answer)
    assert f"index would be {expected:.2f} (official {official:.2f}" in text
    assert f"weights={COMPONENTS[0]}:{shifted()[COMPONENTS[0]]:g}" in answer[ids.EXECUTIVE_URL]["search"]
    assert versions(url) == 0

    page = shown(post(client, router_payload("/executive", answer[ids.EXECUTIVE_URL]["search"])))
    assert f"index would be {expected:.2f}" in page  # the shared link opens on the same what-if figures


@pytest.mark.parametrize("weights", ["nonsense", "gdp_growth:0.9", "gdp_growth:abc,x:1", "a" * 2000])
def test_malformed_what_if_weights_in_the_link_fall_back_with_a_notice(hub, weights):
    app, _url = hub
    client = as_user(app, "ana1")
    page = shown(post(client, router_payload("/executive", f"?period=2025Q4&weights={weights}")))
    assert "could not be used" in page and "unknown parameter" not in page


def test_what_if_weights_that_break_the_rules_are_explained(hub):
    app, _url = hub
    client = as_user(app, "exec1")
    weights = {**shifted(), COMPONENTS[0]: 0.7}
    answer = call(app, client, ids.WHATIF_RESULT, {ids.EXECUTIVE_URL: "?period=2025Q4", **whatif_values(weights)},
                  ids.WHATIF_APPLY).get_json()["response"]
    assert "These weights cannot be used" in json.dumps(answer) and ids.EXECUTIVE_URL not in answer


# --- the audit page -------------------------------------------------------------------------

def test_the_audit_page_is_readable_filterable_and_downloadable(hub):
    app, _url = hub
    steward = as_user(app, "stew1")
    shown(call(app, steward, ids.WEIGHTS_PREVIEW, weights_form(shifted(), effective=today()), ids.WEIGHTS_SAVE))
    as_user(app, "stew2")  # another organisation's sign-in
    page = shown(post(steward, router_payload("/audit")))
    assert "Reason: programme review; Version: 1" in page and '\\"reason\\"' not in page
    assert "stew2" not in page

    key = next(k for k in app.callback_map if f"{ids.AUDIT_TABLE}.rowData" in k)
    spec = app.callback_map[key]
    values = {ids.AUDIT_FILTER_ACTION: "weights_change", ids.AUDIT_FILTER_USER: "stew1", ids.URL: ""}
    payload = {"output": key, "outputs": [{"id": ids.AUDIT_TABLE, "property": "rowData"},
                                          {"id": ids.AUDIT_DOWNLOAD, "property": "href"}],
               "inputs": [{**i, "value": values[i["id"]]} for i in spec["inputs"]],
               "state": [{**s, "value": values[s["id"]]} for s in spec["state"]],
               "changedPropIds": [f"{ids.AUDIT_FILTER_ACTION}.value"]}
    answer = post(steward, payload).get_json()["response"]
    rows = answer[ids.AUDIT_TABLE]["rowData"]
    assert [r["action"] for r in rows] == ["Index weights changed"]
    href = answer[ids.AUDIT_DOWNLOAD]["href"]
    assert href == "/export/audit.csv?action=weights_change&user=stew1"

    lines = steward.get(href).get_data(as_text=True).splitlines()
    assert lines[0] == "Time (UTC),User,Action,Detail,Address"
    assert len(lines) == 2 and "Reason: programme review" in lines[1]
    everything = steward.get("/export/audit.csv").get_data(as_text=True)
    assert "Signed in" in everything and "stew2" not in everything
    assert steward.get("/export/audit.csv?action=drop_table").status_code == 400


@pytest.mark.parametrize("username", ["ana1", "exec1", "ops1"])
def test_only_stewards_download_the_audit_log(hub, username):
    app, _url = hub
    assert as_user(app, username).get("/export/audit.csv").status_code == 403


def test_what_if_weights_may_leave_a_component_out(hub):
    app, _url = hub
    client = as_user(app, "exec1")
    weights = dict(catalog().index_weights)
    dropped, raised = COMPONENTS[0], next(c for c in COMPONENTS[1:] if weights[c] <= 0.5 - weights[COMPONENTS[0]])
    weights[raised] += weights[dropped]
    weights[dropped] = 0.0
    answer = call(app, client, ids.WHATIF_RESULT, {ids.EXECUTIVE_URL: "?period=2025Q4", **whatif_values(weights)},
                  ids.WHATIF_APPLY)
    assert "With these weights the index would be" in shown(answer)
