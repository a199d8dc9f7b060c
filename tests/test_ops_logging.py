"""Log files under LOG_DIR: names, JSON lines, request ids, rotation, redaction, telemetry."""

import json
import logging
import subprocess
import sys

import dash
import pytest
from flask import Flask

from app import create_app
from callbacks.router import render_page
from data.runtime import runtime
from ops import logs, telemetry
from ops.instrumentation import instrument
from ops.redaction import MASK, redact, redact_value
from tests.conftest import ROOT, make_settings, request_as_app

LOG_FILES = ("analytics_hub.log", "errors.log", "access.log", "telemetry.jsonl")
FIELDS = {"time", "level", "logger", "message", "request_id", "pid"}


def json_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def all_log_text(log_dir) -> str:
    return "\n".join(path.read_text() for path in log_dir.iterdir() if not path.name.endswith(".lock"))


@pytest.fixture
def hub(tmp_path, sqlite_url):
    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url))
    yield app
    logs._remove_installed()  # the next test configures its own folder


@pytest.fixture
def log_dir(tmp_path):
    return tmp_path / "logs"


def test_the_runbook_log_files_appear_with_json_lines(hub, log_dir):
    response = hub.server.test_client().get("/healthz")
    logging.getLogger("tests").error("a test error")
    assert sorted(p.name for p in log_dir.iterdir() if not p.name.endswith(".lock")) == sorted(LOG_FILES)
    access = json_lines(log_dir / "access.log")[-1]
    assert set(access) >= FIELDS
    assert access["request_id"] == response.headers["X-Request-ID"]
    assert (access["method"], access["route"], access["status"]) == ("GET", "/healthz", 200)
    error = json_lines(log_dir / "errors.log")[-1]
    assert set(error) >= FIELDS and (error["level"], error["message"]) == ("ERROR", "a test error")
    assert json_lines(log_dir / "analytics_hub.log")[-1]["message"] == "a test error"


def test_a_request_id_from_the_proxy_is_kept_and_a_bad_one_replaced(hub, log_dir):
    client = hub.server.test_client()
    assert client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"}).headers["X-Request-ID"] == "lb-1234abcd"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"}).headers["X-Request-ID"]
    assert len(replaced) == 32 and replaced.isalnum()
    assert [line["request_id"] for line in json_lines(log_dir / "access.log")[-2:]] == ["lb-1234abcd", replaced]


def test_configuring_again_does_not_duplicate_lines(tmp_path, sqlite_url, hub, log_dir):
    create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url))  # a second create_app in the same process
    logging.getLogger("tests").warning("only once")
    assert (log_dir / "analytics_hub.log").read_text().count("only once") == 1


def test_the_application_log_rotates_at_the_configured_size(tmp_path):
    settings = make_settings(tmp_path, LOG_MAX_BYTES="2048")
    logs.configure_logging(settings)
    try:
        for number in range(200):
            logging.getLogger("tests").info("line %03d %s", number, "x" * 60)
    finally:
        logs._remove_installed()
    files = sorted(settings.log_dir.glob("analytics_hub.log*[0-9]"))
    assert [f.name for f in files] == [f"analytics_hub.log.{n}" for n in range(1, 6)]  # 5 backups kept
    # concurrent-log-handler rotates once a file has reached the size, so a file ends with at most one line more
    line = len((settings.log_dir / "analytics_hub.log").read_text().splitlines()[0]) + 1
    assert all(path.stat().st_size < 2048 + line for path in [*files, settings.log_dir / "analytics_hub.log"])
    assert "line 199" in (settings.log_dir / "analytics_hub.log").read_text()


