"""The real server (gunicorn, 2 workers) under hostile traffic: every registered callback
fuzzed with malformed bodies, and a signed-in session hit by concurrent requests."""

from __future__ import annotations

import http.client
import json
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from app import create_app
from tests.conftest import make_settings, sql_scalar, start_server, stop_server
from tests.dash_requests import header_payload, router_payload

ADMIN_PASSWORD = "an admin password for the fuzz"
SEED = 20261201
VALUE_FUZZ_PER_CALLBACK = 12  # well-formed bodies with odd values: each runs the callback
HEALTHZ_BOUND_S = 0.1


class Client:
    """Plain HTTP to the server with one session cookie, as a browser (or a script) has."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None,
                timeout: float = 30) -> tuple[int, dict, bytes]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if content_type:
            headers["Content-Type"] = content_type
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        found = re.search(r"hub_session=([^;]*)", response.headers.get("Set-Cookie", ""))
        if found:
            self.cookie = f"hub_session={found.group(1)}" if found.group(1) else ""
        return response.status, dict(response.headers), data

    def sign_in(self, username: str, password: str) -> None:
        page = self.request("GET", "/login")[2].decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urlencode({"username": username, "password": password, "csrf_token": token, "next": "/"})
        status = self.request("POST", "/login", form.encode(), "application/x-www-form-urlencoded")[0]
        assert status == 302

    def post_json(self, body) -> int:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.request("POST", "/_dash-update-component", data, "application/json")[0]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile-server")
    process, url = start_server(tmp, AUTH_PASSWORD=ADMIN_PASSWORD, LOGIN_RATE_LIMIT="10000",
                                REQUEST_RATE_LIMIT="100000")
    yield {"url": url, "tmp": tmp, "database_url": f"sqlite:///{tmp / 'var' / 'analytics_hub.db'}"}
    stop_server(process)


@pytest.fixture(scope="module")
def callback_map(tmp_path_factory, served):
    """The callbacks the app registers (its callback_map), server-side ones only."""
    app = create_app(make_settings(tmp_path_factory.mktemp("map"), DATABASE_URL=served["database_url"]))
    return {key: spec for key, spec in app.callback_map.items() if "callback" in spec}


# --- the fuzz ----------------------------------------------------------------------------

def well_formed(key: str, spec: dict, rng: random.Random) -> dict:
    """A body as the browser sends it for callback `key`, with plausible values."""
    def entry(item):
        component = item["id"]
        if component.startswith("{"):  # a pattern-matching input: the list of matching components
            pattern = json.loads(component)
            return [{"id": {k: ("gdp_growth" if isinstance(v, list) else v) for k, v in pattern.items()},
                     "property": item["property"], "value": rng.choice([None, 1])}]
        return {"id": component, "property": item["property"], "value": plausible(item["property"], rng)}

    def output(text):
        component, prop = text.rsplit(".", 1)
        return {"id": json.loads(component) if component.startswith("{") else component, "property": prop}

    inputs = [entry(item) for item in spec["inputs"]]
    first = spec["inputs"][0]
    return {"output": key,
            "outputs": [output(o) for o in key.strip(".").split("...")] if key.startswith("..") else output(key),
            "inputs": inputs, "state": [entry(item) for item in spec["state"]],
            "changedPropIds": [f"{first['id']}.{first['property']}"] if not first["id"].startswith("{") else []}


def plausible(prop: str, rng: random.Random):
    return {"pathname": rng.choice(["/", "/executive", "/audit", "/nowhere"]),
            "search": rng.choice(["", "?period=2025Q4", "?regions=SA-01,Atlantis", "?period=1999Q9"]),
            "n_clicks": rng.choice([None, 1, 7]), "clickData": None,
            "value": rng.choice(["2025Q4", "2021Q1", ["SA-01", "SA-04"], "economic", "gdp_growth", "status"])}.get(prop)


def odd_value(rng: random.Random):
    """Any JSON a client could put where a value goes."""
    return rng.choice([
        1, -1, 2**70, 1.5, float("inf"), True, False, None, "", "x" * rng.choice([10, 5000]), "🙂\u202e\x00",
        [1, 2], ["SA-01"] * 300, [[["deep"]]], {"points": "x"}, {"points": [{"customdata": ["SA-01"]}]},
        {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": {"l": {"m": 1}}}}}}}}}}}}},
        "../../etc/passwd", "<script>alert(1)</script>", "?period=2025Q4&regions=" + ",".join(["Atlantis"] * 50),
    ])


def mutations(body: dict, rng: random.Random) -> list:
    """Malformed variants of a well-formed body: wrong types, missing fields, unknown ids,
    deep nesting, huge lists and strings, not JSON at all."""
    variants: list = []
    for field in ("output", "outputs", "inputs", "state", "changedPropIds"):
        variants.append({k: v for k, v in body.items() if k != field})  # missing
        for wrong in (1, "x", None, [], {}, [1, "a", None], True):
            variants.append({**body, field: wrong})  # wrong type
    variants += [
        {**body, "output": body["output"] + "x"},
        {**body, "output": "..nowhere.children...elsewhere.value.."},
        {**body, "inputs": [*body["inputs"], body["inputs"][0]]},
        {**body, "inputs": body["inputs"][::-1]},
        {**body, "inputs": [{"id": "nowhere", "property": "value", "value": 1}] * len(body["inputs"])},
        {**body, "inputs": [{**i, "id": {"type": "kpi-card", "index": {"$gt": ""}}} if isinstance(i, dict) else i
                            for i in body["inputs"]]},
        {**body, "inputs": [[{"id": {"type": "x"}, "property": "n_clicks"}] * 1000] * len(body["inputs"])},
        {**body, "changedPropIds": ["nowhere.value"]},
        {**body, "changedPropIds": ["{not json.value"]},
        {**body, "changedPropIds": ["x"] * 100_000},
        {**body, "state": [{"id": "url", "property": "search", "value": "?" + "x" * 1_000_000}]},
        {**body, "extra": ["x"] * 200_000},
        [body], "a string", 12, None,
    ]
    for _ in range(4):  # one input at a time given an odd value
        variant = json.loads(json.dumps(body))
        entries = [e for e in variant["inputs"] + variant.get("state", []) if isinstance(e, dict)]
        if entries:
            rng.choice(entries)["value"] = odd_value(rng)
        variants.append(variant)
    raw = [b"", b"{", b"\xff\xfe\x00", b"[" * 100_000 + b"]" * 100_000, b'{"output": ' + b"[" * 5000,
           json.dumps(body).encode() + b"garbage", b'{"output": "\\ud800"}', b"NaN"]
    return variants + raw


def fuzz_bodies(callback_map: dict, rng: random.Random) -> list[tuple[str, bytes]]:
    bodies = []
    for key, spec in sorted(callback_map.items()):
        body = well_formed(key, spec, rng)
        bodies += [(key, json.dumps(m).encode() if not isinstance(m, bytes) else m) for m in mutations(body, rng)]
        for _ in range(VALUE_FUZZ_PER_CALLBACK):  # well-formed apart from the values
            variant = json.loads(json.dumps(body))
            for entry in variant["inputs"] + variant["state"]:
                for item in entry if isinstance(entry, list) else [entry]:
                    if rng.random() < 0.5:
                        item["value"] = odd_value(rng)
            bodies.append((key, json.dumps(variant).encode()))
    return bodies


def test_fuzzed_callback_bodies_get_no_500_and_the_server_stays_responsive(served, callback_map):
    assert len(callback_map) >= 5  # the router and every page's callbacks
    client = Client(served["url"])
    client.sign_in("admin", ADMIN_PASSWORD)
    bodies = fuzz_bodies(callback_map, random.Random(SEED))
    statuses: dict[int, int] = {}
    failures = []
    for key, body in bodies:
        status = client.post_json(body)
        statuses[status] = statuses.get(status, 0) + 1
        if status >= 500:
            failures.append((key[:60], body[:200]))
    print(f"{len(bodies)} fuzzed bodies: {dict(sorted(statuses.items()))}")
    assert failures == []
    assert statuses.get(400, 0) > len(bodies) // 2  # most are refused before any callback runs
    errors = Path(served["tmp"], "logs", "errors.log")
    assert "Traceback" not in (errors.read_text() if errors.exists() else "")
    fastest = min(timed_healthz(client) for _ in range(3))
    assert fastest < HEALTHZ_BOUND_S
    assert client.post_json(router_payload("/executive")) == 200  # and real callbacks still work


def timed_healthz(client: Client) -> float:
    started = time.perf_counter()
    status = client.request("GET", "/healthz")[0]
    assert status in (200, 503)
    return time.perf_counter() - started


# --- sessions ------------------------------------------------------------------------------

def test_a_session_survives_concurrent_requests_and_sign_out_deletes_it_on_the_server(served):
    client = Client(served["url"])
    client.sign_in("admin", ADMIN_PASSWORD)
    session_id = client.cookie.split("=", 1)[1]
    requests = [("GET", "/_dash-layout", None), ("GET", "/_dash-dependencies", None),
                ("POST", "/_dash-update-component", header_payload("/")),
                ("POST", "/_dash-update-component", router_payload("/")),
                ("POST", "/_dash-update-component", router_payload("/executive"))] * 6

    def send(request):
        method, path, payload = request
        status, headers, body = client.request(method, path, json.dumps(payload).encode() if payload else None,
                                               "application/json" if payload else None)
        return status, headers.get("Set-Cookie"), body

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, requests))
    assert [status for status, _, _ in answers] == [200] * len(requests)
    assert {cookie for _, cookie, _ in answers} == {None}  # the cookie is never rewritten
    tokens = {re.search(r'"value":"([^"]+)"[^}]*"name":"csrf_token"', body.decode()).group(1)
              for (_, _, payload), (_, _, body) in zip(requests, answers, strict=True)
              if payload == header_payload("/")}
    assert len({token.split(".")[0] for token in tokens}) == 1  # one CSRF secret, whoever answered
    stored = "SELECT COUNT(*) FROM web_sessions WHERE session_id LIKE :pattern"
    assert sql_scalar(served["database_url"], stored, pattern=f"%:{session_id}") == 1

    form = urlencode({"csrf_token": tokens.pop()}).encode()
    assert client.request("POST", "/logout", form, "application/x-www-form-urlencoded")[0] == 302
    assert sql_scalar(served["database_url"], stored, pattern=f"%:{session_id}") == 0
    client.cookie = f"hub_session={session_id}"  # a copy of the cookie kept from before
    assert client.request("GET", "/_dash-layout")[0] == 401
