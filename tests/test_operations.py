"""The runbook's operations as an operator runs them: backups into a folder, restores that
keep the audit trail and sign-in, the first account before the first start, a failed start
that leaves nothing behind, and the small defects ops reported (issue 12)."""

import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from app import create_app
from data.engine import dispose_engines, get_engine
from data.runtime import runtime
from layouts.components import change_line
from ops import integrity, logs
from security import accounts, audit
from tests.conftest import ROOT, free_port, make_settings, text_of
from tests.dash_requests import router_payload
from tests.test_ops_backup import copy_database, run

PASSWORD = "a long enough password"
RUNBOOK = (ROOT / "docs" / "RUNBOOK.md").read_text()


@pytest.fixture
def data_dir(tmp_path, sqlite_url) -> Path:
    folder = tmp_path / "var"
    folder.mkdir()
    copy_database(Path(sqlite_url.removeprefix("sqlite:///")), folder / "analytics_hub.db")
    return folder


def rows(path: Path, query: str) -> list:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(query).fetchall()


def test_a_backup_folder_that_does_not_exist_yet_gets_dated_files_not_a_file_of_its_name(tmp_path, data_dir):
    for _ in range(2):
        result = run("backup_db.py", "--output", "backups/daily/", "--keep-days", "7", data_dir=data_dir,
                     cwd=str(tmp_path))
        assert result.returncode == 0, result.stderr
        time.sleep(1.1)  # a new second, a new name
    made = sorted(p.name for p in (tmp_path / "backups" / "daily").iterdir())
    assert len(made) == 2 and all(name.startswith("analytics_hub_") and name.endswith(".db.gz") for name in made)


def restore_scenario(tmp_path, data_dir) -> tuple[Path, Path]:
    """A backup without accounts, then (after it) an account, a few audited actions."""
    backup = tmp_path / "old.db.gz"
    assert run("backup_db.py", "--output", str(backup), data_dir=data_dir).returncode == 0
    engine = get_engine(f"sqlite:///{data_dir / 'analytics_hub.db'}")
    accounts.create_user(engine, "ops1", "mep", "ops", PASSWORD)
    audit.record(engine, "user_created", "mep", "command-line", None, user="ops1")
    audit.record(engine, "login_success", "mep", "ops1", "127.0.0.1")
    dispose_engines()
    return backup, data_dir / "analytics_hub.db"


def test_restore_says_what_it_rolls_back_and_needs_yes_when_not_asked_at_a_terminal(tmp_path, data_dir):
    backup, db = restore_scenario(tmp_path, data_dir)
    before = rows(db, "SELECT COUNT(*) FROM audit_log")
    refused = run("restore_db.py", str(backup), data_dir=data_dir)
    assert refused.returncode == 1 and "pass --yes" in refused.stderr
    assert "Rolled back to the backup:" in refused.stdout and "observations: 24,024 now -> 24,024" in refused.stdout
    assert "Kept: the 1 current accounts (the backup has 0); sign-in stays as it is." in refused.stdout
    assert "Kept: 2 audit entries newer than the backup are carried over" in refused.stdout
    assert rows(db, "SELECT COUNT(*) FROM audit_log") == before  # nothing changed


def test_restore_keeps_the_accounts_and_the_newer_audit_entries_and_records_itself(tmp_path, data_dir):
    backup, db = restore_scenario(tmp_path, data_dir)
    result = run("restore_db.py", str(backup), "--yes", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "Carried over: 1 accounts, 2 newer audit entries, and a 'restore' audit entry." in result.stdout
    assert rows(db, "SELECT username, role, is_active FROM users") == [("ops1", "ops", 1)]
    actions = [a for (a,) in rows(db, "SELECT action FROM audit_log ORDER BY id")]
    assert actions[-3:] == ["user_created", "login_success", "restore"]
    detail = json.loads(rows(db, "SELECT detail FROM audit_log WHERE action = 'restore'")[0][0])
    assert detail == {"backup": "old.db.gz", "accounts": 1, "audit_entries": 2}
    # sign-in stays on: the restored database still has the account, and it still signs in
    assert accounts.authenticate(get_engine(f"sqlite:///{db}"), "ops1", PASSWORD)[1] == "ok"
    dispose_engines()


def test_manage_users_on_a_new_installation_creates_the_database_and_lists_no_accounts_plainly(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path / "var"), "ANALYTICS_HUB_ENV": "test"}

    def manage(*args, stdin=""):
        return subprocess.run([sys.executable, "scripts/manage_users.py", *args], cwd=ROOT, env=env, input=stdin,
                              capture_output=True, text=True, timeout=120)

    listed = manage("list")
    assert listed.returncode == 0
    assert "created and seeded the database" in listed.stdout and "No accounts." in listed.stdout
    assert "No accounts in tenant rda." in manage("list", "--tenant", "rda").stdout
    assert manage("create", "ops1", "--tenant", "mep", "--role", "ops", stdin=PASSWORD + "\n").returncode == 0
    assert "ops1" in manage("list").stdout and "No accounts" not in manage("list").stdout


def first_start_lines() -> str:
    block = RUNBOOK.split("<!-- first start, local: tested by tests/test_operations.py -->", 1)[1]
    return block.split("```bash\n", 1)[1].split("```", 1)[0]


