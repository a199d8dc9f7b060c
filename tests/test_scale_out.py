"""Two app instances (two gunicorn masters on two ports, as two replicas behind nginx) on one
PostgreSQL and one Redis behave as one hub: they start together and seed once, a session
signed in on one is valid on the other, Clear Cache on one clears the other, rate limits
count over both, a data change shows at once on both, and stopping one leaves the other
serving. Needs TEST_DATABASE_URL and TEST_REDIS_URL (CI sets them)."""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
import redis

from data import migrations, stewardship
from data.database import load_observations
from data.engine import get_engine
from data.seed import SEED_TENANTS, SOURCE_SYSTEM, generate_observations
from data.versions import bump_data_version
from security import accounts, api_tokens
from tests.conftest import launch_server, scratch_postgres_url, sql_scalar, stop_server, wait_until_serving
from tests.dash_requests import dashboard_payload, router_payload
from tests.test_ops_live import CLEAR_CACHE_CALL, after, texts

PASSWORD = "scale out password"
OPS_USERS = {"ops-mep": "mep", "ops-rda": "rda"}
ANALYST = ("analyst-rda", "rda")
LOGIN_LIMIT = 4


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


CLIENT_ADDRESSES = (f"198.51.100.{n}" for n in itertools.count(1))


class Browser:
    """One browser: one cookie jar, whichever instance it talks to (cookies ignore the port,
    as they ignore which replica nginx chose), at an address of its own as nginx would pass it."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())
        self.headers = {"X-Forwarded-For": next(CLIENT_ADDRESSES)}

    def request(self, url: str, data: bytes | None = None, content_type: str | None = None) -> tuple[int, str]:
        headers = {**self.headers, **({"Content-Type": content_type} if content_type else {})}
        try:
            with self.opener.open(urllib.request.Request(url, data=data, headers=headers), timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form(self, base: str, path: str, fields: dict) -> int:
        _, page = self.request(f"{base}/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        fields = {**fields, "csrf_token": token.group(1) if token else ""}
        return self.request(f"{base}{path}", urllib.parse.urlencode(fields).encode(),
                            "application/x-www-form-urlencoded")[0]

    def sign_in(self, base: str, username: str, password: str = PASSWORD) -> int:
        return self.form(base, "/login", {"username": username, "password": password, "next": "/"})

    def sign_out(self, base: str) -> int:
        return self.form(base, "/logout", {})

    def callback(self, base: str, payload: dict) -> tuple[int, list[str]]:
        status, body = self.request(f"{base}/_dash-update-component", json.dumps(payload).encode(),
                                    "application/json")
        return status, texts(json.loads(body)) if status == 200 else [body]

    def diagnostics(self, base: str) -> list[str]:
        status, strings = self.callback(base, router_payload("/diagnostics"))
        assert status == 200, strings
        return strings


@dataclass
class Pair:
    a: str
    b: str
    database_url: str
    redis_url: str
    processes: dict
    folders: dict


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set: the two-instance test needs Redis and PostgreSQL")
    database_url = scratch_postgres_url("scale_out")
    shared = {"DATABASE_URL": database_url, "CACHE_REDIS_URL": redis_url, "SECRET_KEY": "s" * 40,
              "AUTH_PASSWORD": PASSWORD, "PROXY_HOPS": "1", "LOGIN_RATE_LIMIT": str(LOGIN_LIMIT), "WORKERS": "1"}
    _clear_hub_keys(redis_url)
    folders = {name: tmp_path_factory.mktemp(f"instance-{name}") for name in "ab"}
    launched = {name: launch_server(folder, **shared) for name, folder in folders.items()}  # both at once
    for name, (process, url) in launched.items():
        wait_until_serving(process, url, folders[name], seconds=120)
    engine = get_engine(database_url)
    for username, tenant in OPS_USERS.items():
        accounts.create_user(engine, username, tenant, "ops", PASSWORD)
    accounts.create_user(engine, *ANALYST, "analyst", PASSWORD)
    yield Pair(launched["a"][1], launched["b"][1], database_url, redis_url,
               {name: process for name, (process, _) in launched.items()}, folders)
    for process, _ in launched.values():
        stop_server(process)
    _clear_hub_keys(redis_url)


HUB_KEYS = ("hub:*", "hub-session:*", "LIMITS:LIMITER/hub/*")  # cache, sessions, rate-limit counts


def _clear_hub_keys(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    keys = [key for pattern in HUB_KEYS for key in client.scan_iter(match=pattern, count=1000)]
    if keys:
        client.delete(*keys)


def health(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
        return json.load(response)


def latest_quarter(browser: Browser, base: str) -> str:
    return after(browser.diagnostics(base), "Latest complete quarter served")


def test_both_start_together_migrate_and_seed_once(pair):
    outputs = [(folder / "gunicorn.out").read_text() for folder in pair.folders.values()]
    assert sum("created and seeded the database" in output for output in outputs) == 1
    assert sum("using the existing database" in output for output in outputs) == 1
    assert sql_scalar(pair.database_url, "SELECT COUNT(*) FROM sustainability_indicators") == 2 * 13 * 44 * 21
    assert sql_scalar(pair.database_url, "SELECT COUNT(*) FROM users WHERE username = 'admin'") == 1
    answers = [health(base) for base in (pair.a, pair.b)]
    assert [answer["status"] for answer in answers] == ["healthy", "healthy"]
    assert [answer["instance"].rsplit(":", 1)[1] for answer in answers] == [base.rsplit(":", 1)[1]
                                                                            for base in (pair.a, pair.b)]


def test_a_session_signed_in_on_one_is_valid_on_the_other_until_signed_out(pair):
    browser = Browser()
    assert browser.sign_in(pair.a, "ops-mep") == 302
    on_b = browser.diagnostics(pair.b)
    assert after(on_b, "Replica (host:port)") == health(pair.b)["instance"]
    assert after(on_b, "Schema revision") == migrations.head()
    assert browser.sign_out(pair.a) == 302
    status, _ = browser.callback(pair.b, router_payload("/diagnostics"))
    assert status == 401


def test_clear_cache_on_one_clears_the_other(pair):
    browser = Browser()
    assert browser.sign_in(pair.b, "ops-mep") == 302
    assert [latest_quarter(browser, base) for base in (pair.b, pair.a)] == ["2025Q4", "2025Q4"]
    with get_engine(pair.database_url).begin() as conn:  # a change outside the app: no new data version
        conn.exec_driver_sql("DELETE FROM sustainability_indicators WHERE tenant_id = 'mep' AND year = 2025 "
                             "AND quarter = 4")
    assert [latest_quarter(browser, base) for base in (pair.a, pair.b)] == ["2025Q4", "2025Q4"]  # shared cache
    status, message = browser.callback(pair.a, CLEAR_CACHE_CALL)
    assert status == 200 and "RedisCache" in " ".join(message)
    assert latest_quarter(browser, pair.b) == "2025Q3"


def test_rate_limit_counts_are_shared(pair):
    """Failed sign-ins from one client address, alternating between the instances, are
    refused after LOGIN_LIMIT in a minute, however they were spread."""
    for _attempt in range(2):  # again, from another address, if a minute (the limits' window) ended
        window = time.time() // 60
        browser = Browser()
        statuses = [browser.sign_in(base, "nobody", "not the password") for base in [pair.a, pair.b] * 3]
        if time.time() // 60 == window:
            break
    assert statuses == [401] * LOGIN_LIMIT + [429] * (6 - LOGIN_LIMIT)


@dataclass(frozen=True)
class Change:
    """A change of a tenant's data made through (or beside) one instance, and what a user of
    that tenant sees of it on an instance."""
    username: str
    make: Callable[[Pair], None]
    observe: Callable[[Browser, str], object]


def load_the_next_quarter(pair: Pair) -> None:
    """An import as the data layer does it: a batch of rows and a new data version, in one transaction."""
    rda = next(tenant for tenant in SEED_TENANTS if tenant.tenant_id == "rda")
    rows = generate_observations(rda)
    rows = rows[(rows["year"] == 2025) & (rows["quarter"] == 4)].assign(year=2026, quarter=1)
    with get_engine(pair.database_url).begin() as conn:
        load_observations(conn, rows.assign(batch_id="scale-out-2026Q1"), "scale-out-2026Q1", "rda", SOURCE_SYSTEM)
        bump_data_version(conn, "rda")


def upload_a_quarter_through_the_api(pair: Pair) -> None:
    """A scheduled load (issue 10): the next quarter's file posted to one instance's API."""
    rda = next(tenant for tenant in SEED_TENANTS if tenant.tenant_id == "rda")
    rows = generate_observations(rda)
    rows = rows[(rows["year"] == 2025) & (rows["quarter"] == 4)]
    lines = ["indicator_id,region,year,quarter,value"] + [
        f"{r.indicator_id},{r.region_code},2026,2,{r.value}" for r in rows.itertuples(index=False)]
    token = api_tokens.create(get_engine(pair.database_url), "rda", "scale-out", None)
    boundary = "hub-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"2026Q2.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n" + "\r\n".join(lines) + f"\r\n--{boundary}--\r\n").encode()
    request = urllib.request.Request(f"{pair.a}/api/v1/uploads", data=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert json.loads(response.read())["status"] == "imported"


def change_the_index_weights(pair: Pair) -> None:
    """A steward's new weights version (issue 14): the index of every view changes."""
    weights = stewardship.defaults(stewardship.WEIGHTS)
    first, second = sorted(weights)[:2]
    moved = min(0.05, weights[first], 0.5 - weights[second])
    weights.update({first: round(weights[first] - moved, 6), second: round(weights[second] + moved, 6)})
    stewardship.save(get_engine(pair.database_url), "rda", stewardship.WEIGHTS, weights, "scale-out test",
                     "admin", date.today())


