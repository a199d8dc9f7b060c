"""Schema migrations (data/migrations): data/schema.py and the newest revision agree; a new
database, one made before migrations and one at an older revision all reach the newest
revision through the start-up path, under a lock; a later revision that rebuilds tables works
on SQLite (batch mode) and PostgreSQL and rolls back; the command line shows, checks, writes
and rolls back revisions. Each on SQLite and on PostgreSQL (when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
import time

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, Table, inspect, text

from app import create_app
from callbacks.router import render_page
from data import database, migrations, schema
from data.engine import get_engine
from layouts import ids
from tests import first_revision
from tests.conftest import (
    ROOT,
    find_component,
    make_settings,
    request_as_app,
    scratch_postgres_url,
    sql_scalar,
    text_of,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return scratch_postgres_url("migrations")


@pytest.fixture
def later_revision(tmp_path):
    return first_revision.with_rebuilding_revision(tmp_path / "later_versions")


def structure(engine) -> dict:
    """What a database holds besides data: tables, columns, keys, indexes, CHECK constraints,
    triggers (and on PostgreSQL the functions they run)."""
    inspector = inspect(engine)
    tables = {}
    for name in sorted(set(inspector.get_table_names()) - {migrations.VERSION_TABLE}):
        tables[name] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in inspector.get_columns(name)],
            "primary_key": inspector.get_pk_constraint(name)["constrained_columns"],
            "foreign_keys": sorted((fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
                                   for fk in inspector.get_foreign_keys(name)),
            "indexes": sorted((i["name"], i["column_names"], i["unique"]) for i in inspector.get_indexes(name)),
            "unique": sorted((u["name"] or "", u["column_names"]) for u in inspector.get_unique_constraints(name)),
            "checks": sorted((c["name"], _words(c["sqltext"])) for c in inspector.get_check_constraints(name)),
        }
    return {"tables": tables, "triggers": _triggers(engine)}


def _triggers(engine) -> list:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"))
        else:
            rows = conn.execute(text(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal UNION ALL "
                "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 1"))
        return [(name, _words(sql)) for name, sql in rows]


def _words(sql: str) -> str:
    return re.sub(r"\s+", " ", sql.replace("IF NOT EXISTS ", "")).strip()


def test_revisions_form_one_numbered_line():
    script = ScriptDirectory.from_config(migrations.config())
    assert script.get_heads() == [migrations.head()]  # two heads: two branches each added a revision
    chain = list(reversed(list(script.walk_revisions())))
    assert [s.revision for s in chain] == [f"{n:04d}" for n in range(1, len(chain) + 1)]
    assert [s.down_revision for s in chain] == [None] + [s.revision for s in chain[:-1]]


def test_the_newest_revision_matches_schema_py(empty_url):
    engine = get_engine(empty_url)
    assert migrations.upgrade(engine) == (None, migrations.head())
    assert migrations.schema_differences(engine) == []


def test_the_newest_revision_builds_exactly_what_schema_py_describes(empty_url, tmp_path):
    """Also what autogenerate cannot see: CHECK constraints, triggers, their functions."""
    other = (f"sqlite:///{tmp_path / 'create_all.db'}" if empty_url.startswith("sqlite")
             else scratch_postgres_url("create_all"))
    migrated, created = get_engine(empty_url), get_engine(other)
    migrations.upgrade(migrated)
    schema.metadata.create_all(created)
    described = structure(created)
    assert described["triggers"] and all(table["columns"] for table in described["tables"].values())
    assert structure(migrated) == described


def test_a_difference_from_schema_py_is_reported():
    extra = Table("example_table", schema.metadata, Column("token_id", Integer, primary_key=True))
    try:
        differences = migrations.differences_from_head()
    finally:
        schema.metadata.remove(extra)
    assert [(kind, table.name) for kind, table in differences] == [("add_table", "example_table")]
    assert migrations.differences_from_head() == []


def test_a_database_made_before_migrations_is_adopted_as_it_is(empty_url, tmp_path):
    engine = get_engine(empty_url)
    first_revision.build(engine)
    with engine.begin() as conn:  # what create_all left: the same tables, no record of a revision
        conn.execute(text(f"DROP TABLE {migrations.VERSION_TABLE}"))
    before = first_revision.contents(engine)
    outcome = database.ensure_database(make_settings(tmp_path, DATABASE_URL=empty_url))
    assert f"schema revision {migrations.head()}, upgraded from none" in outcome
    assert "using the existing database" in outcome
    assert first_revision.contents(engine) == before
    assert migrations.schema_differences(engine) == []


def test_start_up_waits_while_another_instance_migrates(empty_url, tmp_path):
    engine = get_engine(empty_url)
    outcome = []
    start = threading.Thread(target=lambda: outcome.append(
        database.ensure_database(make_settings(tmp_path, DATABASE_URL=empty_url))))
    with migrations.migration_lock(engine):
        start.start()
        start.join(timeout=3)
        assert start.is_alive() and migrations.current(engine) is None  # waiting, nothing done
    start.join(timeout=300)
    assert "created and seeded the database" in outcome[0]
    assert migrations.current(engine) == migrations.head()


def test_a_later_revision_rebuilds_tables_keeps_the_data_and_rolls_back(empty_url, later_revision):
    engine = get_engine(empty_url)
    first_revision.build(engine)
    migrations.upgrade(engine)
    first_revision_rows = first_revision.contents(engine)
    assert migrations.upgrade(engine, cfg=later_revision) == (migrations.head(), "9001")
    assert sql_scalar(empty_url, "SELECT MIN(region_count) FROM tenants") == 13
    assert first_revision.contents(engine) == first_revision_rows
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
    assert migrations.downgrade(engine, "-1", cfg=later_revision) == ("9001", migrations.head())
    assert "region_count" not in {c["name"] for c in inspect(engine).get_columns("tenants")}
    assert first_revision.contents(engine) == first_revision_rows
    assert migrations.schema_differences(engine) == []


def test_a_revision_that_fails_changes_nothing(empty_url, tmp_path):
    engine = get_engine(empty_url)
    first_revision.build(engine)
    migrations.upgrade(engine)
    rows = first_revision.contents(engine)
    folder = tmp_path / "failing"
    folder.mkdir()
    (folder / "9001_fails.py").write_text(FAILING_REVISION.format(head=migrations.head()))
    with pytest.raises(Exception, match="no_such_table"):
        migrations.upgrade(engine, cfg=migrations.config(folder))
    assert migrations.current(engine) == migrations.head()
    assert "region_count" not in {c["name"] for c in inspect(engine).get_columns("tenants")}
    assert not inspect(engine).has_table("example_table")
    assert first_revision.contents(engine) == rows


FAILING_REVISION = '''"""A test revision that fails half-way."""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = {head!r}


def upgrade():
    op.create_table("example_table", sa.Column("token_id", sa.Integer(), primary_key=True))
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("region_count", sa.Integer(), nullable=False, server_default="13"))
    op.execute("UPDATE tenants SET region_count = 1")
    op.execute("DELETE FROM no_such_table")


def downgrade():
    pass
'''


def test_a_database_newer_than_the_code_stops_start_up_with_a_clear_message(tmp_path):
    settings = make_settings(tmp_path)
    database.ensure_database(settings)
    with get_engine(settings.database_url).begin() as conn:
        conn.execute(text(f"UPDATE {migrations.VERSION_TABLE} SET version_num = '9999'"))
    with pytest.raises(RuntimeError, match="at schema revision 9999, which this version of the hub does not have"):
        database.ensure_database(settings)


def db_migrate(database_url: str, *args: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANALYTICS_HUB_ENV": "test", "DATABASE_URL": database_url,
           "DATA_DIR": str(tmp_path / "var")}
    return subprocess.run([sys.executable, "scripts/db_migrate.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_command_line_shows_checks_and_rolls_back_revisions(empty_url, tmp_path):
    database.ensure_database(make_settings(tmp_path, DATABASE_URL=empty_url))
    head = migrations.head()
    shown = db_migrate(empty_url, "current", tmp_path=tmp_path)
    assert f"revision: {head}\nnewest:   {head}\nup to date" in shown.stdout
    assert db_migrate(empty_url, "downgrade", "--yes", tmp_path=tmp_path).stdout.startswith(f"revision {head} -> ")
    assert migrations.current(get_engine(empty_url)) != head
    upgraded = db_migrate(empty_url, "upgrade", tmp_path=tmp_path)
    assert upgraded.returncode == 0 and upgraded.stdout.endswith(f"-> {head}\n")
    checked = db_migrate(empty_url, "check", tmp_path=tmp_path)
    assert (checked.returncode, checked.stdout) == (0, f"data/schema.py matches revision {head}\n")


def test_the_command_line_writes_nothing_when_schema_py_has_no_change(tmp_path):
    result = db_migrate("sqlite:///unused.db", "revision", "-m", "nothing", tmp_path=tmp_path)
    assert result.returncode == 1 and "nothing to write" in result.stdout
    assert not list(migrations.VERSIONS.glob("*nothing*"))


def test_the_migration_lock_is_held_while_waiting_instances_are_told(empty_url, caplog):
    caplog.set_level(logging.INFO, logger=migrations.__name__)
    engine = get_engine(empty_url)
    entered = threading.Event()

    def second():
        with migrations.migration_lock(engine):
            entered.set()

    with migrations.migration_lock(engine):
        waiter = threading.Thread(target=second)
        waiter.start()
        deadline = time.monotonic() + 10
        while "waiting for it" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not entered.is_set()
    waiter.join(timeout=30)
    assert entered.is_set() and "another instance is migrating the database" in caplog.text


def test_diagnostics_shows_the_schema_revision_and_the_newest(tmp_path, later_revision):
    settings = make_settings(tmp_path, CACHE_TYPE="simple")
    database.ensure_database(settings)
    engine = get_engine(settings.database_url)
    hub = create_app(settings)

    def database_card() -> str:
        with request_as_app(hub, "/diagnostics"):
            page, _title = render_page("/diagnostics")
        return text_of(find_component(page, ids.DIAGNOSTICS_DATABASE))

    assert f"Schema revision {migrations.head()} Size on disk" in database_card()
    migrations.upgrade(engine, cfg=later_revision)  # as a newer version's replica would have done
    assert f"Schema revision 9001 (this version's newest: {migrations.head()})" in database_card()
