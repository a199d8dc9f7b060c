"""PNG downloads are cached per tenant, view, size, language and data version (issue 16): a
repeat skips kaleido, and new data never gets an old picture."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app import create_app
from data import database
from data.engine import get_engine
from data.runtime import runtime
from data.versions import bump_data_version
from exports.png import PngRenderer, availability
from tests.conftest import make_settings

pytestmark = pytest.mark.skipif(not availability()[0], reason=f"PNG export unavailable: {availability()[1]}")
TREND = "/export/trend.png?regions=SA-01&indicator=renewable_share&width=640&height=360&scale=1"


@pytest.fixture
def client(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    database.seed(get_engine(url))  # this test changes data: a database of its own
    renders = []
    real_render = PngRenderer.render
    monkeypatch.setattr(PngRenderer, "render",
                        lambda self, *args: renders.append(args[1:3]) or real_render(self, *args))
    app = create_app(make_settings(tmp_path, DATABASE_URL=url, EXPORT_RATE_LIMIT="1000"))
    client = app.server.test_client()
    client.renders = renders
    return client


def png(client, path: str = TREND) -> bytes:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "image/png"
    return response.data


def double_renewable_share(bump: bool) -> None:
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE sustainability_indicators SET value = value * 2 "
                          "WHERE tenant_id = 'mep' AND indicator_id = 'renewable_share'"))
        if bump:
            bump_data_version(conn, "mep")


def test_a_repeated_download_is_served_without_rendering(client):
    first = png(client)
    assert png(client) == first and len(client.renders) == 1
    png(client, TREND.replace("width=640", "width=800"))  # another size is another picture
    png(client, TREND + "&lang=ar")  # and another language
    assert len(client.renders) == 3


def test_new_data_with_its_version_bump_gives_a_new_picture(client):
    before = png(client)
    double_renewable_share(bump=False)
    assert png(client) == before, "without a version bump the cache still answers (the bump is what invalidates)"
    double_renewable_share(bump=True)
    after = png(client)
    assert after != before and len(client.renders) == 2
