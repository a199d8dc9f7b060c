"""Sign-in, roles and tenant isolation through the real endpoints of an app with
authentication on (staging settings, accounts in the database)."""

import json
import os
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask_session.base
import pytest
import redis
from argon2 import PasswordHasher

from app import CALLBACK_OWNERS, create_app
from callbacks.registry import MAIN_MENU, PAGES
from data import database
from data.engine import get_engine
from exports.png import availability
from layouts import ids
from ops import logs
from security import accounts
from security.roles import PERMISSIONS
from settings import Settings, SettingsError
from tests.conftest import PASSWORD, make_settings, secured_settings, sign_in, sql_rows, sql_scalar
from tests.dash_requests import dashboard_payload, header_payload, post, router_payload

USERS = {"exec1": ("mep", "executive"), "ana1": ("mep", "analyst"), "stew1": ("mep", "steward"),
         "ops1": ("mep", "ops"), "ana2": ("rda", "analyst")}


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    settings = secured_settings(tmp_path_factory.mktemp("secured"), USERS, CACHE_TYPE="disk", LOGIN_MAX_ATTEMPTS="3")
    return create_app(settings), settings.database_url


def as_user(secured, username):
    client, response = sign_in(secured[0], username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def stored(url, tenant, indicator, region, year, quarter):
    return sql_scalar(url, "SELECT value FROM sustainability_indicators WHERE tenant_id = :t AND indicator_id = :i "
                      "AND region_code = :r AND year = :y AND quarter = :q", t=tenant, i=indicator, r=region,
                      y=year, q=quarter)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/_dash-layout"), ("GET", "/_dash-dependencies"), ("POST", "/_dash-update-component"),
    ("GET", "/export/data.csv"), ("GET", "/export/trend.png"), ("GET", "/export/brief.pdf"),
    ("GET", "/export/data.xlsx"),
])
def test_without_a_session_data_routes_answer_401_with_no_data(secured, method, path):
    client = secured[0].server.test_client()
    response = client.open(path, method=method, json=router_payload("/") if method == "POST" else None)
    assert response.status_code == 401
    assert response.get_json() == {"error": "sign in required"}


@pytest.mark.parametrize("path", ["/", "/executive", "/diagnostics", "/Diagnostics", "/audit"])
def test_without_a_session_pages_redirect_to_login(secured, path):
    response = secured[0].server.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_healthz_stays_public_and_shows_no_data(secured):
    body = secured[0].server.test_client().get("/healthz").get_json()
    assert body["status"] in ("healthy", "unhealthy")
    assert "mep" not in json.dumps(body) and "rda" not in json.dumps(body)


def test_login_sets_a_safe_session_cookie_and_shows_the_user(secured):
    client, response = sign_in(secured[0], "ana1")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert len(client.get_cookie("hub_session").value) == 43  # a random id (32 bytes), no data
    header = post(client, header_payload("/")).get_data(as_text=True)
    assert "ana1 (analyst)" in header and "Ministry of Economy and Planning" in header
    assert "Authentication is off" not in header


def test_sign_in_starts_a_new_session_id(secured):
    client = secured[0].server.test_client()
    client.get("/login")
    before = client.get_cookie("hub_session").value  # the form's session, which an attacker could plant
    assert attempt(secured[0], "ana1", client=client).status_code == 302
    after = client.get_cookie("hub_session").value
    assert after != before
    client.set_cookie("hub_session", before)
    assert client.get("/_dash-layout").status_code == 401


def test_wrong_password_fails_and_is_audited_without_the_password(secured):
    app, url = secured
    _, response = sign_in(app, "ana1", "not the password at all")
    assert response.status_code == 401
    assert "Sign-in failed" in response.get_data(as_text=True)
    detail = sql_rows(url, "SELECT username, detail FROM audit_log WHERE action = 'login_failure' "
                      "ORDER BY id DESC LIMIT 1")[0]
    assert detail[0] == "ana1" and "wrong password" in detail[1]
    everything = json.dumps([list(r) for r in sql_rows(url, "SELECT * FROM audit_log")], default=str)
    assert "not the password at all" not in everything and PASSWORD not in everything


def attempt(app, username, password=PASSWORD, address="127.0.0.1", client=None):
    """One sign-in from `address`, as a browser does it: open the form, then post it."""
    if client is None:
        client = app.server.test_client()
        client.environ_base["REMOTE_ADDR"] = address
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"})


