"""What an anonymous or hostile client can send costs milliseconds and never gets a 500:
redaction in linear time, malformed callback bodies refused with a 400, unknown static
files and paths answered with a 404, bodies and lists capped."""

import json
import logging
import time

import pytest
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from app import create_app
from bench.redaction import hostile_texts
from callbacks.dashboard import OUTPUTS
from ops import logs
from ops.delivery import plotly_bundle
from ops.instrumentation import TracebackFloodGuard
from ops.redaction import MASK, MAX_CHARS, redact
from tests.conftest import make_settings, secured_settings, sign_in
from tests.dash_requests import dashboard_payload, router_payload

# 100 KB takes well under 50 ms here (bench/redaction.py); the quadratic patterns this replaced
# took 13 s for 16 KB. One second is a bound that only quadratic behaviour can cross.
LINEAR_BOUND_S = 1.0


@pytest.mark.parametrize("name", sorted(hostile_texts(10)))
def test_redacting_100_kb_of_hostile_text_takes_linear_time(name):
    text = hostile_texts(100_000)[name]
    started = time.process_time()  # CPU time: other load on the machine does not count
    redact(text, limit=len(text))
    assert time.process_time() - started < LINEAR_BOUND_S


def test_what_is_logged_of_a_long_text_is_capped_and_still_redacted():
    logged = redact("password=hunter2&" + "x" * 1_000_000)
    assert logged.startswith(f"password={MASK}&")
    assert logged.endswith(f"…[{1_000_017 - MAX_CHARS} more characters not logged]")
    assert len(logged) < MAX_CHARS + 100


@pytest.mark.parametrize("text", ["?pass%77ord=hunter2", "?pass%2577ord=hunter2", "?%70assword=hunter2",
                                  "?password=hunter%32"])
def test_encoded_names_and_values_are_redacted_after_decoding(text):
    assert redact(text) == f"?password={MASK}"


# --- anonymous requests: 404s, not 500s, and nothing slow -------------------------------

@pytest.fixture(scope="module")
def staging_app(tmp_path_factory):
    """Sign-in on, on a database of its own (it gets a user)."""
    tmp = tmp_path_factory.mktemp("staging")
    settings = secured_settings(tmp, {"hostile1": ("mep", "analyst")}, LOGIN_RATE_LIMIT="10000")
    return create_app(settings), settings


@pytest.fixture
def staging(staging_app):
    """The staging app, its log files the ones written (another test's create_app moved them)."""
    app, settings = staging_app
    logs.configure_logging(settings)
    yield app, settings
    logs._remove_installed()


@pytest.mark.parametrize("path", ["/_dash-component-suites/nosuchpkg/x.js", "/_dash-component-suites/dash/nope.js",
                                  "/vendor/x", "/vendor/bootstrap/nope.css", "/assets/nope.css"])
def test_missing_static_files_are_404s_without_a_traceback(staging, path):
    app, settings = staging
    response = app.server.test_client().get(path)
    assert (response.status_code, response.is_json) == (404, True)  # not the page shell, not a traceback
    assert "Traceback" not in (settings.log_dir / "errors.log").read_text()


def test_a_long_query_string_costs_milliseconds(staging):
    client = staging[0].server.test_client()
    started = time.perf_counter()
    assert client.get("/healthz?" + "x" * 4000).status_code in (200, 503)
    assert client.get("/login?" + "pass%77ord=" * 400).status_code == 200
    assert time.perf_counter() - started < LINEAR_BOUND_S


def test_the_access_log_keeps_a_capped_decoded_and_redacted_query(staging):
    app, settings = staging
    app.server.test_client().get("/login?pass%77ord=hunter2&x=" + "y" * 5000)
    line = json.loads((settings.log_dir / "access.log").read_text().splitlines()[-1])
    assert line["query"].startswith(f"password={MASK}&x=yyy") and "hunter2" not in line["query"]
    assert len(line["query"]) < 2100


# --- bodies -----------------------------------------------------------------------------

def body_read(app, path: str, size: int) -> int | str:
    """How much of a POST body of `size` bytes to `path` the app lets a view read."""
    with app.server.test_request_context(path, method="POST", data=b"x" * size):
        assert app.server.preprocess_request() is None  # sign-in is off: nothing answers early
        try:
            return len(request.get_data())
        except RequestEntityTooLarge:
            return "too large"


def test_bodies_over_the_limit_are_refused_and_uploads_have_their_own(tmp_path, sqlite_url):
    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, REQUEST_MAX_BYTES="65536",
                                   UPLOAD_MAX_BYTES="300000", UPLOAD_PATH_PREFIX="/data-upload"))
    refused = app.server.test_client().post("/_dash-update-component", data=b"x" * 100_000,
                                            content_type="application/json")
    assert refused.status_code == 413 and "Traceback" not in refused.get_data(as_text=True)
    assert body_read(app, "/export/anything", 100_000) == "too large"
    assert body_read(app, "/data-upload/file", 100_000) == 100_000
    assert body_read(app, "/data-upload/file", 400_000) == "too large"


