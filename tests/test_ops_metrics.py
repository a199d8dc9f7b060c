"""/metrics: Prometheus text that parses, counters that rise, bounded labels, access rules."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from data import queries
from data.tenancy import Tenant
from ops import metrics
from ops.routes import metrics_allowed
from tests.conftest import make_settings
from tests.dash_requests import router_payload

TOKEN = "metrics-token-0123456789"
ROUTER_CALL = router_payload("/diagnostics")
ROUTER_LABEL = "page-content.children+1"


@pytest.fixture
def hub(tmp_path, sqlite_url):
    return create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, METRICS_TOKEN=TOKEN))


def scrape(client) -> list:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    return [s for family in text_string_to_metric_families(response.get_data(as_text=True)) for s in family.samples]


def value(samples, name, **labels) -> float:
    return sum(s.value for s in samples if s.name == name and labels.items() <= s.labels.items())


def test_request_counters_and_durations_rise(hub):
    client = hub.server.test_client()
    before = scrape(client)
    for _ in range(3):
        client.get("/healthz")
    after = scrape(client)
    labels = {"method": "GET", "route": "/healthz", "status": "200"}
    assert value(after, "http_requests_total", **labels) - value(before, "http_requests_total", **labels) == 3
    count = "http_request_duration_seconds_count"
    assert value(after, count, route="/healthz") - value(before, count, route="/healthz") == 3
    assert value(after, "http_request_duration_seconds_bucket", route="/healthz", le="+Inf") >= 3


def test_routes_are_url_rules_never_raw_paths(hub):
    client = hub.server.test_client()
    client.get("/executive")  # a page: route /<path:path>, 200
    client.get("/reports/raw-path-12345")
    client.post("/reports/raw-path-67890")  # no POST route: 405, routing found no rule
    samples = scrape(client)
    assert value(samples, "http_requests_total", route="/<path:path>", status="200") >= 1
    assert value(samples, "http_requests_total", route="unmatched", method="POST", status="405") >= 1
    assert not [s for s in samples if any("raw-path" in v for v in s.labels.values())]


def test_dash_callbacks_are_timed_by_output(hub):
    client = hub.server.test_client()
    name = "dash_callback_duration_seconds_count"
    before = scrape(client)
    assert client.post("/_dash-update-component", json=ROUTER_CALL).status_code == 200
    client.post("/_dash-update-component", json={**ROUTER_CALL, "output": "made-up-output.children"})
    after = scrape(client)
    assert value(after, name, output=ROUTER_LABEL) - value(before, name, output=ROUTER_LABEL) == 1
    assert value(after, name, output="unknown") - value(before, name, output="unknown") == 1


def test_callback_labels_are_bounded_by_the_registered_outputs():
    registered = {"page-content.children": None, "..a.children...b.figure...c.value..": None}
    assert metrics.callback_label("page-content.children", registered) == "page-content.children"
    assert metrics.callback_label("..a.children...b.figure...c.value..", registered) == "a.children+2"
    assert metrics.callback_label("x" * 500, registered) == "unknown"
    assert metrics.callback_label(["not", "a", "string"], registered) == "unknown"


def test_cache_hits_and_misses_are_counted_by_query(hub):
    client = hub.server.test_client()
    before = scrape(client)
    with hub.server.app_context():
        queries.period_coverage(Tenant("mep"))  # create_app started with an empty cache: a miss
        queries.period_coverage(Tenant("mep"))  # then a hit
    after = scrape(client)
    for name in ("cache_misses_total", "cache_hits_total", "query_duration_seconds_count"):
        assert value(after, name, query="period_coverage") - value(before, name, query="period_coverage") == 1


def test_exports_and_uploads_are_counted_with_fixed_labels(hub):
    client = hub.server.test_client()
    before = scrape(client)
    metrics.count_export("png")
    metrics.count_export("csv")
    metrics.count_upload("rejected")
    after = scrape(client)
    assert value(after, "exports_total", format="png") - value(before, "exports_total", format="png") == 1
    assert value(after, "exports_total", format="csv") - value(before, "exports_total", format="csv") == 1
    assert value(after, "uploads_total", outcome="rejected") - value(before, "uploads_total", outcome="rejected") == 1
    with pytest.raises(ValueError, match="unknown export format 'gif'"):
        metrics.count_export("gif")
    with pytest.raises(ValueError, match="unknown upload outcome"):
        metrics.count_upload("maybe")


def test_metrics_need_a_loopback_address_or_the_token(hub):
    client = hub.server.test_client()
    remote = {"REMOTE_ADDR": "10.20.30.40"}
    refused = client.get("/metrics", environ_base=remote)
    assert refused.status_code == 403 and "METRICS_TOKEN" in refused.get_json()["error"]
    assert client.get("/metrics", environ_base=remote, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", environ_base=remote,
                      headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


@pytest.mark.parametrize(("address", "authorization", "token", "allowed"), [
    ("127.0.0.1", "", None, True),
    ("127.8.9.10", "", None, True),
    ("::1", "", None, True),
    ("192.168.1.5", "", None, False),
    ("192.168.1.5", f"Bearer {TOKEN}", None, False),  # no token configured: no token accepted
    ("192.168.1.5", f"Bearer {TOKEN}", TOKEN, True),
    ("192.168.1.5", f"bearer {TOKEN}x", TOKEN, False),
    (None, "", None, False),
    ("not-an-address", "", None, False),
])
def test_metrics_access_rule(address, authorization, token, allowed):
    assert metrics_allowed(address, authorization, token) is allowed


@pytest.mark.parametrize(("overrides", "loopback_status"), [
    ({}, 403),  # production: behind a proxy on the same host every request is loopback
    ({"METRICS_ALLOW_LOOPBACK": "true"}, 200),
])
def test_production_serves_metrics_with_the_token_unless_loopback_is_allowed(tmp_path, sqlite_url, overrides,
                                                                             loopback_status):
    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, ANALYTICS_HUB_ENV="production",
                                   SECRET_KEY="p" * 40, METRICS_TOKEN=TOKEN, **overrides))
    client = app.server.test_client()
    assert client.get("/metrics").status_code == loopback_status
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_behind_a_trusted_proxy_the_client_address_decides(tmp_path, sqlite_url):
    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, PROXY_HOPS="1"))
    client = app.server.test_client()  # the proxy connects from 127.0.0.1
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200