def answer(response) -> tuple[int, str]:
    """What a client learns from a sign-in: the status and the page without its form token."""
    return response.status_code, re.sub(r'name="csrf_token" value="[^"]+"', "", response.get_data(as_text=True))


def test_failures_from_another_address_never_keep_a_user_out(secured):
    app, url = secured
    accounts.create_user(get_engine(url), "victim1", "mep", "analyst", PASSWORD)
    attacker, user = "10.9.0.1", "10.9.0.2"
    assert [attempt(app, "victim1", "wrong wrong wrong", attacker).status_code for _ in range(3)] == [401] * 3
    throttled = attempt(app, "victim1", PASSWORD, attacker)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert "Too many sign-in attempts. Try again in" in throttled.get_data(as_text=True)
    assert attempt(app, "victim1", PASSWORD, user).status_code == 302  # the user signs in from elsewhere
    assert sql_scalar(url, "SELECT locked_until FROM users WHERE username = 'victim1'") is None


def test_unknown_wrong_disabled_and_throttled_names_get_the_same_answer_after_the_same_work(secured, monkeypatch):
    app, url = secured
    engine = get_engine(url)
    accounts.create_user(engine, "alike1", "mep", "analyst", PASSWORD)
    accounts.create_user(engine, "alike2", "mep", "analyst", PASSWORD)
    accounts.disable(engine, "alike2")
    verified = []

    class CountingHasher(PasswordHasher):
        def verify(self, *args):
            verified.append(1)
            return super().verify(*args)

    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    answers = {}
    for name in ("alike1", "alike2", "nobody-at-all"):  # wrong password, disabled, unknown
        verified.clear()
        answers[name] = answer(attempt(app, name, "not the password", "10.9.1.1"))
        assert len(verified) == 1, name  # one argon2 verification each, nothing else to tell them apart
    assert answers["alike1"][0] == 401 and len(set(answers.values())) == 1
    throttled = {}
    for name in ("alike1", "nobody-at-all"):  # an existing and an unknown name, throttled alike
        for _ in range(2):
            attempt(app, name, "not the password", "10.9.1.1")
        throttled[name] = answer(attempt(app, name, PASSWORD, "10.9.1.1"))
    assert throttled["alike1"][0] == 429
    assert len({re.sub(r"in \d+ s", "", text) for _, text in throttled.values()}) == 1


