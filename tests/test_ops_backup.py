"""scripts/backup_db.py and scripts/restore_db.py: consistent online backups, checked
restores, retention, refusals and clear failures."""

import gzip
import hashlib
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text

from data import database
from data.engine import dispose_engines, get_engine
from tests.conftest import ROOT

PYTHON = str(Path(sys.executable))
WRITES = """
import sqlite3, sys, time
from pathlib import Path
conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("CREATE TABLE probe (n INTEGER PRIMARY KEY)")
conn.execute("CREATE TABLE probe_sum (total INTEGER NOT NULL)")
conn.execute("INSERT INTO probe_sum VALUES (0)")
stop = Path(sys.argv[2])
for n in range(1, 200_000):  # bounded; the test asks it to stop much sooner
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO probe VALUES (?)", (n,))
    conn.execute("UPDATE probe_sum SET total = total + ?", (n,))
    conn.execute("COMMIT")
    if stop.exists():
        break
"""


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("golden") / "analytics_hub.db"
    database.seed(get_engine(f"sqlite:///{path}"))
    dispose_engines()
    return path


@pytest.fixture
def data_dir(tmp_path, seeded_file) -> Path:
    """A DATA_DIR holding its own copy of the seeded database."""
    folder = tmp_path / "var"
    folder.mkdir()
    copy_database(seeded_file, folder / "analytics_hub.db")
    return folder


