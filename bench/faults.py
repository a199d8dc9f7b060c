"""Faults the hub must survive, each scripted and repeatable, against the real gunicorn app
under simulated users (bench/traffic.py). Each prints what it measured and the JSON lands in
bench/results/faults.json; `--short` runs the bounded version that `make test` runs
(tests/test_faults.py), a few seconds each.

    .venv/bin/python bench/faults.py                       # every fault, full length
    .venv/bin/python bench/faults.py worker_kill redis_down --short

worker_kill        SIGKILL one worker under load: only its in-flight requests fail, and a
                   replacement serves within 2 s
backup_during_import  scripts/backup_db.py while another process loads a batch through the data
                   layer (one transaction): both succeed, no "database is locked"
redis_down         CACHE_REDIS_URL set, Redis stopped under load: answers go on uncached, /healthz
                   says "degraded" naming the cache, and it recovers when Redis returns
postgres_restart   DATABASE_URL on a private PostgreSQL, restarted under load: requests fail at
                   most while it restarts, then recover without restarting the app
log_disk_full      the log files turned into /dev/full under load: serving goes on, stderr gets at
                   most one warning a minute per process, /healthz names Logging
corrupt_at_start   pages of the SQLite file overwritten before start: /healthz 503 naming the
                   integrity check, the restore notice on pages, the server stays up
corrupt_running    the same damage while serving: noticed by the scheduled check
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.traffic import ROOT, Traffic, get_json, get_status, launch  # noqa: E402
from tests.conftest import free_port  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None) if Path("/usr/lib/postgresql").exists() \
    else None


def _length(short: bool, short_s: float, full_s: float) -> float:
    return short_s if short else full_s


def _users(short: bool) -> int:
    return 3 if short else 25


def worker_kill(folder: Path, short: bool) -> dict:
    server = launch(folder)
    try:
        with Traffic(server.url, users=_users(short), kinds=("filter", "page")) as traffic:
            time.sleep(_length(short, 2, 10))
            victim = server.workers()[0]
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            replacement, serving_s = _replacement_serving(server, victim, killed_at, timeout=30)
            time.sleep(_length(short, 2, 10))
        # what dies with a worker: the requests its threads were answering and those already queued in it
        # or sent on its kept-alive connections; each user has one request in flight at most
        failed = traffic.failures()
        users = _users(short)
        return {"requests": traffic.count(), "users": users, "failed": len(failed),
                "failed_statuses": sorted({str(s.status) for s in failed}),
                "failed_started_after_kill": len(traffic.failures(since=killed_at)),
                "failed_after_replacement": len(traffic.failures(since=killed_at + serving_s)),
                "replacement_pid": replacement, "replacement_serving_s": round(serving_s, 2),
                "ok": len(failed) <= users and serving_s <= 2.0 and not traffic.failures(since=killed_at + serving_s)}
    finally:
        server.stop()


def _replacement_serving(server, victim: int, since: float, timeout: float) -> tuple[int | None, float]:
    """The new worker and the seconds from the kill until it answered a request of its own
    (seen in access.log by its pid)."""
    deadline = since + timeout
    while time.monotonic() < deadline:
        new = [pid for pid in server.workers() if pid != victim and pid not in _seen_pids(server)]
        for pid in new:
            if _served_by(server, pid):
                return pid, time.monotonic() - since
        time.sleep(0.05)
    return None, timeout


_pids_before: dict[str, set[int]] = {}


def _seen_pids(server) -> set[int]:
    return _pids_before.setdefault(str(server.folder), set(server.workers()))


def _served_by(server, pid: int) -> bool:
    access = server.log_dir / "access.log"
    try:
        tail = access.read_bytes()[-200_000:].decode(errors="replace")
    except OSError:
        return False
    return f'"pid": {pid},' in tail


IMPORT = """
import sys
sys.path.insert(0, sys.argv[2])
from data.database import ensure_tenant, load_observations
from data.engine import get_engine
from data.seed import SOURCE_SYSTEM, SeedTenant, generate_observations
from data.versions import bump_data_version
tenant = SeedTenant("imp", "Imported organisation", "جهة مستوردة", 99, 0.1)
frame = generate_observations(tenant).assign(batch_id="import-fault")
engine = get_engine(sys.argv[1])
with engine.begin() as conn:  # one transaction, as an upload would be
    ensure_tenant(conn, tenant.tenant_id, tenant.name_en, tenant.name_ar)
    rows = load_observations(conn, frame, "import-fault", tenant.tenant_id, SOURCE_SYSTEM, "fault test")
    bump_data_version(conn, tenant.tenant_id)