def test_sign_in_attempts_are_limited_per_address(tmp_path, sqlite_url):
    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, ANALYTICS_HUB_ENV="staging",
                                   SECRET_KEY="s" * 40, LOGIN_RATE_LIMIT="2"))
    statuses = [sign_in(app, "nobody", "whatever it is")[1].status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_csrf_token_is_required_on_the_login_form(secured):
    client = secured[0].server.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "ana1", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/_dash-layout").status_code == 401


def test_logout_ends_the_session(secured):
    client = as_user(secured, "stew1")
    header = post(client, header_payload("/")).get_data(as_text=True)
    token = re.search(r'"value":"([^"]+)"[^}]*"name":"csrf_token"', header).group(1)
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def test_idle_sessions_expire(secured):
    client = as_user(secured, "ana1")
    with client.session_transaction() as session:
        session["seen_at"] = time.time() - 31 * 60
    assert client.get("/_dash-layout").status_code == 401


def test_a_password_reset_ends_existing_sessions(secured):
    engine = get_engine(secured[1])
    accounts.create_user(engine, "reset1", "mep", "analyst", PASSWORD)
    client = as_user(secured, "reset1")
    assert client.get("/_dash-layout").status_code == 200
    accounts.set_password(engine, "reset1", "another long password")
    assert client.get("/_dash-layout").status_code == 401


def test_security_headers(secured):
    response = as_user(secured, "ana1").get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'sha256-" in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


EXPORTS = {"csv": "/export/data.csv", "xlsx": "/export/data.xlsx", "pdf": "/export/brief.pdf",
           "png": "/export/regions.png?width=400&height=300&scale=1"}
MAY_EXPORT = {"executive": {"png", "pdf"}, "analyst": {"csv", "xlsx", "png", "pdf"},
              "steward": {"csv", "xlsx", "png", "pdf"}, "ops": set()}


@pytest.mark.parametrize("username", ["exec1", "ana1", "stew1", "ops1"])
def test_role_matrix(secured, username):
    role = USERS[username][1]
    client = as_user(secured, username)
    for fmt, path in EXPORTS.items():
        status = client.get(path).status_code
        if fmt in MAY_EXPORT[role]:
            expected = 503 if fmt == "png" and not availability()[0] else 200  # PNG needs Chromium
            assert status == expected, (fmt, status)
        else:
            assert status == 403, (fmt, status)
    for page in PAGES:
        sent_on = page.path == "/" and role == "ops"  # the home page takes ops to Diagnostics
        expected = role not in PERMISSIONS[page.permission] and not sent_on
        shown = post(client, router_payload(page.path)).get_data(as_text=True)
        assert ("Not available to your role" in shown) == expected, (page.path, role)
        opened = client.get("/_dash-layout", headers={"Referer": f"http://localhost{page.path}"})  # the first page
        assert ("Not available to your role" in opened.get_data(as_text=True)) == expected, (page.path, role)
    header = post(client, header_payload("/")).get_data(as_text=True)
    links = {page.path for page in PAGES if f'"id":"{page.nav_id}"' in header}
    assert links == {page.path for page in PAGES if role in PERMISSIONS[page.permission] and page.nav == MAIN_MENU}


def test_executives_get_no_table_rows(secured):
    before = "?from=2020Q1"  # the page showed another range, so the table is sent again
    rows = json.loads(post(as_user(secured, "exec1"), dashboard_payload(search=before)).get_data())["response"]
    assert rows["data-table"]["rowData"] == []
    assert rows["download-csv"]["href"] is None
    analyst = json.loads(post(as_user(secured, "ana1"), dashboard_payload(search=before)).get_data())["response"]
    assert len(analyst["data-table"]["rowData"]) > 0


def test_ops_cannot_run_the_dashboard_callback(secured):
    response = post(as_user(secured, "ops1"), dashboard_payload())
    assert response.status_code == 403
    assert response.get_json() == {"error": "not allowed", "reason": "your role may not use this (dashboard)"}


def callback_payload(key: str, spec: dict) -> dict:
    """A well-formed request for the callback `key` with every input and state empty."""
    def entries(items):
        return [[] if str(item["id"]).startswith("{") else {**item, "value": None} for item in items]  # ALL: a list

    def output(text):
        component, prop = text.rsplit(".", 1)
        if '["ALL"]' in component:
            return []  # a pattern-matching output: the matching components on the page, none here
        return {"id": json.loads(component) if component.startswith("{") else component, "property": prop}

    outputs = [output(o) for o in key.strip(".").split("...")] if key.startswith("..") else output(key)
    return {"output": key, "outputs": outputs,
            "inputs": entries(spec["inputs"]), "state": entries(spec["state"]),
            "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"]}


def test_every_callback_refuses_every_role_its_page_does_not_allow(secured):
    app = secured[0]
    owners = app.server.extensions[CALLBACK_OWNERS]
    server_side = {key for key, spec in app.callback_map.items() if "callback" in spec}
    router_key = next(key for key in server_side if key.startswith(f"..{ids.PAGE}."))
    header_key = f"{ids.HEADER}.children"  # the frame: navigation for whoever is signed in
    assert server_side == set(owners) | {router_key, header_key}  # every other callback belongs to a page
    refused = 0
    for key, page in owners.items():
        for username, (_tenant, role) in USERS.items():
            if role in PERMISSIONS[page.permission]:
                continue
            response = post(as_user(secured, username), callback_payload(key, app.callback_map[key]))
            assert response.status_code == 403, (key, role, response.status_code)
            refused += 1
    assert refused >= 8


def test_other_tenants_data_never_arrives(secured):
    app, url = secured
    client = as_user(secured, "ana2")  # tenant rda
    csv_text = client.get("/export/data.csv?regions=SA-01&indicator=gdp_total&from=2025Q4").get_data(as_text=True)
    riyadh = [line for line in csv_text.splitlines() if line.startswith("gdp_total,GDP,SA-01,")]
    assert len(riyadh) == 1
    value = float(riyadh[0].split(",")[5])
    assert value == pytest.approx(stored(url, "rda", "gdp_total", "SA-01", 2025, 4))
    assert value != pytest.approx(stored(url, "mep", "gdp_total", "SA-01", 2025, 4))
    assert "# Tenant: rda" in csv_text

    crafted = client.get("/export/data.csv?tenant=mep&tenant_id=mep")
    assert crafted.status_code == 400 and "mep" not in crafted.get_data(as_text=True).replace("“tenant", "")

    update = json.loads(post(client, dashboard_payload(regions=["SA-01"], pillar="economic",
                                                       indicator="gdp_total")).get_data())["response"]
    table = update["data-table"]["rowData"]
    values = [row["value"] for row in table if row["region"] == "Riyadh" and row["period"] == "2025Q4"]
    assert values == [pytest.approx(stored(url, "rda", "gdp_total", "SA-01", 2025, 4))]
    mep_value = stored(url, "mep", "gdp_total", "SA-01", 2025, 4)
    assert f"{mep_value:,.0f}" not in json.dumps(update)


