"""Throughput of the hub scaled out: two gunicorn instances on PostgreSQL + Redis against one
instance on SQLite (and one on PostgreSQL + Redis, to tell the backend's share from the
instances'), at 25 and 50 simulated users.

A minimal load generator of its own (the locust harness of the operations issue was not on
main when this was written): one thread per user, each signed in with its own session and
keep-alive connections, choosing after a think time of 0.5-1.5 s between

  70%  a dashboard filter change  (POST /_dash-update-component, the dashboard callback; views
                                   drawn from VIEW_COUNT fixed ones: periods, ranges, regions,
                                   pillars, indicators)
  20%  opening a page             (the router callback for "/")
  10%  the page shell             (GET /)

With two instances each request goes to the next instance in turn (as nginx would spread it).
Every setup starts fresh: gunicorn with WORKERS=2 per instance, a new SQLite file or an emptied
PostgreSQL database (seeded by the first instance's start-up), Redis emptied of the hub's keys.
Per setup and user count: a 10 s warm-up, then `--duration` seconds measured: requests per
second, filter-change p50/p95, errors (non-200 answers and failures), the CPU the gunicorn
workers used per request, how busy the machine's CPUs were, and the load average (other
engineers' tests share this 2-core machine). Writes bench/results/scale_out_load.json.

    .venv/bin/python bench/scale_out_load.py --postgres postgresql://postgres@127.0.0.1:5432/test_issue17_bench \\
        --redis redis://127.0.0.1:6379/1 [--duration 40] [--users 25 50]

The PostgreSQL database given is emptied: name one of your own.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import summary  # noqa: E402
from data.catalog import catalog  # noqa: E402
from tests.conftest import launch_server, stop_server, wait_until_serving  # noqa: E402
from tests.dash_requests import dashboard_payload, router_payload  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PASSWORD = "bench password long enough"
VIEW_COUNT = 60
WARM_UP_S = 10
MIX = (("filter change", 0.7), ("page open", 0.2), ("page shell", 0.1))
QUARTERS = [f"{year}Q{quarter}" for year in range(2015, 2026) for quarter in range(1, 5)]
REGION_CODES = ["SA-01", "SA-02", "SA-04", "SA-05", "SA-09", "SA-14"]


def views(count: int = VIEW_COUNT, seed: int = 17) -> list[dict]:
    rng = random.Random(seed)
    indicators = list(catalog().indicators)
    chosen = []
    for _ in range(count):
        indicator = rng.choice(indicators)
        end = rng.randrange(8, len(QUARTERS))
        chosen.append({"period": QUARTERS[end], "start": QUARTERS[end - rng.choice((4, 8, 20))], "end": QUARTERS[end],
                       "regions": tuple(rng.sample(REGION_CODES, rng.choice((0, 0, 1, 2)))),
                       "pillar": indicator.pillar, "indicator": indicator.id})
    return chosen


class User:
    """One signed-in browser session with a keep-alive connection to each instance."""

    def __init__(self, bases: list[str], rng: random.Random):
        self.connections = [http.client.HTTPConnection(urllib.parse.urlsplit(b).netloc, timeout=60) for b in bases]
        self.cookie = ""
        self.rng = rng
        self.turn = rng.randrange(len(bases))

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None,
                connection: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
        if connection is None:
            self.turn = (self.turn + 1) % len(self.connections)
            connection = self.connections[self.turn]
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if content_type:
            headers["Content-Type"] = content_type
        for retry in (True, False):  # once more on a fresh connection if gunicorn closed an idle one (2 s)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                if not retry:
                    raise
            except (OSError, http.client.HTTPException):
                connection.close()
                raise
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data

    def sign_in(self, username: str) -> None:
        first = self.connections[0]
        _, page = self.request("GET", "/login", connection=first)
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"})
        status, _ = self.request("POST", "/login", form.encode(), "application/x-www-form-urlencoded", first)
        if status != 302:
            raise RuntimeError(f"sign-in answered {status}")

    def one_action(self, view_list: list[dict]) -> tuple[str, int]:
        kind = self.rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
        if kind == "page shell":
            return kind, self.request("GET", "/")[0]
        payload = (dashboard_payload(**self.rng.choice(view_list)) if kind == "filter change"
                   else router_payload("/"))
        return kind, self.request("POST", "/_dash-update-component", json.dumps(payload).encode(),
                                  "application/json")[0]


def run_load(bases: list[str], users: int, duration: float, username: str) -> dict:
    view_list = views()
    records: list[tuple[float, str, float, int]] = []  # (finished at, kind, ms, status; 0 = failed)
    lock, stop = threading.Lock(), threading.Event()
    people = [User(bases, random.Random(n)) for n in range(users)]
    for person in people:
        person.sign_in(username)

    def behave(person: User) -> None:
        while not stop.is_set():
            stop.wait(person.rng.uniform(0.5, 1.5))
            if stop.is_set():
                return
            started = time.perf_counter()
            try:
                kind, status = person.one_action(view_list)
            except (OSError, http.client.HTTPException):
                kind, status = "failed", 0
            with lock:
                records.append((time.monotonic(), kind, (time.perf_counter() - started) * 1000, status))

    threads = [threading.Thread(target=behave, args=(p,), daemon=True) for p in people]
    for thread in threads:
        thread.start()
    time.sleep(WARM_UP_S)
    begin, cpu_before, machine_before = time.monotonic(), workers_cpu(bases), machine_cpu()
    time.sleep(duration)
    end, cpu_after, machine_after = time.monotonic(), workers_cpu(bases), machine_cpu()
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    measured = [r for r in records if begin <= r[0] <= end]
    filters = [ms for _, kind, ms, status in measured if kind == "filter change" and status == 200]
    errors = [r for r in measured if r[3] != 200]
    busy = 1 - (machine_after[1] - machine_before[1]) / max(1, machine_after[0] - machine_before[0])
    return {
        "users": users, "seconds": round(end - begin, 1), "requests": len(measured),
        "requests_per_second": round(len(measured) / (end - begin), 1),
        "filter_change_ms": summary(filters),
        "errors": len(errors), "error_statuses": sorted({r[3] for r in errors}),
        "worker_cpu_ms_per_request": round((cpu_after - cpu_before) * 1000 / max(1, len(measured)), 1),
        "machine_cpu_busy": round(busy, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


SERVERS: dict[str, list[int]] = {}  # base URL -> gunicorn master pid


def workers_cpu(bases: list[str]) -> float:
    """CPU seconds used so far by the gunicorn workers of these instances."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for base in bases:
        for pid in SERVERS[base]:
            for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
                try:
                    fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