print(rows)
"""


def backup_during_import(folder: Path, short: bool) -> dict:
    server = launch(folder)
    try:
        env = {**os.environ, "DATA_DIR": str(folder / "var"), "ANALYTICS_HUB_ENV": "test"}
        with Traffic(server.url, users=_users(short), kinds=("filter", "page")) as traffic:
            time.sleep(_length(short, 1, 5))
            importer = subprocess.Popen([sys.executable, "-c", IMPORT, f"sqlite:///{server.database}", str(ROOT)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            time.sleep(0.3)
            backup = subprocess.run([sys.executable, "scripts/backup_db.py", "--output", f"{folder}/backups/"],
                                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
            imported_out, imported_err = importer.communicate(timeout=300)
            time.sleep(_length(short, 1, 5))
        logs = "".join(p.read_text(errors="replace") for p in server.log_dir.glob("*.log"))
        locked = sum(text.count("database is locked") for text in (logs, backup.stderr, imported_err))
        return {"requests": traffic.count(), "failed": len(traffic.failures()), "import_exit": importer.returncode,
                "imported_rows": int(imported_out.strip() or 0), "backup_exit": backup.returncode,
                "backup": backup.stdout.strip() or backup.stderr.strip(), "database_is_locked": locked,
                "ok": importer.returncode == 0 and backup.returncode == 0 and locked == 0 and not traffic.failures()}
    finally:
        server.stop()


def redis_down(folder: Path, short: bool) -> dict:
    port = free_port()
    redis = _start_redis(port, folder)
    server = launch(folder, CACHE_REDIS_URL=f"redis://127.0.0.1:{port}/0")
    try:
        with Traffic(server.url, users=_users(short), kinds=("filter", "page")) as traffic:
            time.sleep(_length(short, 2, 10))
            redis.kill()
            redis.wait()
            down_at = time.monotonic()
            time.sleep(_length(short, 3, 20))
            _, during = get_json(f"{server.url}/healthz")
            redis = _start_redis(port, folder)
            back_at = time.monotonic()
            recovered_s = _until(lambda: "Cache" not in get_json(f"{server.url}/healthz")[1].get("failing", ["?"]),
                                 timeout=30)
            time.sleep(_length(short, 1, 5))
        return {"requests": traffic.count(), "failed_while_down": len(traffic.failures(down_at, back_at)),
                "failed": len(traffic.failures()), "healthz_while_down": during.get("status"),
                "failing_while_down": during.get("failing"),
                "cache_check_while_down": during.get("checks", {}).get("cache", {}).get("detail"),
                "recovered_s": recovered_s,
                "ok": not traffic.failures() and "Cache" in during.get("failing", []) and recovered_s is not None}
    finally:
        server.stop()
        redis.kill()


def _start_redis(port: int, folder: Path) -> subprocess.Popen:
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    _until(lambda: _port_open(port), timeout=10)
    return process


def postgres_restart(folder: Path, short: bool) -> dict:
    if PG_BIN is None:
        return {"skipped": "no PostgreSQL server binaries in /usr/lib/postgresql", "ok": True}
    port, data = free_port(), folder / "pg"
    _as_postgres(folder, [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "pg.log"), "-w",
              "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"]
    _as_postgres(folder, [*pg_ctl, "start"])
    try:
        server = launch(folder, DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/postgres")
        try:
            with Traffic(server.url, users=_users(short), kinds=("filter", "page")) as traffic:
                time.sleep(_length(short, 2, 10))
                restart_started = time.monotonic()
                _as_postgres(folder, [*pg_ctl, "-m", "fast", "restart"])
                restart_s = time.monotonic() - restart_started
                recovered_s = _until(lambda: get_status(f"{server.url}/healthz") == 200, timeout=30)
                time.sleep(_length(short, 2, 10))
            failed = traffic.failures()
            window = [s for s in failed if s.started < restart_started or s.started > restart_started + restart_s + 2]
            return {"requests": traffic.count(), "failed": len(failed), "restart_s": round(restart_s, 2),
                    "failed_outside_restart": len(window), "healthz_recovered_s": recovered_s,
                    "app_restarted": server.process.poll() is not None,
                    "ok": not window and recovered_s is not None and server.process.poll() is None}
        finally:
            server.stop()
    finally:
        _as_postgres(folder, [*pg_ctl, "-m", "immediate", "stop"], check=False)


def _as_postgres(folder: Path, command: list[str], check: bool = True) -> None:
    """PostgreSQL refuses to run as root: run its tools as the postgres user when we are root."""
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=check, capture_output=True, timeout=120)


def log_disk_full(folder: Path, short: bool) -> dict:
    server = launch(folder)
    try:
        with Traffic(server.url, users=_users(short), kinds=("filter", "page")) as traffic:
            time.sleep(_length(short, 1, 5))
            printed_before = len(server.output())
            full_at = time.monotonic()
            kept = {}
            for path in list(server.log_dir.glob("*.*")):
                if path.suffix in (".log", ".jsonl"):
                    kept[path] = path.with_name(path.name + ".kept")
                    path.rename(kept[path])
                    path.symlink_to("/dev/full")  # every write: "No space left on device"
            for _ in range(8):  # new connections, so that every worker answers some (sessions keep theirs)
                get_status(f"{server.url}/healthz")
            time.sleep(_length(short, 4, 20))
            _, during = get_json(f"{server.url}/healthz")
            printed = server.output()[printed_before:]
            for path, original in kept.items():
                path.unlink()
                original.rename(path)
            freed_at = time.monotonic()
            recovered_s = _until(lambda: "Logging" not in get_json(f"{server.url}/healthz")[1].get("failing", ["?"]),
                                 timeout=30)
        warnings = printed.count("log lines cannot be written")
        return {"requests": traffic.count(), "failed": len(traffic.failures()),
                "requests_while_full": traffic.count(full_at, freed_at), "stderr_bytes_while_full": len(printed),
                "stderr_warnings": warnings, "tracebacks": printed.count("Traceback"),
                "healthz_while_full": during.get("status"), "failing_while_full": during.get("failing"),
                "recovered_s": recovered_s,
                "ok": not traffic.failures() and "Traceback" not in printed and warnings <= 3
                and "Logging" in during.get("failing", []) and recovered_s is not None}
    finally:
        server.stop()


def corrupt_at_start(folder: Path, short: bool) -> dict:
    database = folder / "var" / "analytics_hub.db"
    _seeded_copy(database)
    _damage(database)
    server = launch(folder, wait_for_healthy=False)
    try:
        status, health = get_json(f"{server.url}/healthz")
        page = _get_text(f"{server.url}/")
        time.sleep(_length(short, 1, 5))
        return {"healthz": status, "failing": health.get("failing"),
                "integrity_detail": health.get("checks", {}).get("database_integrity", {}).get("detail"),
                "page_status": page[0], "page_names_restore": "restore_db.py" in page[1],
                "alive": server.process.poll() is None,
                "ok": status == 503 and "Database Integrity" in health.get("failing", [])
                and page[0] == 503 and "restore_db.py" in page[1] and server.process.poll() is None}
    finally:
        server.stop()


def corrupt_running(folder: Path, short: bool) -> dict:
    server = launch(folder, INTEGRITY_CHECK_INTERVAL="2" if short else "30")
    try:
        with Traffic(server.url, users=_users(short), kinds=("filter", "page")) as traffic:
            time.sleep(_length(short, 1, 5))
            _damage(server.database)
            noticed_s = _until(lambda: get_status(f"{server.url}/healthz") == 503, timeout=_length(short, 20, 90))
            # Requests sent once /healthz has answered 503 (not from when the damage began: a
            # request sent while the file was being damaged or the check ran may be a 200).
            noticed_at = time.monotonic()
        status, health = get_json(f"{server.url}/healthz")
        return {"requests": traffic.count(), "noticed_s": noticed_s, "healthz": status,
                "failing": health.get("failing"), "alive": server.process.poll() is None,
                "answers_after_notice": sorted({str(s.status) for s in traffic.samples
                                                if noticed_s and s.started > noticed_at}),
                "ok": noticed_s is not None and "Database Integrity" in health.get("failing", [])
                and server.process.poll() is None}
    finally:
        server.stop()


def _seeded_copy(database: Path) -> None:
    from data.database import seed
    from data.engine import get_engine

    database.parent.mkdir(parents=True, exist_ok=True)
    engine = get_engine(f"sqlite:///{database}")
    seed(engine)
    engine.dispose()


def _damage(database: Path, pages: int = 24) -> None:
    """Overwrite pages in the middle of the file with random bytes, as a failing disk would."""
    size = database.stat().st_size
    rng = random.Random(12)
    with database.open("r+b") as file:
        file.seek((size // 2) // 4096 * 4096)
        file.write(bytes(rng.getrandbits(8) for _ in range(pages * 4096)))
        file.flush()
        os.fsync(file.fileno())


def _get_text(url: str) -> tuple[int | None, str]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError:
        return None, ""


def _until(condition, timeout: float, step: float = 0.1) -> float | None:
    """Seconds until `condition()` held, or None if it did not within `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return round(time.monotonic() - started, 2)
        time.sleep(step)
    return None


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


FAULTS = {f.__name__: f for f in (worker_kill, backup_during_import, redis_down, postgres_restart, log_disk_full,
                                  corrupt_at_start, corrupt_running)}


def run(name: str, short: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"fault-{name}-") as folder:
        started = time.monotonic()
        result = FAULTS[name](Path(folder), short)
    return {**result, "seconds": round(time.monotonic() - started, 1), "load_average": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("faults", nargs="*", choices=[*FAULTS, []], help="default: all")
    parser.add_argument("--short", action="store_true", help="the bounded version make test runs")
    args = parser.parse_args(argv)
    results = {}
    for name in args.faults or FAULTS:
        results[name] = run(name, args.short)
        print(f"{name:22} {'held' if results[name]['ok'] else 'FAILED'}  {json.dumps(results[name])}", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    output = RESULTS / ("faults_short.json" if args.short else "faults.json")
    output.write_text(json.dumps({"when": datetime.now().isoformat(timespec="seconds"), "results": results},
                                 indent=2, default=str))
    return 0 if all(result["ok"] for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