# --- malformed callback requests: a 400 with a reason, before Dash or a callback runs ---------

ROUTER = router_payload("/")
DASHBOARD = dashboard_payload()
CARD_FRAMES = list(OUTPUTS).index("card_frame")  # a pattern-matching output: a list of concrete ids


def with_card_frames(entries: list) -> dict:
    outputs = list(DASHBOARD["outputs"])
    outputs[CARD_FRAMES] = entries
    return {**DASHBOARD, "outputs": outputs}


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(("body", "reason"), [
    ({**ROUTER, "inputs": [{**ROUTER["inputs"][0], "value": 1}]}, "url.pathname has a value of the wrong type"),
    ({"inputs": []}, "'output' names no callback of this app"),
    ({**ROUTER, "output": "nowhere.children"}, "'output' names no callback of this app"),
    ({**ROUTER, "outputs": "page-content"}, "'outputs' do not match the callback's outputs"),
    (with_card_frames([{"id": {"type": "elsewhere", "index": "gdp"}, "property": "className"}]),
     "'outputs' do not match the callback's outputs"),
    (with_card_frames([{"id": {"type": "kpi-frame", "index": "gdp"}, "property": "children"}]),
     "'outputs' do not match the callback's outputs"),
    (with_card_frames([{"id": {"type": "kpi-frame", "index": f"i{n}"}, "property": "className"} for n in range(201)]),
     "'outputs' do not match the callback's outputs"),
    ({k: v for k, v in ROUTER.items() if k != "inputs"}, "'inputs' must list the callback's 1 inputs"),
    ({**ROUTER, "inputs": [{"id": "elsewhere", "property": "pathname", "value": "/"}]},
     "'inputs' do not match the callback's inputs"),
    ({**ROUTER, "state": [{**ROUTER["state"][0], "value": "x" * 5000}]}, "url.search: longer than 4096 characters"),
    ({**ROUTER, "state": [{**ROUTER["state"][0], "value": ["?"] * 300}]}, "url.search has a value of the wrong type"),
    ({**ROUTER, "changedPropIds": ["url.search"]}, "'changedPropIds' names a property that is not among the inputs"),
    ([ROUTER], "the body must be a JSON object"),
    (deep(100_000), "the body is nested deeper than 12 levels"),
    ("{not json", "the body is not valid JSON"),
])
def test_malformed_callback_bodies_get_a_400_with_the_reason(staging_user, body, reason):
    client, log_dir = staging_user
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post("/_dash-update-component", data=data, content_type="application/json")
    assert (response.status_code, response.get_json()) == (400, {"error": "malformed callback request",
                                                                 "reason": reason})
    assert json.loads((log_dir / "access.log").read_text().splitlines()[-1])["refused"] == reason
    assert "Traceback" not in (log_dir / "errors.log").read_text()


def test_a_callback_body_that_is_not_json_is_refused(staging_user):
    client, _ = staging_user
    response = client.post("/_dash-update-component", data=json.dumps(ROUTER), content_type="text/plain")
    assert response.status_code == 400  # what a cross-site form could send: never a callback


def test_a_well_formed_callback_still_runs(staging_user):
    client, _ = staging_user
    response = client.post("/_dash-update-component", json=router_payload("/executive", "?period=2025Q4"))
    assert response.status_code == 200 and "Sustainability index" in response.get_data(as_text=True)


@pytest.fixture
def staging_user(staging):
    app, settings = staging
    client, signed_in = sign_in(app, "hostile1")
    assert signed_in.status_code == 302
    return client, settings.log_dir


def test_a_burst_of_errors_keeps_tracebacks_for_the_first_only(caplog):
    logger = logging.getLogger("tests.flood")
    logger.addFilter(TracebackFloodGuard(per_minute=3))
    for number in range(10):
        try:
            raise ValueError(f"failure {number}")
        except ValueError:
            logger.exception("request failed %d", number)
    records = [r for r in caplog.records if r.name == "tests.flood"]
    assert len(records) == 10  # every error is still logged, on one line
    assert [r.exc_info is not None for r in records] == [True] * 3 + [False] * 7
    assert records[-1].getMessage() == "request failed 9 (traceback not logged: over 3 a minute)"


def test_every_request_but_static_files_and_health_is_limited_per_address(tmp_path, sqlite_url):
    client = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, REQUEST_RATE_LIMIT="10")).server.test_client()
    assert [client.get("/login").status_code for _ in range(11)] == [200] * 10 + [429]
    assert client.get("/_dash-layout").status_code == 429
    assert {client.get(path).status_code for path in ["/healthz", plotly_bundle().url] * 10} <= {200, 503}