def test_the_documented_local_first_production_start_works_as_written(tmp_path):
    lines = first_start_lines()
    assert "manage_users.py create" in lines and lines.strip().endswith("make run")
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path / "var"), "LOG_DIR": str(tmp_path / "logs"), "PORT": str(port)}
    env.pop("ANALYTICS_HUB_ENV", None)
    process = subprocess.Popen(["bash", "-euc", lines], cwd=ROOT, env=env, stdin=subprocess.PIPE, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    process.stdin.write(PASSWORD + "\n")
    process.stdin.close()
    try:
        health = _wait_for_json(f"http://127.0.0.1:{port}/healthz", process)
        assert health["status"] == "healthy" and health["environment"] == "production"
        import urllib.request
        login = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
        assert login.url.endswith("/login?next=/")  # sign-in is on
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _wait_for_json(url: str, process, timeout: float = 180) -> dict:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read())
        try:
            return json.load(urllib.request.urlopen(url, timeout=3))
        except OSError:
            time.sleep(0.3)
    raise AssertionError("no answer")


def test_with_the_port_in_use_start_up_fails_without_seeding_or_leaving_a_pid_file(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {**os.environ, "ANALYTICS_HUB_ENV": "test", "DATA_DIR": str(tmp_path / "var"),
               "LOG_DIR": str(tmp_path / "logs"), "PORT": str(taken.getsockname()[1])}
        result = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert not (tmp_path / "var" / "analytics_hub.db").exists()
    assert not (tmp_path / "var" / "gunicorn.pid").exists()


def test_gunicorn_opens_no_control_socket_shared_with_other_instances(tmp_path):
    # in a process of its own: the configuration sets PROMETHEUS_MULTIPROC_DIR for its workers
    read = "import runpy; print(runpy.run_path('gunicorn.conf.py')['control_socket_disable'])"
    result = subprocess.run([sys.executable, "-c", read], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "DATA_DIR": str(tmp_path / "var"), "ANALYTICS_HUB_ENV": "test"})
    assert result.stdout.strip() == "True", result.stderr


def test_the_png_librarys_chatter_stays_out_of_the_application_log():
    quiet = logs.QuietLibraries()
    record = logging.LogRecord("choreographer.browser", logging.INFO, "x.py", 1, "tab opened", None, None)
    rooted = logging.LogRecord("root", logging.INFO, f"{os.sep}choreographer{os.sep}utils{os.sep}_which.py", 1,
                               "found chromium", None, None)
    warning = logging.LogRecord("kaleido", logging.WARNING, "x.py", 1, "render slow", None, None)
    ours = logging.LogRecord("analytics_hub", logging.INFO, "x.py", 1, "serving", None, None)
    assert [quiet.filter(r) for r in (record, rooted, warning, ours)] == [False, False, True, True]


@pytest.mark.parametrize(("change", "shown"), [(-0.04, "■ 0.0"), (0.04, "■ 0.0"), (-0.06, "▼ -0.1"), (0.2, "▲ +0.2")])
def test_a_change_that_rounds_to_zero_shows_as_0_unchanged(change, shown):
    import pandas as pd

    from data.catalog import catalog

    indicator = catalog()["unemployment_rate"]  # one decimal, lower is better
    text = " ".join(text_of(change_line(pd.Series({"change_previous": change}), "change_previous", indicator,
                                        "en")).split())
    assert text.startswith(shown)
    assert ("(unchanged)" in text) == (shown == "■ 0.0")
    assert "-0.0" not in text


def test_a_cache_that_fails_serves_uncached_and_health_names_it(tmp_path, sqlite_url):
    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, CACHE_TYPE="disk"))

    class Broken:
        def get(self, key):
            raise ConnectionError("the cache server is gone")

        set = get

    runtime.cache.backend = Broken()
    client = app.server.test_client()
    assert client.get("/export/data.csv?indicator=gdp_growth").status_code == 200  # served uncached
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "degraded"
    assert health.get_json()["failing"] == ["Cache"]
    assert "the cache server is gone" in health.get_json()["checks"]["cache"]["detail"]
    page = client.post("/_dash-update-component", json=router_payload("/diagnostics")).get_data(as_text=True)
    assert "System degraded: Cache failing; pages are still served correctly." in page


def test_a_database_blip_requires_sign_in_for_that_request_only(tmp_path, sqlite_url, monkeypatch):
    from security import web

    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url))  # no accounts: sign-in off
    answers = iter([ConnectionError("the database restarts"), 0])

    def user_count(_engine):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(web.accounts, "active_user_count", user_count)
    monkeypatch.setattr(web, "_user_checks", {})
    with app.server.test_request_context("/"):
        assert web.auth_enabled() is True  # unreadable: closed
        assert web.auth_enabled() is False  # asked again at once, not 10 s later


def test_a_full_log_disk_is_named_even_by_a_process_that_has_not_written_since(tmp_path, monkeypatch):
    usage = type("Usage", (), {"free": 4096})
    assert logs.failing(tmp_path) is None
    monkeypatch.setattr(logs.shutil, "disk_usage", lambda _path: usage)
    assert logs.failing(tmp_path) == f"the disk of {tmp_path} is full (4,096 bytes free)"


def test_a_new_integrity_verdict_is_read_even_within_one_clock_tick(tmp_path):
    settings = make_settings(tmp_path)
    verdict = {"checked_at": "2026-12-01T10:00:00+00:00", "duration_ms": 1.0}
    integrity.record(settings, {"ok": True, "detail": "ok", **verdict})
    path = settings.data_dir / integrity.STATE_FILE
    tick = path.stat().st_mtime_ns
    assert integrity.damage(settings) is None  # read and kept by this process
    integrity.record(settings, {"ok": False, "detail": "page 3 is damaged", **verdict})
    os.utime(path, ns=(tick, tick))  # written within the same tick as the first
    assert integrity.damage(settings)["detail"] == "page 3 is damaged"
