"""Consistent online backups and checked restores, for scripts/backup_db.py and restore_db.py.

SQLite: the online backup API takes a consistent snapshot while the app reads and writes;
the snapshot is gzipped, and the gzip is decompressed again and must pass
`PRAGMA integrity_check` before it is moved into place. PostgreSQL: pg_dump's custom
format, checked by pg_restore --list.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from data.engine import get_engine
from ops import carry_over
from ops.redaction import redact
from settings import Settings

SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"
PGDUMP_MAGIC = b"PGDMP"
SQLITE_SUFFIX = ".db.gz"
POSTGRES_SUFFIX = ".pgdump"
PID_FILE = "gunicorn.pid"
BUSY_TIMEOUT_S = 30
PG_TIMEOUT_S = 3600
COPY_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    seconds: float
    removed: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    database: str
    set_aside: Path | None
    observations: int | None
    users: list[str]
    carried: dict = field(default_factory=dict)


def _never(_summary: str) -> bool:
    return False


def backup(settings: Settings, output: str | Path, keep_days: int | None = None) -> BackupResult:
    """Back up the configured database to `output` (a file, or a folder to name one in),
    then delete backups older than `keep_days` in the same folder."""
    started = time.perf_counter()
    suffix = SQLITE_SUFFIX if settings.sqlite_file else POSTGRES_SUFFIX
    target = backup_path(output, suffix, datetime.now(UTC))
    target.parent.mkdir(parents=True, exist_ok=True)
    if settings.sqlite_file is not None:
        backup_sqlite(settings.sqlite_file, target)
    else:
        backup_postgres(settings.database_url, target)
    removed = apply_retention(target.parent, keep_days, keep=target) if keep_days is not None else []
    return BackupResult(target, target.stat().st_size, time.perf_counter() - started, removed)


def backup_path(output: str | Path, suffix: str, now: datetime) -> Path:
    """`output` itself, or a timestamped name inside it when it is a folder (or ends with /)."""
    if Path(output).is_dir() or str(output).endswith(("/", os.sep)):
        return Path(output) / f"analytics_hub_{now:%Y%m%d_%H%M%S}{suffix}"
    return Path(output)


def backup_sqlite(database: Path, target: Path) -> None:
    if not database.exists():
        raise BackupError(f"the database file {database} does not exist: check DATA_DIR or DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=target.parent) as work:
        snapshot, packed = Path(work) / "snapshot.db", Path(work) / "backup.gz"
        _online_copy(database, snapshot)
        _gzip(snapshot, packed)
        verify_sqlite_backup(packed)
        os.replace(packed, target)


def verify_sqlite_backup(path: Path) -> None:
    """Decompress `path` to a temporary file and require `PRAGMA integrity_check` = ok."""
    with tempfile.TemporaryDirectory(prefix=".verify-") as work:
        copy = Path(work) / "verify.db"
        unpack(path, copy)
        check_integrity(copy)


def backup_postgres(url: str, target: Path) -> None:
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if pg_dump is None or pg_restore is None:
        raise BackupError(
            "pg_dump and pg_restore are needed for a PostgreSQL backup and are not on PATH: install the "
            "PostgreSQL client of the server's major version (Debian: apt-get install postgresql-client), "
            "or run on the database host: pg_dump --format=custom --file=BACKUP DATABASE")
    conninfo, env = _libpq(url)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=target.parent) as work:
        packed = Path(work) / "backup.pgdump"
        _run([pg_dump, "--format=custom", "--no-owner", f"--file={packed}", f"--dbname={conninfo}"], env,
             "pg_dump failed")
        _run([pg_restore, "--list", str(packed)], env, "the dump cannot be read back")
        os.replace(packed, target)


def apply_retention(folder: Path, keep_days: int, keep: Path) -> list[Path]:
    """Delete this tool's backups (recognised by content, not name) older than `keep_days`."""
    cutoff = time.time() - keep_days * 86400
    removed = []
    for path in sorted(folder.iterdir()):
        if path == keep or not path.is_file() or path.stat().st_mtime >= cutoff:
            continue
        if backup_kind(path) is not None:
            path.unlink()
            removed.append(path)
    return removed