def dashboard_texts(browser: Browser, base: str) -> list[str]:
    status, strings = browser.callback(base, dashboard_payload())
    assert status == 200, strings
    return strings


CHANGES = {
    "a quarter loaded through the data layer": Change("ops-rda", load_the_next_quarter, latest_quarter),
    "a quarter uploaded through the API": Change("ops-rda", upload_a_quarter_through_the_api, latest_quarter),
    "new index weights": Change("analyst-rda", change_the_index_weights, dashboard_texts),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_data_change_shows_at_once_on_both(pair, change):
    browser = Browser()
    assert browser.sign_in(pair.a, change.username) == 302
    before = [change.observe(browser, base) for base in (pair.a, pair.b)]  # now cached in Redis
    change.make(pair)
    after_change = [change.observe(browser, base) for base in (pair.b, pair.a)]
    assert before[0] == before[1] and after_change[0] == after_change[1] != before[0]


def test_stopping_one_leaves_the_other_serving(pair):
    browser = Browser()
    assert browser.sign_in(pair.a, "ops-mep") == 302
    stop_server(pair.processes["a"])
    with pytest.raises(urllib.error.URLError):
        health(pair.a)
    assert health(pair.b)["status"] == "healthy"
    assert after(browser.diagnostics(pair.b), "Replica (host:port)") == health(pair.b)["instance"]