def test_stewards_see_their_tenants_audit_log_only(secured):
    app, url = secured
    as_user(secured, "ana2").get("/export/data.csv")  # an rda export
    page = post(as_user(secured, "stew1"), router_payload("/audit")).get_data(as_text=True)
    assert "Signed in" in page and "stew1" in page
    assert "ana2" not in page


def test_production_refuses_to_start_without_a_secret_or_a_credential(tmp_path):
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env({"ANALYTICS_HUB_ENV": "production"})
    settings = make_settings(tmp_path, ANALYTICS_HUB_ENV="production", SECRET_KEY="p" * 40)
    settings.data_dir.mkdir(parents=True)
    database.seed(get_engine(settings.database_url))
    with pytest.raises(accounts.AccountError, match="production needs at least one credential"):
        accounts.prepare_sign_in(settings)
    with_password = make_settings(tmp_path, ANALYTICS_HUB_ENV="production", SECRET_KEY="p" * 40,
                                  AUTH_PASSWORD="rotated admin password")
    assert "AUTH_PASSWORD applied to the admin account (created)" in accounts.prepare_sign_in(with_password)


def test_development_without_credentials_shows_the_banner(tmp_path, sqlite_url):
    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, ANALYTICS_HUB_ENV="development"))
    header = post(app.server.test_client(), header_payload("/")).get_data(as_text=True)
    assert "Authentication is off" in header
    assert rows_of(sql_rows(sqlite_url, "SELECT COUNT(*) FROM users")) == 0


def rows_of(result):
    return result[0][0]


def test_only_ops_can_clear_the_cache_and_it_is_audited(secured):
    app, url = secured
    payload = {"output": "..settings-cache-result.children...settings-cache-state.children..",
               "outputs": [{"id": "settings-cache-result", "property": "children"},
                           {"id": "settings-cache-state", "property": "children"}],
               "inputs": [{"id": "settings-clear-cache", "property": "n_clicks", "value": 1}],
               "changedPropIds": ["settings-clear-cache.n_clicks"],
               "state": [{"id": "url", "property": "search", "value": ""}]}
    before = sql_scalar(url, "SELECT COUNT(*) FROM audit_log WHERE action = 'cache_clear'")
    assert post(as_user(secured, "ana1"), payload).status_code == 403  # refused before it runs
    assert sql_scalar(url, "SELECT COUNT(*) FROM audit_log WHERE action = 'cache_clear'") == before
    assert post(as_user(secured, "ops1"), payload).status_code == 200
    row = sql_rows(url, "SELECT tenant_id, username FROM audit_log WHERE action = 'cache_clear' ORDER BY id DESC")
    assert tuple(row[0]) == ("mep", "ops1")


def test_sessions_and_counters_are_shared_by_every_worker(secured, tmp_path):
    """Two apps on one data folder and database, as two gunicorn workers: a session made by
    one is valid in the other, and sign-in attempts count once for both."""
    app, url = secured
    workers = [create_app(make_settings(tmp_path, DATABASE_URL=url, ANALYTICS_HUB_ENV="staging", SECRET_KEY="s" * 40,
                                        LOGIN_RATE_LIMIT="3")) for _ in range(2)]
    client = workers[0].server.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.2.1"
    assert attempt(None, "ana1", client=client).status_code == 302
    other = workers[1].server.test_client()
    other.set_cookie("hub_session", client.get_cookie("hub_session").value)
    assert other.get("/_dash-layout").status_code == 200
    statuses = [attempt(workers[n % 2], "nobody", "whatever it is", "10.9.2.1").status_code for n in range(3)]
    assert statuses == [401, 401, 429]  # 1 + 2 attempts from this address: the third is over 3 a minute