WRITER = """
import logging, sys, time
from ops.logs import JsonFormatter, SharedRotatingFileHandler, SharedTimedRotatingFileHandler
path, name, kind = sys.argv[1:]
if kind == "size":
    handler = SharedRotatingFileHandler(path, maxBytes=4096, backupCount=500)
else:  # every second, the way access.log rotates every day
    handler = SharedTimedRotatingFileHandler(path, when="S", backupCount=0)
handler.setFormatter(JsonFormatter())
log = logging.getLogger("writer")
log.addHandler(handler)
log.setLevel(logging.INFO)
for number in range(300):
    log.info("%s %d %s", name, number, "y" * 40)
    if kind == "time":
        time.sleep(0.008)
"""


@pytest.mark.parametrize("kind", ["size", "time"])
def test_two_processes_rotating_one_file_lose_no_line(tmp_path, kind):
    path = tmp_path / "shared.log"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, kind], cwd=ROOT)
               for name in "ab"]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0]
    files = [file for file in tmp_path.glob("shared.log*") if not file.name.endswith(".lock")]
    lines = [line for file in files for line in file.read_text().splitlines()]
    messages = {json.loads(line)["message"].rsplit(" ", 1)[0] for line in lines}
    assert len(lines) == 600
    assert messages == {f"{name} {n}" for name in "ab" for n in range(300)}
    assert len(files) > 2  # it did rotate, several times


def test_a_password_sent_to_the_app_never_reaches_any_log(hub, log_dir, monkeypatch):
    client = hub.server.test_client()
    client.get("/?user=amal&password=hunter2-query&token=tok-query-123")
    client.post("/login", data={"username": "amal", "password": "hunter2-form"},
                headers={"Authorization": "Bearer tok-header-456", "Cookie": "session=cookie-789"})
    with request_as_app(hub, "/"):
        render_page("/", "?password=hunter2-link")
    logging.getLogger("tests").warning(
        "sign-in by amal@mep.gov.sa (+966 55 123 4567) from /login?password=hunter2-message&next=/",
        extra={"password": "hunter2-field", "api_token": "tok-field", "client_secret": "sec-field",
               "form": {"user": "amal", "password": "hunter2-nested"}})
    try:
        raise RuntimeError("database refused postgresql://hub:hunter2-url@db/hub")
    except RuntimeError:
        logging.getLogger("tests").exception("connect failed")
    with request_as_app(hub, "/login"):
        telemetry.login("amal@mep.gov.sa", success=False, reason="wrong password")

    text = all_log_text(log_dir)
    for secret in ("hunter2", "tok-query-123", "tok-header-456", "cookie-789", "tok-field", "sec-field",
                   "amal@mep.gov.sa", "123 4567"):
        assert secret not in text
    assert text.count(MASK) >= 8  # the fields were logged, masked
    login = json_lines(log_dir / "telemetry.jsonl")[-1]
    assert login["event_type"] == "login" and login["outcome"] == "failure" and len(login["user"]) == 16


def test_every_telemetry_event_is_written(hub, log_dir):
    with request_as_app(hub, "/"):
        for event in sorted(telemetry.EVENTS):
            telemetry.track(event, detail=f"sample {event}")
    events = {line["event_type"]: line for line in json_lines(log_dir / "telemetry.jsonl")}
    assert set(telemetry.EVENTS) <= set(events)
    for event in telemetry.EVENTS:
        assert events[event]["detail"] == f"sample {event}"
        assert events[event]["tenant"] == "mep" and events[event]["time"].endswith("Z")


def test_page_views_and_page_errors_are_tracked_from_the_router(hub, log_dir, monkeypatch):
    with request_as_app(hub, "/"):
        render_page("/Diagnostics", "?period=2025Q4")
        render_page("/no-such-page")
        monkeypatch.setattr(runtime.cache, "entry_count", lambda: 1 / 0)  # the Settings page cannot be built
        render_page("/settings")
    lines = json_lines(log_dir / "telemetry.jsonl")
    views = [(line["page"], line["query"]) for line in lines if line["event_type"] == "page_view"]
    assert views[-3:] == [("/diagnostics", "?period=2025Q4"), ("not_found", ""), ("/settings", "")]
    error = [line for line in lines if line["event_type"] == "error"][-1]
    assert (error["where"], error["page"], error["error_type"]) == ("page", "/settings", "ZeroDivisionError")


