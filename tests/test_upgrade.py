"""Upgrading a deployment: a database at the first schema revision holding seed data, a later
load batch, users and audit rows is upgraded to the newest revision by the start-up path (and
further, through a revision that rebuilds tables), on SQLite and PostgreSQL. Nothing is lost,
and the app serves the same numbers as on a database that received the same data new."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from app import create_app
from data import database, migrations
from data.engine import get_engine
from security import accounts
from tests import first_revision
from tests.conftest import make_settings, scratch_postgres_url
from tests.dash_requests import dashboard_payload, post

VIEWS = [  # (pillar, indicator, period, regions)
    ("economic", "gdp_growth", "2025Q4", ()),
    ("environmental", "renewable_share", "2025Q2", ("SA-01", "SA-04")),
    ("composite", "sustainability_index", "2024Q4", ()),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    return request.param


def new_database(backend: str, tmp_path, name: str) -> str:
    return f"sqlite:///{tmp_path / f'{name}.db'}" if backend == "sqlite" else scratch_postgres_url(name)


@pytest.fixture
def twin(backend, tmp_path):
    """The same data, given to a database made new at the newest revision: the numbers to serve."""
    url = new_database(backend, tmp_path, "upgrade_twin")
    engine = get_engine(url)
    database.seed(engine)
    for name, (tenant, role) in first_revision.USERS.items():
        accounts.create_user(engine, name, tenant, role, first_revision.PASSWORD)
    return url


def served_numbers(tmp_path, database_url: str) -> dict:
    """What each tenant's analyst is served: the dashboard's outputs for several views and the
    rows of the CSV download, with the generation time left out."""
    settings = make_settings(tmp_path / "app", DATABASE_URL=database_url, SECRET_KEY="u" * 40)
    app = create_app(settings)
    served = {}
    for username, (tenant, role) in first_revision.USERS.items():
        if role != "analyst":
            continue
        client = app.server.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
        signed_in = client.post("/login", data={"username": username, "password": first_revision.PASSWORD,
                                                "csrf_token": token, "next": "/"})
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
        for pillar, indicator, period, regions in VIEWS:
            answer = post(client, dashboard_payload(period=period, pillar=pillar, indicator=indicator,
                                                    regions=regions))
            assert answer.status_code == 200, answer.get_data(as_text=True)
            served[(tenant, indicator, "dashboard")] = json.loads(answer.get_data(as_text=True))
            query = f"period={period}&pillar={pillar}&indicator={indicator}&regions={','.join(regions)}"
            download = client.get(f"/export/data.csv?{query}")
            assert download.status_code == 200, download.get_data(as_text=True)
            rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
            served[(tenant, indicator, "csv")] = rows[[r[:1] for r in rows].index(["indicator_id"]):]
    return served


@pytest.mark.parametrize("target", ["newest", "newest and a revision that rebuilds tables"])
def test_an_upgrade_keeps_every_row_and_the_numbers_served(backend, twin, target, tmp_path):
    url = new_database(backend, tmp_path, "upgrade")
    engine = get_engine(url)
    first_revision.build(engine)
    assert migrations.current(engine) == first_revision.FIRST
    before = first_revision.contents(engine)
    assert len(before["sustainability_indicators"]) == 2 * 13 * 44 * 21
    assert {row[0] for row in before["load_batches"]} >= {first_revision.LATER_BATCH}
    assert len(before["users"]) == len(before["audit_log"]) == len(first_revision.USERS)

    outcome = database.ensure_database(make_settings(tmp_path, DATABASE_URL=url))  # what a start does
    assert f"schema revision {migrations.head()}" in outcome and "using the existing database" in outcome
    if target != "newest":
        migrations.upgrade(engine, cfg=first_revision.with_rebuilding_revision(tmp_path / "later"))
        assert migrations.current(engine) == "9001"

    assert first_revision.contents(engine) == before
    assert served_numbers(tmp_path / "upgraded", url) == served_numbers(tmp_path / "twin", twin)
