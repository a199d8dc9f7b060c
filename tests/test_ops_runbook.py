"""docs/RUNBOOK.md names only what exists: scripts, make targets, compose services, metric
names in its alert rules, settings, pages and endpoints."""

import re

import pytest
import yaml
from prometheus_client import REGISTRY

import ops.metrics  # noqa: F401 registers the hub's metrics
from app import create_app
from callbacks.registry import page_for
from tests.conftest import ROOT, make_settings

RUNBOOK = (ROOT / "docs" / "RUNBOOK.md").read_text()


def exposed_names() -> set[str]:
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}
    return {family.name + suffix for family in REGISTRY.collect() for suffix in suffixes.get(family.type, [""])}


def test_every_script_the_runbook_runs_exists():
    scripts = set(re.findall(r"scripts/[\w.]+\.(?:py|sh)", RUNBOOK))
    assert {"scripts/backup_db.py", "scripts/restore_db.py", "scripts/health_check.sh"} <= scripts
    for script in scripts:
        assert (ROOT / script).is_file(), script


def test_every_make_target_and_compose_service_exists():
    makefile = (ROOT / "Makefile").read_text()
    for target in set(re.findall(r"\bmake (\w+)", RUNBOOK)):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    named = re.findall(r"docker-compose (?:exec|run|restart|start|stop|logs|up -d)((?: -{1,2}[\w-]+(?: \d+)?)*) "
                       r"(\w+)", RUNBOOK)
    assert {service for _, service in named} == {"app"}
    assert set(services) == {"app", "postgres", "redis"}


def test_the_alert_rules_use_metrics_the_app_exposes():
    rules = yaml.safe_load(re.search(r"```yaml\n(groups:.*?)```", RUNBOOK, re.DOTALL).group(1))
    expressions = " ".join(rule["expr"] for rule in rules["groups"][0]["rules"])
    used = set(re.findall(r"\b(http_\w+|dash_\w+|cache_\w+|query_\w+|exports_\w+|uploads_\w+)\b", expressions))
    assert {"http_requests_total", "http_request_duration_seconds_bucket"} <= used
    assert used <= exposed_names()
    for name in re.findall(r"^\| `(\w+(?:_total|_seconds))`", RUNBOOK, re.MULTILINE):  # the metrics table
        exposed = f"{name}_count" if name.endswith("_seconds") else name  # histograms expose _count
        assert exposed in exposed_names(), name


def test_every_setting_the_runbook_names_is_a_setting():
    settings_source = (ROOT / "settings.py").read_text()
    others = {"AUTH_PASSWORD", "POSTGRES_PASSWORD", "BROWSER_PATH", "PGPASSWORD", "PATH", "HEALTHCHECK"}
    named = set(re.findall(r"`([A-Z][A-Z_]{3,})`", RUNBOOK)) - others  # of compose, kaleido, libpq, Docker
    assert {"METRICS_TOKEN", "LOG_MAX_BYTES", "WORKERS", "DATABASE_URL", "CACHE_REDIS_URL"} <= named
    for name in named:
        assert f'"{name}"' in settings_source, name


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_the_endpoints_it_names_answer(tmp_path, sqlite_url, path):
    client = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url)).server.test_client()
    assert client.get(path).status_code == 200


def test_the_pages_it_names_exist():
    for path in ("/diagnostics", "/Diagnostics", "/settings"):
        assert page_for(path) is not None, path