def backup_kind(path: Path) -> str | None:
    """"sqlite" for a SQLite database (gzipped or not), "postgresql" for a pg_dump archive, else None."""
    if _starts_with(path, PGDUMP_MAGIC):
        return "postgresql"
    head = _head(path)
    if _starts_with(path, GZIP_MAGIC):
        try:
            with gzip.open(path, "rb") as unpacked:
                head = unpacked.read(len(SQLITE_MAGIC))
        except (OSError, EOFError):
            return None
    return "sqlite" if head == SQLITE_MAGIC else None


def restore(settings: Settings, source: Path, force: bool = False, confirm=_never) -> RestoreResult:
    """Replace the configured database with the backup `source`, after checking it and after
    `confirm(summary)` agreed to what it rolls back (see ops.carry_over); the current accounts
    and newer audit entries are carried over, with a `restore` audit entry."""
    if not source.is_file():
        raise BackupError(f"the backup {source} does not exist")
    if settings.sqlite_file is not None:
        return restore_sqlite(source, settings.sqlite_file, settings.data_dir / PID_FILE, force, confirm)
    return restore_postgres(settings.database_url, source, force, confirm)


def restore_sqlite(source: Path, database: Path, pid_file: Path, force: bool, confirm=_never) -> RestoreResult:
    users = database_users(database, pid_file)
    if users and not force:
        raise BackupError(f"the database {database} is in use by {'; '.join(users)}. Stop the app first "
                          "(docker-compose stop app, or Ctrl+C where make run runs), or pass --force")
    database.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=database.parent) as work:
        candidate = Path(work) / "restore.db"
        unpack(source, candidate)
        check_integrity(candidate)
        observations = _observation_count(candidate)
        backup_state = carry_over.read_state(f"sqlite:///{candidate}")
        since = backup_state.newest_audit if backup_state and backup_state.newest_audit else datetime.min.replace(
            tzinfo=UTC)
        now = carry_over.read_state(f"sqlite:///{database}", since) if database.exists() else None
        if not confirm(carry_over.describe(str(database), source.name, now, backup_state)):
            raise BackupError("not confirmed (answer y, or pass --yes)")
        carried = carry_over.carry_over(f"sqlite:///{candidate}", now, source.name) if backup_state else {}
        set_aside = _set_aside(database)
        os.replace(candidate, database)
    return RestoreResult(str(database), set_aside, observations, users, carried)


def restore_postgres(url: str, source: Path, force: bool, confirm=_never) -> RestoreResult:
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not on PATH: install the PostgreSQL client of the server's major "
                          "version (Debian: apt-get install postgresql-client)")
    if backup_kind(source) != "postgresql":
        raise BackupError(f"{source} is not a pg_dump archive made by backup_db.py")
    conninfo, env = _libpq(url)
    _run([pg_restore, "--list", str(source)], env, "the archive is damaged")
    sessions = _other_sessions(url)
    if sessions and not force:
        raise BackupError(f"the database has {sessions} other open session(s): stop the app first "
                          "(docker-compose stop app), or pass --force")
    shown = make_url(url).render_as_string(hide_password=True)
    # the archive's newest audit entry is known only once it is restored: read every current
    # entry now, and carry over those newer than the restored log's newest
    now = carry_over.read_state(url, datetime.min.replace(tzinfo=UTC))
    if not confirm(carry_over.describe(shown, source.name, now, None)):
        raise BackupError("not confirmed (answer y, or pass --yes)")
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
          f"--dbname={conninfo}", str(source)], env, "pg_restore failed")
    restored = carry_over.read_state(url)
    if now is not None and restored is not None and restored.newest_audit is not None:
        now.newer_audit = [row for row in now.newer_audit
                           if carry_over.utc(row["occurred_at"]) > restored.newest_audit]
    carried = carry_over.carry_over(url, now, source.name) if restored is not None else {}
    users = [f"{sessions} other database session(s)"] if sessions else []
    return RestoreResult(shown, None, None, users, carried)


