"""Operations against the real server with two gunicorn workers: metrics add up every worker,
Clear Cache leaves no worker with stale data, logs come from both, the health check script
passes on a healthy app and fails naming the check on a damaged one."""

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from data.engine import dispose_engines, get_engine
from tests.conftest import ROOT, start_server, stop_server
from tests.dash_requests import router_payload

ROUNDS = 6  # attempts at spreading requests over both workers


CLEAR_CACHE_CALL = {
    "output": "..settings-cache-result.children...settings-cache-state.children..",
    "outputs": [{"id": "settings-cache-result", "property": "children"},
                {"id": "settings-cache-state", "property": "children"}],
    "inputs": [{"id": "settings-clear-cache", "property": "n_clicks", "value": 1}],
    "changedPropIds": ["settings-clear-cache.n_clicks"], "state": [{"id": "url", "property": "search", "value": ""}],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("two-workers")
    process, url = start_server(tmp, WORKERS="2", CACHE_TYPE="disk")
    yield {"url": url, "logs": tmp / "logs", "database_url": f"sqlite:///{tmp / 'var' / 'analytics_hub.db'}",
           "process": process}
    stop_server(process)
    dispose_engines()


def get(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode(), response.headers["X-Request-ID"]


def post(url: str, payload: dict) -> tuple[dict, str]:
    request = urllib.request.Request(f"{url}/_dash-update-component", data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.load(response), response.headers["X-Request-ID"]


def texts(node) -> list[str]:
    """The text of a Dash response (the components' children), in order."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        if "props" in node:
            return texts(node["props"].get("children"))
        return [text for value in node.values() for text in texts(value)]
    if isinstance(node, list):
        return [text for value in node for text in texts(value)]
    return []


def after(strings: list[str], label: str) -> str:
    return strings[strings.index(label) + 1]


def diagnostics_by_worker(url: str) -> dict[str, str]:
    """{process id: latest complete quarter served}, from Diagnostics pages answered by both workers."""
    seen: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(ROUNDS):
            for body, _id in pool.map(lambda _: post(url, router_payload("/diagnostics")), range(16)):
                strings = texts(body)
                seen[after(strings, "Process id")] = after(strings, "Latest complete quarter served")
            if len(seen) == 2:
                return seen
    raise AssertionError(f"only worker(s) {sorted(seen)} answered")


def access_pids(log_dir, request_ids: set[str]) -> set[int]:
    lines = [json.loads(line) for line in (log_dir / "access.log").read_text().splitlines()]
    return {line["pid"] for line in lines if line["request_id"] in request_ids}


def requests_total(url: str, route: str) -> float:
    text, _ = get(f"{url}/metrics")
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "http_requests_total" and sample.labels["route"] == route)


def test_metrics_add_up_the_requests_of_both_workers(server):
    url, route = server["url"], "/_dash-update-component"
    before = requests_total(url, route)
    request_ids: set[str] = set()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(ROUNDS):
            request_ids |= {request_id for _, request_id in
                            pool.map(lambda _: post(url, router_payload("/diagnostics")), range(16))}
            if len(access_pids(server["logs"], request_ids)) == 2:
                break
        totals = list(pool.map(lambda _: requests_total(url, route), range(8)))
    assert len(access_pids(server["logs"], request_ids)) == 2, "the requests did not reach both workers"
    assert totals == [before + len(request_ids)] * 8  # whichever worker answers counts both workers' requests


def test_clear_cache_leaves_no_worker_with_stale_data(server):
    url = server["url"]
    assert set(diagnostics_by_worker(url).values()) == {"2025Q4"}
    with get_engine(server["database_url"]).begin() as conn:
        conn.exec_driver_sql("DELETE FROM sustainability_indicators WHERE year = 2025 AND quarter = 4")
    assert set(diagnostics_by_worker(url).values()) == {"2025Q4"}  # stale: served from the cache
    body, _ = post(url, CLEAR_CACHE_CALL)
    message = " ".join(texts(body))
    assert "Cleared" in message and "DiskCache, shared by every worker" in message
    assert set(diagnostics_by_worker(url).values()) == {"2025Q3"}  # every worker reads the database again


def test_both_workers_write_the_same_log_files(server):
    diagnostics_by_worker(server["url"])
    events = [json.loads(line) for line in (server["logs"] / "telemetry.jsonl").read_text().splitlines()]
    page_views = {event["request_id"] for event in events if event["event_type"] == "page_view"}
    assert len(access_pids(server["logs"], page_views)) == 2  # telemetry and access lines of both workers
    lines = [json.loads(line) for line in (server["logs"] / "access.log").read_text().splitlines()]
    assert all(len(line["request_id"]) == 32 and line["status"] for line in lines)


def test_a_first_start_checks_the_database_it_has_just_created(server):
    detail = json.loads(get(f"{server['url']}/healthz")[0])["checks"]["database_integrity"]["detail"]
    assert detail.startswith("PRAGMA quick_check: ok ("), detail


def test_the_health_check_script_passes_on_the_running_app(server):
    result = subprocess.run(["bash", "scripts/health_check.sh", server["url"]], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    for line in ("✅ Application responding", "✅ /healthz: healthy", "✅ Diagnostics page: System healthy",
                 "✅ /metrics served"):
        assert line in result.stdout


def test_restore_refuses_to_replace_the_database_of_the_running_app(server, tmp_path):
    backup = tmp_path / "backup.db.gz"
    env = {"ANALYTICS_HUB_ENV": "test", "DATABASE_URL": server["database_url"],
           "DATA_DIR": str(server["logs"].parent / "var"), "PATH": "/usr/bin:/bin"}
    made = subprocess.run([".venv/bin/python", "scripts/backup_db.py", "--output", str(backup)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    refused = subprocess.run([".venv/bin/python", "scripts/restore_db.py", str(backup)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert "is in use by gunicorn (pid " in refused.stderr and "Stop the app first" in refused.stderr


def test_a_damaged_database_fails_healthz_and_the_script_names_the_check(tmp_path):
    process, url = start_server(tmp_path)
    try:
        database = tmp_path / "var" / "analytics_hub.db"
        database.write_bytes(b"garbage!" * (database.stat().st_size // 8))
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(f"{url}/healthz", timeout=10)
        assert answer.value.code == 503
        assert json.load(answer.value)["failing"] == ["Database Connection", "Data Available"]
        result = subprocess.run(["bash", "scripts/health_check.sh", url], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
    finally:
        stop_server(process)
    assert result.returncode == 1
    assert '❌ /healthz answered 503: failing ["Database Connection","Data Available"]' in result.stdout
    # with the users table unreadable, sign-in fails closed, so the page itself is not served
    assert "Diagnostics page needs an ops sign-in" in result.stdout


def test_metrics_see_the_wait_for_a_thread_and_the_threads_in_use(server):
    post(server["url"], router_payload("/diagnostics"))
    families = {family.name: family for family in text_string_to_metric_families(get(f"{server['url']}/metrics")[0])}
    assert families["gunicorn_threads"].samples[0].value == 8  # 2 workers x 4 threads
    assert families["gunicorn_busy_threads"].samples[0].value >= 1  # the thread answering this scrape
    waited = {s.name: s.value for s in families["http_request_queue_seconds"].samples}
    assert waited["http_request_queue_seconds_count"] >= 1
    entries = families["cache_entries"].samples[0].value
    assert entries >= 1 and families["cache_size_bytes"].samples[0].value > 0


def _live_job(lock: Path, other_than: int | None = None, seconds: float = 60) -> int:
    """The pid the insight job wrote into its lock file, once a live one (not `other_than`) has."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = lock.read_text().strip() if lock.exists() else ""
        if text.isdigit() and int(text) != other_than:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(text), 0)
                return int(text)
        time.sleep(0.2)
    raise AssertionError(f"no live insight job in {lock}")


def test_a_killed_insight_job_is_started_again(tmp_path):
    process, url = start_server(tmp_path, INSIGHT_WATCH_INTERVAL="1")
    try:
        lock = tmp_path / "var" / f"insight-{process.pid}.lock"
        first = _live_job(lock)
        os.kill(first, signal.SIGKILL)
        second = _live_job(lock, other_than=first)
    finally:
        stop_server(process)
    assert second != first
    assert "the insight job is not running: starting it again" in (tmp_path / "gunicorn.out").read_text()