@pytest.mark.redis
def test_with_redis_counters_live_in_redis_and_sessions_in_the_database(secured, tmp_path):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set: the Redis test needs a server")
    store = redis.Redis.from_url(redis_url)
    app, url = create_app(make_settings(tmp_path, DATABASE_URL=secured[1], ANALYTICS_HUB_ENV="staging",
                                        SECRET_KEY="r" * 40, CACHE_REDIS_URL=redis_url, CACHE_TYPE="redis")), secured[1]
    address = f"10.9.3.{secrets.randbelow(250)}"  # counters outlive the test in Redis: a fresh address
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert attempt(app, "ana1", client=client).status_code == 302
    session_id = client.get_cookie("hub_session").value
    stored = "SELECT COUNT(*) FROM web_sessions WHERE session_id LIKE :p"
    assert sql_scalar(url, stored, p=f"%:{session_id}") == 1  # a Redis outage cannot sign everyone out
    assert store.keys(f"LIMITS:LIMITER/hub/{address}/*")  # the sign-in was counted in Redis
    header = post(client, header_payload("/")).get_data(as_text=True)
    csrf = re.search(r'"value":"([^"]+)"[^}]*"name":"csrf_token"', header).group(1)
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert sql_scalar(url, stored, p=f"%:{session_id}") == 0


def test_a_visitor_who_only_opened_the_form_gets_a_short_session(secured):
    app, url = secured
    client = app.server.test_client()
    client.get("/login")  # the form's CSRF token starts a session
    session_id = client.get_cookie("hub_session").value
    expires = sql_scalar(url, "SELECT expires_at FROM web_sessions WHERE session_id LIKE :p", p=f"%:{session_id}")
    left = datetime.fromisoformat(str(expires)).replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(minutes=50) < left <= timedelta(hours=1)  # not the 12 hours of a signed-in session


def test_sessions_are_kept_in_the_database_on_each_backend(database_url, tmp_path):
    client = create_app(make_settings(tmp_path, DATABASE_URL=database_url)).server.test_client()
    form_token = re.compile(r'name="csrf_token" value="([^".]+)')  # the signed secret's first part
    first = form_token.search(client.get("/login").get_data(as_text=True)).group(1)
    session_id = client.get_cookie("hub_session").value
    second = form_token.search(client.get("/login").get_data(as_text=True)).group(1)
    assert first == second  # the second request read the session the first one stored
    rows = sql_scalar(database_url, "SELECT COUNT(*) FROM web_sessions WHERE session_id LIKE :p", p=f"%:{session_id}")
    assert rows == 1
def test_ops_land_on_diagnostics_instead_of_a_dead_end(secured):
    client = as_user(secured, "ops1")
    opened = client.get("/")
    assert opened.status_code == 302 and opened.headers["Location"] == "/diagnostics"
    shown = post(client, router_payload("/")).get_data(as_text=True)
    assert "Not available to your role" not in shown and ids.DIAGNOSTICS_BODY in shown
    assert as_user(secured, "ana1").get("/").status_code == 200  # others keep the dashboard


def test_a_sign_in_is_traced_with_the_accounts_tenant_and_excel_downloads_are_traced(secured):
    settings = secured[0].server.extensions["hub_runtime"].settings
    logs.configure_logging(settings)  # the log files are the process's: another app may have taken them
    log_dir = Path(settings.log_dir)
    client = as_user(secured, "ana2")
    assert client.get("/export/data.xlsx").status_code == 200
    events = [json.loads(line) for line in (log_dir / "telemetry.jsonl").read_text().splitlines()]
    login = [e for e in events if e["event_type"] == "login"][-1]
    assert (login["tenant"], login["role"], login["success"]) == ("rda", "analyst", True)
    excel = [e for e in events if e["event_type"] == "export_xlsx"][-1]
    assert excel["tenant"] == "rda" and excel["indicator"]


def test_a_derived_indicators_csv_says_its_inputs_are_synthetic(secured):
    client = as_user(secured, "ana1")
    text = client.get("/export/data.csv?indicator=co2_per_gdp&pillar=environmental").get_data(as_text=True)
    source = next(line for line in text.splitlines() if line.startswith("# Source: "))
    assert source == "# Source: hub computation from synthetic-seed (synthetic demonstration data)"


def test_expired_session_housekeeping_never_fails_the_request_it_runs_before(tmp_path, monkeypatch):
    app = create_app(make_settings(tmp_path))
    settings = app.server.extensions["hub_runtime"].settings
    settings.sqlite_file.write_bytes(b"garbage!" * 512)
    get_engine(settings.database_url).dispose()  # new connections meet the damaged file
    monkeypatch.setattr(flask_session.base.random, "randint", lambda low, high: 0)  # housekeeping runs now
    answer = app.server.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.json["failing"] == ["Database Connection", "Data Available"]