def database_users(database: Path, pid_file: Path) -> list[str]:
    """Who has the SQLite database open: a live gunicorn from its pid file, and any process
    holding the file (or its -wal/-shm) open, found in /proc."""
    users = []
    served_by = _live_pid(pid_file)
    if served_by is not None:
        users.append(f"gunicorn (pid {served_by}, {pid_file})")
    paths = {os.path.realpath(f"{database}{suffix}") for suffix in ("", "-wal", "-shm")}
    users += [f"process {pid}" for pid in _processes_holding(paths) if pid != served_by]
    return users


def unpack(source: Path, destination: Path) -> None:
    """Write the SQLite database in `source` (gzipped or not) to `destination`."""
    kind = backup_kind(source)
    if kind != "sqlite":
        raise BackupError(f"{source} is not a SQLite backup made by backup_db.py (nor a SQLite database)")
    opener = gzip.open if _starts_with(source, GZIP_MAGIC) else open
    try:
        with opener(source, "rb") as packed, destination.open("wb") as plain:
            shutil.copyfileobj(packed, plain, COPY_CHUNK)
    except (OSError, EOFError) as error:
        raise BackupError(f"{source} cannot be decompressed: {error}") from None


def check_integrity(path: Path) -> None:
    try:
        with closing(sqlite3.connect(path)) as conn:
            verdict = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the integrity check could not run: {error}") from None
    if verdict != ["ok"]:
        raise BackupError(f"the integrity check failed: {'; '.join(verdict[:3])}")


def _starts_with(path: Path, magic: bytes) -> bool:
    return _head(path, len(magic)) == magic


def _head(path: Path, size: int = len(SQLITE_MAGIC)) -> bytes:
    with path.open("rb") as file:
        return file.read(size)


def _online_copy(database: Path, snapshot: Path) -> None:
    try:
        with closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_S)) as source, \
                closing(sqlite3.connect(snapshot)) as copy:
            source.backup(copy)  # all pages in one step: one consistent snapshot; writers are not blocked (WAL)
    except sqlite3.Error as error:
        raise BackupError(f"the database {database} cannot be copied: {error}") from None


def _gzip(source: Path, target: Path) -> None:
    with source.open("rb") as plain, gzip.open(target, "wb", compresslevel=6) as packed:
        shutil.copyfileobj(plain, packed, COPY_CHUNK)


def _observation_count(path: Path) -> int:
    try:
        with closing(sqlite3.connect(path)) as conn:
            return conn.execute("SELECT COUNT(*) FROM sustainability_indicators").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"the backup is not an Analytics Hub database: {error}") from None


def _set_aside(database: Path) -> Path | None:
    """Keep the current database (and its -wal/-shm) under a dated name; None if there is none."""
    if not database.exists():
        return None
    kept = database.with_name(f"{database.name}.before-restore-{datetime.now(UTC):%Y%m%d_%H%M%S}")
    os.replace(database, kept)
    for suffix in ("-wal", "-shm"):
        if Path(f"{database}{suffix}").exists():
            os.replace(f"{database}{suffix}", f"{kept}{suffix}")
    return kept


def _live_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None  # no pid file, or a stale one
    return pid


def _processes_holding(paths: set[str]) -> list[int]:
    holders = []
    for proc in Path("/proc").glob("[0-9]*"):
        if int(proc.name) == os.getpid():
            continue
        try:
            if any(os.path.realpath(fd) in paths for fd in (proc / "fd").iterdir()):
                holders.append(int(proc.name))
        except OSError:  # the process ended, or is not ours to inspect
            continue
    return sorted(holders)


def _other_sessions(url: str) -> int:
    query = text("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND pid <> pg_backend_pid()")
    engine = get_engine(url)
    with engine.connect() as conn:
        count = int(conn.execute(query).scalar())
    engine.dispose()  # our own pool must not count as a user
    return count


def _libpq(url: str) -> tuple[str, dict]:
    """A libpq connection string without the password, and an environment that carries it
    (a password on the command line would show in `ps`)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    conninfo = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, env


def _run(command: list[str], env: dict, failure: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{failure}: no answer within {PG_TIMEOUT_S} s") from None
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[0]
        raise BackupError(f"{failure}: {redact(reason)}")