def machine_cpu() -> tuple[int, int]:
    """(all jiffies, idle jiffies) of the machine so far."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]


def start(setup: dict, folder: Path) -> list[tuple]:
    """Launch the setup's instances together, as replicas start; return (process, url, folder)."""
    env = {"AUTH_PASSWORD": PASSWORD, "SECRET_KEY": "b" * 40, "LOGIN_RATE_LIMIT": "10000", "WORKERS": "2",
           "LOG_LEVEL": "warning", **setup["env"]}
    launched = []
    for n in range(setup["instances"]):
        instance_folder = folder / f"instance-{n}"
        process, url = launch_server(instance_folder, **env)
        launched.append((process, url, instance_folder))
    for process, url, instance_folder in launched:
        wait_until_serving(process, url, instance_folder, seconds=180)
        SERVERS[url] = [process.pid]
    return launched


def reset_postgres_and_redis(postgres: str, redis_url: str) -> None:
    import redis

    from data import database
    from data.engine import dispose_engines, get_engine

    database.drop_all(get_engine(postgres))
    dispose_engines()
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match="hub:*", count=1000))
    if keys:
        client.delete(*keys)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL database of yours: it is emptied")
    parser.add_argument("--redis", required=True, help="a Redis database of yours (its hub:* keys are deleted)")
    parser.add_argument("--users", type=int, nargs="+", default=[25, 50])
    parser.add_argument("--duration", type=float, default=40, help="measured seconds per user count")
    parser.add_argument("--output", type=Path, default=RESULTS / "scale_out_load.json")
    args = parser.parse_args(argv)
    setups = {
        "1 instance, SQLite": {"instances": 1, "env": {}},
        "1 instance, PostgreSQL + Redis": {"instances": 1, "env": {"DATABASE_URL": args.postgres,
                                                                    "CACHE_REDIS_URL": args.redis}},
        "2 instances, PostgreSQL + Redis": {"instances": 2, "env": {"DATABASE_URL": args.postgres,
                                                                     "CACHE_REDIS_URL": args.redis}},
    }
    results = {"measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
               "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg(), "mix": dict(MIX),
               "views": VIEW_COUNT, "workers_per_instance": 2, "setups": {}}
    for name, setup in setups.items():
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
            if "DATABASE_URL" in setup["env"]:
                reset_postgres_and_redis(args.postgres, args.redis)
            launched = start(setup, Path(folder))
            try:
                bases = [url for _, url, _ in launched]
                results["setups"][name] = [run_load(bases, users, args.duration, "admin") for users in args.users]
            except Exception:
                for _, _, instance_folder in launched:
                    print((instance_folder / "gunicorn.out").read_text()[-2000:], file=sys.stderr)
                raise
            finally:
                for process, _, _ in launched:
                    stop_server(process)
        for row in results["setups"][name]:
            print(f"{name:34} {row['users']:3} users: {row['requests_per_second']:6.1f} req/s, filter change "
                  f"p50 {row['filter_change_ms'].get('p50')} ms p95 {row['filter_change_ms'].get('p95')} ms, "
                  f"{row['errors']} errors, {row['worker_cpu_ms_per_request']} ms worker CPU/request, "
                  f"CPU busy {row['machine_cpu_busy']:.0%}, load {row['load_average'][0]}", flush=True)
    baseline = results["setups"]["1 instance, SQLite"]
    results["ratios_to_1_instance_sqlite"] = {
        name: [{"users": row["users"],
                "requests_per_second": round(row["requests_per_second"] / base["requests_per_second"], 2),
                "filter_change_p95": round(row["filter_change_ms"]["p95"] / base["filter_change_ms"]["p95"], 2)}
               for row, base in zip(rows, baseline, strict=True)]
        for name, rows in results["setups"].items()}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    print(json.dumps(results["ratios_to_1_instance_sqlite"], indent=1))
    print(f"written {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