def test_an_unhandled_request_error_is_logged_tracked_and_answered_without_a_traceback(hub, log_dir,
                                                                                      monkeypatch):
    def explode(_settings):
        raise ValueError("exploded with password=hunter2")

    monkeypatch.setattr("ops.routes.health_report", explode)
    response = hub.server.test_client().get("/healthz")
    assert response.status_code == 500 and "Traceback" not in response.get_data(as_text=True)
    error = json_lines(log_dir / "errors.log")[-1]
    assert "ValueError: exploded with password=[REDACTED]" in error["exception"]
    assert error["request_id"] == response.headers["X-Request-ID"]
    tracked = json_lines(log_dir / "telemetry.jsonl")[-1]
    assert (tracked["event_type"], tracked["where"], tracked["error_type"]) == ("error", "request", "ValueError")


def test_an_unknown_telemetry_event_is_refused():
    with pytest.raises(ValueError, match="unknown telemetry event 'page_veiw'"):
        telemetry.track("page_veiw")


@pytest.mark.parametrize(("text", "expected"), [
    ("GET /login?user=amal&password=hunter2&next=/", "GET /login?user=amal&password=[REDACTED]&next=/"),
    ('{"password": "hunter2", "name": "x"}', '{"password": "[REDACTED]", "name": "x"}'),
    ("{'api_key': 'abc'} secret=\"q r\"", "{'api_key': '[REDACTED]'} secret=\"[REDACTED]\""),
    ("Authorization: Bearer abc.def-ghi", "Authorization: [REDACTED] [REDACTED]"),
    ("postgresql://admin:hunter2@db:5432/hub", "postgresql://admin:[REDACTED]@db:5432/hub"),
    ("session=abc123; csrf_token=zz", "session=[REDACTED]; csrf_token=[REDACTED]"),
    ("write to amal.s@mep.gov.sa or +966 55 123 4567 or 0551234567", "write to [EMAIL] or [PHONE] or [PHONE]"),
    ("quarter 2025Q4, 24,024 rows, region SA-04", "quarter 2025Q4, 24,024 rows, region SA-04"),
])
def test_redaction_of_free_text(text, expected):
    assert redact(text) == expected


def test_redaction_of_fields():
    fields = {"password": "x", "note": "mail a@b.com", "rows": 3, "nested": [{"token": "t", "ok": "fine"}]}
    assert redact_value("fields", fields) == {"password": MASK, "note": "mail [EMAIL]", "rows": 3,
                                              "nested": [{"token": MASK, "ok": "fine"}]}


def test_recent_errors_are_the_newest_first_lines(hub, log_dir):
    for number in range(12):
        logging.getLogger("tests").error("failure %d\nsecond line", number)
    errors = logs.recent_errors(log_dir, limit=10)
    assert [e["message"] for e in errors] == [f"failure {n}" for n in range(11, 1, -1)]
    assert all(e["time"].endswith("Z") for e in errors)


def test_a_request_answered_early_by_another_hook_still_gets_an_id_and_a_log_line(tmp_path):
    app = dash.Dash(__name__, server=Flask(__name__))
    app.layout = dash.html.Div()
    app.server.before_request(lambda: ("slow down", 429))  # registered first, as a rate limit would be
    settings = make_settings(tmp_path)
    runtime.init(settings)
    instrument(app, settings)
    response = app.server.test_client().get("/anything")
    assert response.status_code == 429 and len(response.headers["X-Request-ID"]) == 32
    line = json_lines(tmp_path / "logs" / "access.log")[-1]
    assert (line["status"], line["request_id"]) == (429, response.headers["X-Request-ID"])
    logs._remove_installed()
