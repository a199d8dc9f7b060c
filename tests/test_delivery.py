"""Fewer bytes to the browser (issue 16): compressed responses, none carrying the CSRF token,
and the partial plotly.js bundle with the full one as fallback."""

from __future__ import annotations

import json
import logging
import re

import brotli
import pytest

from app import create_app
from data.periods import Period
from data.tenancy import Tenant
from ops import delivery
from services.charts import CHARTS, chart
from services.view import View
from tests.conftest import make_settings, request_as_app
from tests.dash_requests import dashboard_payload

BR = {"Accept-Encoding": "br, gzip"}


@pytest.fixture
def hub(tmp_path, sqlite_url):
    return create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url))


def test_the_page_loads_the_partial_bundle_cached_for_a_year_and_compressed(hub):
    bundle = delivery.plotly_bundle()
    assert bundle.variant == delivery.PARTIAL_VARIANT, "make plotly-bundle fetches it (the test target runs it)"
    client = hub.server.test_client()
    assert f'<script src="{bundle.url}" defer="defer">' in client.get("/").get_data(as_text=True)
    response = client.get(bundle.url, headers=BR)
    assert response.headers["Content-Encoding"] == "br"
    assert "max-age=31536000" in response.headers["Cache-Control"] and "immutable" in response.headers["Cache-Control"]
    body = brotli.decompress(response.get_data())
    assert body == (bundle.folder / bundle.filename).read_bytes() and b"plotly.js (cartesian - minified)" in body[:200]
    assert len(response.get_data()) < len(body) / 3
    assert client.get("/vendor/plotly/full-0.0.0/plotly.min.js").status_code == 404  # only the bundle served


def test_the_page_loads_neither_the_polyfill_nor_the_unused_datatable_nor_ag_grid_up_front(hub):
    page = hub.server.test_client().get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert any("/dash_renderer." in src for src in scripts)
    assert not [src for src in scripts if "polyfill@" in src or "/dash_table/" in src or "/dash_ag_grid/" in src]
    assert 'name="hub-lazy-script" data-namespace="dash_ag_grid"' in page  # AG Grid: when a grid comes near


def test_without_the_partial_bundle_the_full_one_is_served_and_logged(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="ops.delivery"):
        bundle = delivery.plotly_bundle(tmp_path)
    assert bundle.variant == "full" and bundle.url.startswith("/vendor/plotly/full-")
    assert (bundle.folder / bundle.filename).stat().st_size > 3_000_000
    assert "serving the full bundle" in caplog.text


def test_callback_json_is_compressed(hub):
    client = hub.server.test_client()
    response = client.post("/_dash-update-component", json=dashboard_payload(), headers=BR)
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    assert "download-csv" in json.loads(brotli.decompress(response.get_data()))["response"]
    plain = client.post("/_dash-update-component", json=dashboard_payload())
    assert "Content-Encoding" not in plain.headers and plain.get_json()["response"]


def test_a_response_carrying_the_csrf_token_is_not_compressed(hub):
    response = hub.server.test_client().get("/login", headers=BR)
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert "Content-Encoding" not in response.headers


def test_every_chart_the_hub_draws_is_in_the_partial_bundle(hub):
    latest = Period(2025, 4)
    views = [View(latest, Period(2021, 1), latest, regions, "economic", indicator)
             for regions in ((), ("SA-01", "SA-04")) for indicator in ("gdp_growth", "sustainability_index")]
    with request_as_app(hub, "/"):
        types = {trace.type for view in views for name in CHARTS
                 for trace in chart(name, Tenant("mep"), view).data}
    assert types and types <= delivery.TRACE_TYPES_IN_PARTIAL


def test_every_trace_type_in_the_code_is_in_the_partial_bundle():
    """Pages outside services/charts (quality heatmap, profiles) build figures too: any trace
    class named in the code must be one the partial bundle draws."""
    import re
    from pathlib import Path

    import plotly.graph_objects as go
    from plotly.basedatatypes import BaseTraceType

    root = Path(__file__).resolve().parent.parent
    sources = [path for folder in ("layouts", "callbacks", "services", "exports", "data")
               for path in (root / folder).rglob("*.py")]
    named = {name for path in sources for name in re.findall(r"\bgo\.(\w+)\(", path.read_text())}
    traces = {getattr(go, name)().type for name in named
              if isinstance(getattr(go, name, None), type) and issubclass(getattr(go, name), BaseTraceType)}
    assert "heatmap" in traces and traces <= delivery.TRACE_TYPES_IN_PARTIAL