def copy_database(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def run(script: str, *args: str, data_dir: Path | None = None, cwd: str | None = None,
        **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "ANALYTICS_HUB_ENV": "test", **env}
    if data_dir is not None:
        environ["DATA_DIR"] = str(data_dir)
    return subprocess.run([PYTHON, str(ROOT / "scripts" / script), *args], cwd=cwd or ROOT, env=environ,
                          capture_output=True, text=True, timeout=300)


def rows(path: Path, query: str) -> list:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(query).fetchall()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def observations(path: Path) -> list:
    return rows(path, "SELECT tenant_id, indicator_id, region_code, year, quarter, value, batch_id "
                      "FROM sustainability_indicators ORDER BY id")


def test_a_backup_taken_while_another_process_writes_is_consistent_and_restores_equal_data(tmp_path, data_dir):
    source = data_dir / "analytics_hub.db"
    stop = tmp_path / "stop"
    writer = subprocess.Popen([PYTHON, "-c", WRITES, str(source), str(stop)])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _probe_rows(source):
            time.sleep(0.05)
        written_before = _probe_rows(source)
        result = run("backup_db.py", "--output", str(tmp_path / "backups" / "20260105.sql"), data_dir=data_dir)
        written_after = _probe_rows(source)
    finally:
        stop.touch()
        assert writer.wait(timeout=60) == 0
    assert result.returncode == 0, result.stderr
    assert "Backup written:" in result.stdout and "integrity verified" in result.stdout
    assert 0 < written_before < written_after  # the writer wrote before and during the backup

    restored_dir = tmp_path / "restored"
    restored = run("restore_db.py", str(tmp_path / "backups" / "20260105.sql"), "--yes", data_dir=restored_dir)
    assert restored.returncode == 0, restored.stderr
    restored_db = restored_dir / "analytics_hub.db"
    assert rows(restored_db, "PRAGMA integrity_check") == [("ok",)]
    assert observations(restored_db) == observations(source)
    probes = [n for (n,) in rows(restored_db, "SELECT n FROM probe ORDER BY n")]
    assert probes == list(range(1, len(probes) + 1))  # a prefix of the writes: no gap, no torn transaction
    assert rows(restored_db, "SELECT total FROM probe_sum") == [(sum(probes),)]
    assert written_before <= len(probes) <= written_after


def _probe_rows(path: Path) -> int:
    try:
        return rows(path, "SELECT COUNT(*) FROM probe")[0][0]
    except sqlite3.OperationalError:  # the writer has not created the table yet
        return 0


def test_the_backup_file_is_a_gzipped_database_that_passes_integrity_check(tmp_path, data_dir):
    target = tmp_path / "20260105.sql"
    assert run("backup_db.py", "--output", str(target), data_dir=data_dir).returncode == 0
    unpacked = tmp_path / "unpacked.db"
    unpacked.write_bytes(gzip.decompress(target.read_bytes()))
    assert rows(unpacked, "PRAGMA integrity_check") == [("ok",)]
    assert observations(unpacked) == observations(data_dir / "analytics_hub.db")


def test_a_folder_gets_a_dated_backup_and_old_backups_are_removed(tmp_path, data_dir):
    folder = tmp_path / "daily"
    folder.mkdir()
    assert run("backup_db.py", "--output", str(folder / "old.db.gz"), data_dir=data_dir).returncode == 0
    assert run("backup_db.py", "--output", str(folder / "recent.db.gz"), data_dir=data_dir).returncode == 0
    (folder / "notes.txt").write_text("not a backup")
    ten_days_ago = time.time() - 10 * 86400
    for name in ("old.db.gz", "notes.txt"):
        os.utime(folder / name, (ten_days_ago, ten_days_ago))

    result = run("backup_db.py", "--output", f"{folder}/", "--keep-days", "7", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert "old.db.gz" not in names and {"recent.db.gz", "notes.txt"} <= set(names)
    new = [n for n in names if n.startswith("analytics_hub_")]
    assert len(new) == 1 and new[0].endswith(".db.gz") and len(new[0]) == len("analytics_hub_20260105_020000.db.gz")
    assert f"Removed old backup {folder / 'old.db.gz'}" in result.stdout


def test_backup_failures_exit_non_zero_with_a_clear_message(tmp_path):
    missing = run("backup_db.py", "--output", str(tmp_path / "b.gz"), data_dir=tmp_path / "nowhere")
    assert missing.returncode == 1
    assert "backup failed: the database file" in missing.stderr and "does not exist" in missing.stderr

    corrupt_dir = tmp_path / "corrupt"
    corrupt_dir.mkdir()
    (corrupt_dir / "analytics_hub.db").write_bytes(b"garbage!" * 4096)
    corrupt = run("backup_db.py", "--output", str(tmp_path / "c.gz"), data_dir=corrupt_dir)
    assert corrupt.returncode == 1 and "file is not a database" in corrupt.stderr
    assert not (tmp_path / "c.gz").exists()
    assert "Traceback" not in missing.stderr + corrupt.stderr

    bad_days = run("backup_db.py", "--output", str(tmp_path / "d.gz"), "--keep-days", "0", data_dir=corrupt_dir)
    assert bad_days.returncode == 2 and "is not a whole number of days" in bad_days.stderr


def test_restore_refuses_damaged_backups_and_changes_nothing(tmp_path, data_dir):
    target = data_dir / "analytics_hub.db"
    before = digest(target)
    good = tmp_path / "good.db.gz"
    assert run("backup_db.py", "--output", str(good), data_dir=data_dir).returncode == 0

    truncated = tmp_path / "truncated.db.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    not_a_backup = tmp_path / "notes.db.gz"
    not_a_backup.write_bytes(gzip.compress(b"just some text"))
    damaged = tmp_path / "damaged.db.gz"
    pages = bytearray(gzip.decompress(good.read_bytes()))
    pages[8192:40960] = b"\xff" * 32768  # overwrite b-tree pages, keep the header
    damaged.write_bytes(gzip.compress(bytes(pages)))

    for backup, reason in [(truncated, "cannot be decompressed"), (not_a_backup, "is not a SQLite backup"),
                           (damaged, "integrity check")]:
        result = run("restore_db.py", str(backup), "--yes", data_dir=data_dir)
        assert result.returncode == 1, backup
        assert "restore failed, nothing was changed" in result.stderr and reason in result.stderr
    assert digest(target) == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["analytics_hub.db"]  # no leftovers


HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()
print("holding", flush=True)
time.sleep(120)
"""


def test_restore_refuses_a_database_in_use_unless_forced(tmp_path, data_dir):
    target = data_dir / "analytics_hub.db"
    backup = tmp_path / "backup.db.gz"
    assert run("backup_db.py", "--output", str(backup), data_dir=data_dir).returncode == 0
    with get_engine(f"sqlite:///{target}").begin() as conn:  # the live data moves on after the backup
        conn.execute(text("UPDATE sustainability_indicators SET value = -1 WHERE id = 1"))
    dispose_engines()
    holder = subprocess.Popen([PYTHON, "-c", HOLDER, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        refused = run("restore_db.py", str(backup), "--yes", data_dir=data_dir)
        assert refused.returncode == 1
        assert f"is in use by process {holder.pid}" in refused.stderr and "or pass --force" in refused.stderr
        assert rows(target, "SELECT value FROM sustainability_indicators WHERE id = 1") == [(-1.0,)]

        forced = run("restore_db.py", str(backup), "--yes", "--force", data_dir=data_dir)
    finally:
        holder.kill()
        holder.wait()
    assert forced.returncode == 0, forced.stderr
    assert "restart the app now" in forced.stdout and "Cleared the cache" in forced.stdout
    assert rows(target, "SELECT value FROM sustainability_indicators WHERE id = 1") != [(-1.0,)]
    kept = [p for p in data_dir.glob("analytics_hub.db.before-restore-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and f"The previous database is kept as {kept[0]}" in forced.stdout
    assert rows(kept[0], "SELECT value FROM sustainability_indicators WHERE id = 1") == [(-1.0,)]


def test_restore_names_a_running_gunicorn_from_its_pid_file(tmp_path, data_dir):
    backup = tmp_path / "backup.db.gz"
    assert run("backup_db.py", "--output", str(backup), data_dir=data_dir).returncode == 0
    (data_dir / "gunicorn.pid").write_text(f"{os.getpid()}\n")  # a live process stands for the server
    refused = run("restore_db.py", str(backup), "--yes", data_dir=data_dir)
    assert refused.returncode == 1 and f"in use by gunicorn (pid {os.getpid()}" in refused.stderr
    (data_dir / "gunicorn.pid").write_text("999999999\n")  # a stale pid file is not a user
    assert run("restore_db.py", str(backup), "--yes", data_dir=data_dir).returncode == 0


def test_postgres_backup_without_pg_dump_says_what_to_do(tmp_path):
    result = run("backup_db.py", "--output", str(tmp_path / "x.pgdump"),
                 DATABASE_URL="postgresql://hub:pw@127.0.0.1:9/hub", PATH=str(tmp_path))
    assert result.returncode == 1
    assert "pg_dump and pg_restore are needed" in result.stderr and "apt-get install postgresql-client" in result.stderr


@pytest.fixture
def scratch_databases():
    """Two empty PostgreSQL databases of our own on the test server, dropped afterwards (the
    shared test database is left alone)."""
    postgres_url = os.environ.get("TEST_DATABASE_URL")
    if not postgres_url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    admin = get_engine(postgres_url).execution_options(isolation_level="AUTOCOMMIT")
    names = [f"hub_ops_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "restored")]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = postgres_url.rsplit("/", 1)[0]
    yield [f"{base}/{name}" for name in names]
    dispose_engines()
    with get_engine(postgres_url).execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.postgres
def test_postgres_backup_and_restore_give_equal_data(tmp_path, scratch_databases):
    source, restored = scratch_databases
    database.seed(get_engine(source))
    dispose_engines()
    backup = tmp_path / "hub.pgdump"
    fresh = tmp_path / "never-started"  # a host where the app never ran: no data folder yet
    made = run("backup_db.py", "--output", str(backup), data_dir=fresh, DATABASE_URL=source)
    assert made.returncode == 0, made.stderr
    with get_engine(restored).connect():  # another session on the target: refused
        refused = run("restore_db.py", str(backup), "--yes", data_dir=fresh, DATABASE_URL=restored)
    assert refused.returncode == 1 and "other open session" in refused.stderr
    dispose_engines()
    result = run("restore_db.py", str(backup), "--yes", data_dir=fresh, DATABASE_URL=restored)
    assert result.returncode == 0, result.stderr
    summary = "SELECT COUNT(*), SUM(value), COUNT(DISTINCT batch_id) FROM sustainability_indicators"
    with get_engine(source).connect() as a, get_engine(restored).connect() as b:
        assert a.execute(text(summary)).one() == b.execute(text(summary)).one()
        assert a.execute(text(summary)).one()[0] == 24024
