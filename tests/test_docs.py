"""The docs name what the code has: every metric and telemetry event in docs/RUNBOOK.md and
README.md exists in the code, and everything the code exposes is documented."""

import re

from prometheus_client import REGISTRY

import ops.metrics as metrics
from ops.telemetry import EVENTS
from tests.conftest import ROOT

RUNBOOK = (ROOT / "docs" / "RUNBOOK.md").read_text()
README = (ROOT / "README.md").read_text()


class CountingCache:
    def entry_count(self):
        return 1

    def size_bytes(self):
        return 1


def code_metrics() -> set[str]:
    own = {family.name for family in REGISTRY.collect()
           if any(family.name.startswith(prefix) for prefix in ("http_", "dash_", "cache_", "query_", "exports",
                                                                  "uploads", "gunicorn_"))}
    return own | {family.name for family in metrics.CacheSizeCollector(CountingCache()).collect()}


def documented_metrics() -> set[str]:
    section = RUNBOOK.split("### `/metrics`", 1)[1].split("### Key metrics", 1)[0]
    names = set()
    for row in re.findall(r"^\| (`\w+`(?:, `\w+`)*) \|", section, re.MULTILINE):
        names |= set(re.findall(r"`(\w+)`", row))
    return {name.removesuffix("_total") for name in names}


def test_every_metric_in_the_runbook_table_is_exposed_and_every_exposed_metric_is_in_it():
    assert documented_metrics() == {name.removesuffix("_total") for name in code_metrics()}


def test_every_telemetry_event_is_documented_and_every_documented_event_exists():
    paragraph = RUNBOOK.split("Telemetry events and their fields", 1)[1].split("**Differs", 1)[0]
    documented = set(re.findall(r"`([a-z]+_[a-z_]+|login|error)`\s*\(", paragraph)) | set(
        re.findall(r"`(export_\w+)`", paragraph))
    assert documented == set(EVENTS)


def test_the_docs_do_not_call_live_features_unwired_or_used_libraries_unused():
    for text in (RUNBOOK, README):
        assert "not wired yet" not in text and "do not call yet" not in text
        assert "reportlab is not used" not in text


def test_every_setting_in_settings_py_is_in_the_readme_table():
    settings_source = (ROOT / "settings.py").read_text()
    variables = set(re.findall(r'env(?:\.get)?\(?\s*"([A-Z][A-Z_]+)"', settings_source)) | set(
        re.findall(r'_(?:integer|choice)\(env, "([A-Z][A-Z_]+)"', settings_source))
    table = set(re.findall(r"^\| `([A-Z][A-Z_]+)` \|", README, re.MULTILINE))
    assert variables - table == set()
