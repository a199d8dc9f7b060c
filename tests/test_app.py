"""The app through its server: /healthz, pages built by the router callback, bad paths."""

import json
import re

import pytest

from app import create_app
from callbacks.registry import page_for
from callbacks.router import page_title, render_page
from data import queries
from data.catalog import catalog
from data.periods import Period
from data.tenancy import Tenant
from layouts import ids
from ops.delivery import plotly_bundle
from tests.conftest import find_component, make_settings, request_as_app, text_of


@pytest.fixture
def hub(tmp_path, sqlite_url):
    return create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url))


def test_healthz_reports_each_check(hub):
    response = hub.server.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "healthy" and body["version"]
    assert set(body["checks"]) == {"database_connection", "data_available", "environment_set",
                                   "version_defined", "disk_space", "database_integrity", "logging", "cache"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_names_the_failing_check_for_a_corrupt_database(tmp_path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all" * 200)
    hub = create_app(make_settings(tmp_path, DATABASE_URL=f"sqlite:///{broken}"))
    response = hub.server.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unhealthy"
    assert "Database Connection" in body["failing"]
    assert "not a database" in body["checks"]["database_connection"]["detail"]


def test_healthz_fails_when_the_database_file_is_missing(tmp_path):
    hub = create_app(make_settings(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'gone.db'}"))
    body = hub.server.test_client().get("/healthz").get_json()
    assert body["checks"]["database_connection"]["detail"] == "database file gone.db does not exist"


def test_environment_check_fails_when_not_set_explicitly(tmp_path, sqlite_url):
    settings = make_settings(tmp_path, DATABASE_URL=sqlite_url, ANALYTICS_HUB_ENV="")
    response = create_app(settings).server.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["Environment Set"]


STATUS_WORDS = {"green": "Good", "amber": "Watch", "red": "Poor", None: "No threshold"}


def test_dashboard_shows_the_data_layers_index_and_statuses(hub):
    with request_as_app(hub, "/"):
        page, title = render_page("/")
        snapshot = queries.indicator_snapshot(Tenant("mep"), Period(2025, 4)).set_index("indicator_id")
    expected = queries.index_breakdown(Tenant("mep"), Period(2025, 4)).value
    assert text_of(find_component(page, ids.INDEX_VALUE)) == f"{expected:,.1f}"
    assert title == "Dashboard · Analytics Hub"
    for indicator in catalog().in_pillar("economic"):
        card = text_of(find_component(page, {"type": ids.KPI_CARD, "index": indicator.id}))
        assert card.startswith(f"{indicator.name_en} ")
        status = snapshot.loc[indicator.id, "status"]
        assert f" {STATUS_WORDS[status if isinstance(status, str) else None]} " in f" {card} "


@pytest.mark.parametrize("path", ["/diagnostics", "/Diagnostics", "/diagnostics/"])
def test_diagnostics_pages_show_the_smoke_checks(hub, path):
    with request_as_app(hub, path):
        page, title = render_page(path)
    text = text_of(page)
    assert "System healthy: all smoke checks pass." in text
    assert title == "Diagnostics · Analytics Hub"
    for name in ("Database Connection", "Data Available", "Environment Set", "Version Defined", "Disk Space OK"):
        assert name in text


def test_unknown_path_gives_a_message(hub):
    with request_as_app(hub, "/nowhere"):
        page, title = render_page("/nowhere")
    assert text_of(page) == "Page not found There is no page at /nowhere."
    assert title == "Page not found"


@pytest.mark.parametrize(("path", "status", "title"), [
    ("/", 200, "Dashboard · Analytics Hub"),
    ("/executive", 200, "Executive overview · Analytics Hub"),
    ("/Diagnostics/", 200, "Diagnostics · Analytics Hub"),
    ("/nowhere", 404, "Page not found"),
])
def test_each_page_has_its_own_title_and_unknown_paths_are_404(hub, path, status, title):
    response = hub.server.test_client().get(path)
    assert response.status_code == status
    assert f"<title>{title}</title>" in response.get_data(as_text=True)


def test_failure_gives_a_message_not_a_traceback(hub, monkeypatch):
    def explode(*_):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(queries, "latest_complete_period", explode)
    with request_as_app(hub, "/"):
        text = text_of(render_page("/")[0])
    assert re.fullmatch(r"Something went wrong The page could not be built\. The error was logged "
                        r"\(reference [0-9a-f]{8}\)\.", text)


def test_empty_tenant_gets_a_no_data_message(tmp_path, sqlite_url):
    hub = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, DEFAULT_TENANT="nobody"))
    with request_as_app(hub, "/"):
        assert text_of(render_page("/")[0]) == ("No data yet This organisation has no observations. "
                                                "A data steward can load a quarterly file.")


def test_bootstrap_is_served_locally(hub):
    client = hub.server.test_client()
    assert client.get("/vendor/bootstrap/bootstrap.min.css").status_code == 200
    assert client.get("/vendor/bootstrap/font/bootstrap-icons.min.css").status_code == 200
    html = client.get("/").get_data(as_text=True)
    assert "cdn" not in html.lower()
    bundle = plotly_bundle()
    assert f'<script src="{bundle.url}" defer="defer">' in html  # with the first scripts
    assert client.get(bundle.url).status_code == 200


def _layout_parts(response) -> dict:
    """The URL, title, header and page of a /_dash-layout answer, by id."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") in (ids.URL, ids.PAGE_TITLE, ids.HEADER, ids.PAGE):
                found[props["id"]] = props
            for value in props.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    assert response.status_code == 200
    walk(response.get_json())
    return found


def test_the_layout_comes_with_the_opened_page_so_no_callback_runs_before_the_first_paint(hub):
    opened = "http://localhost/executive?lang=ar&regions=SA-01"
    parts = _layout_parts(hub.server.test_client().get("/_dash-layout", headers={"Referer": opened}))
    assert (parts[ids.URL]["pathname"], parts[ids.URL]["search"]) == ("/executive", "?lang=ar&regions=SA-01")
    assert parts[ids.PAGE_TITLE]["data"] == page_title(page_for("/executive"), "ar")
    assert ids.EXECUTIVE_URL in json.dumps(parts[ids.PAGE]["children"])
    assert ids.LANGUAGE_SWITCH in json.dumps(parts[ids.HEADER]["children"])


@pytest.mark.parametrize("referer", [None, "http://elsewhere.example/executive", "javascript:alert(1)",
                                     "http://localhost/" + "x" * 5000, "http://[::1/", "http://localhost"])
def test_without_a_usable_referer_the_router_fills_the_skeleton(hub, referer):
    headers = {"Referer": referer} if referer else {}
    parts = _layout_parts(hub.server.test_client().get("/_dash-layout", headers=headers))
    assert "pathname" not in parts[ids.URL] and parts[ids.PAGE].get("children") is None
