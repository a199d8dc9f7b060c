"""Schema migrations with Alembic: the one way a database's schema is created or changed.

Every schema change is a revision in `versions/` (write one with
`scripts/db_migrate.py revision -m "what changes"`). At start, `data.database.ensure_database`
upgrades the database to the newest revision (head) under `migration_lock`, so that several
replicas starting together migrate once: on SQLite a file lock beside the database file, on
PostgreSQL an advisory lock held by one session. Alembic records the revision in the table
`alembic_version`.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import tempfile
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

FOLDER = Path(__file__).resolve().parent
VERSIONS = FOLDER / "versions"
VERSION_TABLE = "alembic_version"
# The key of the PostgreSQL advisory lock: any fixed number, the same in every replica.
ADVISORY_LOCK_KEY = zlib.crc32(b"analytics-hub schema migrations")

log = logging.getLogger(__name__)
_memory_lock = threading.Lock()  # a SQLite database in memory has no file to lock


class UnknownRevision(RuntimeError):
    """The database is at a revision this version of the hub does not have."""


def config(*version_folders: Path) -> Config:
    """Alembic's configuration for the hub (extra folders of revisions: for tests)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(FOLDER))
    cfg.set_main_option("version_locations", " ".join(str(f) for f in (VERSIONS, *version_folders)))
    cfg.set_main_option("path_separator", "space")
    return cfg


def head(cfg: Config | None = None) -> str:
    """The newest revision (there is exactly one: tests/test_migrations.py sees to it)."""
    return ScriptDirectory.from_config(cfg or config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The database's revision, or None when Alembic never ran on it."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", cfg: Config | None = None) -> tuple[str | None, str | None]:
    """Bring the database to `revision`; return (revision before, revision after)."""
    cfg = cfg or config()
    before = current(engine)
    known = {script.revision for script in ScriptDirectory.from_config(cfg).walk_revisions()}
    if before is not None and before not in known:
        raise UnknownRevision(
            f"the database is at schema revision {before}, which this version of the hub does not have "
            f"(its newest is {head(cfg)}): run the newer version, or roll the database back with it "
            "(scripts/db_migrate.py downgrade)")
    _run(command.upgrade, engine, cfg, revision)
    return before, current(engine)


def downgrade(engine: Engine, revision: str = "-1", cfg: Config | None = None) -> tuple[str | None, str | None]:
    """Roll the database back to `revision` ("-1": one revision); return (before, after)."""
    before = current(engine)
    _run(command.downgrade, engine, cfg or config(), revision)
    return before, current(engine)


def _run(alembic_command, engine: Engine, cfg: Config, revision: str) -> None:
    """Run an Alembic command in one transaction: a revision that fails changes nothing. On
    SQLite foreign keys are off meanwhile, as batch mode needs when it copies a table that
    others refer to, and checked afterwards."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        cfg.attributes["connection"] = conn
        try:
            with conn.begin():
                if sqlite:  # the sqlite3 module opens transactions only for DML; DDL needs its own
                    conn.exec_driver_sql("BEGIN")
                alembic_command(cfg, revision)
                if sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").all()):
                    raise RuntimeError(f"the migration left rows without their parent row: {broken[:3]}")
        finally:
            del cfg.attributes["connection"]
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


@contextlib.contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Only one process at a time checks, migrates and seeds the database. Others wait here
    (and say so in the log) until the first one is done, then find nothing left to do."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine):
            yield
        return
    database = make_url(str(engine.url)).database
    if database in (None, "", ":memory:"):
        with _memory_lock:
            yield
        return
    with _file_lock(Path(f"{database}.migrate-lock")):
        yield


@contextlib.contextmanager
def _advisory_lock(engine: Engine) -> Iterator[None]:
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # the lock outlives any transaction
        got = conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        if not got:
            log.info("another instance is migrating the database; waiting for it")
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another instance is migrating the database; waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def schema_differences(engine: Engine) -> list:
    """What Alembic's autogenerate finds between the database and data/schema.py: [] when they
    agree. It sees tables, columns and their types, nullability, indexes, unique and foreign
    keys; not CHECK constraints or triggers (tests/test_migrations.py compares those)."""
    from alembic.autogenerate import compare_metadata

    from data import schema

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, schema.metadata)


def differences_from_head(cfg: Config | None = None) -> list:
    """schema_differences of a scratch database at the newest revision: [] when data/schema.py
    needs no new revision."""
    with _scratch_at_head(cfg or config()) as engine:
        return schema_differences(engine)


def new_revision(message: str, empty: bool = False, cfg: Config | None = None) -> Path | None:
    """Write the next revision: what data/schema.py gained since the newest revision, found by
    autogenerate against a scratch SQLite database at head (`empty`: a revision to fill in by
    hand, e.g. to move data). Returns its file, or None when there is nothing to write."""
    cfg = cfg or config()
    with _scratch_at_head(cfg) as engine:
        if not empty and not schema_differences(engine):
            return None
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            try:
                script = command.revision(cfg, message, autogenerate=not empty, rev_id=_next_id(cfg))
            finally:
                del cfg.attributes["connection"]
    return Path(script.path)


@contextlib.contextmanager
def _scratch_at_head(cfg: Config) -> Iterator[Engine]:
    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory(prefix="hub-revision-") as work:
        engine = create_engine(f"sqlite:///{Path(work) / 'head.db'}")
        try:
            upgrade(engine, cfg=cfg)
            yield engine
        finally:
            engine.dispose()


def _next_id(cfg: Config) -> str:
    """Revisions are numbered 0001, 0002, ...: their order reads from the file names."""
    numbers = [int(s.revision) for s in ScriptDirectory.from_config(cfg).walk_revisions() if s.revision.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"
