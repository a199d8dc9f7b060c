"""Load on the real app: locust users (bench/locustfile.py, the issue's mix) against gunicorn
with 2 workers on fresh seed data, one fresh server per level, and a long run that shows
whether throughput holds.

    .venv/bin/python bench/load.py                      # 10, 25 and 50 users, 60 s each
    .venv/bin/python bench/load.py --users 25 --seconds 600 --output soak.json   # the 10-minute run

Per level: requests/s, p50/p95/p99 per class and in all, failures, the workers' CPU use (cores
busy over the run: 2.0 is both cores), the wait for a thread as gunicorn's queue saw it
(http_request_queue_seconds), and the load average before and after (other work on a shared
machine shows there). Runs longer than 2 minutes also report each minute's requests/s and
p50/p95 (locust's history), and minute 10 (the last) against minute 1.
Needs the bench extra: .venv/bin/pip install -e '.[bench]' (or make bench-load).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.traffic import ROOT, launch  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LOCUST = str(Path(sys.executable).with_name("locust"))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return total


def queue_wait(url: str) -> dict:
    """Count, mean and the share of requests that waited over 50 ms for a thread, from /metrics."""
    from prometheus_client.parser import text_string_to_metric_families

    text = urllib.request.urlopen(f"{url}/metrics", timeout=30).read().decode()
    samples = {(s.name, s.labels.get("le")): s.value for family in text_string_to_metric_families(text)
               if family.name == "http_request_queue_seconds" for s in family.samples}
    count = samples.get(("http_request_queue_seconds_count", None), 0)
    if not count:
        return {"count": 0}
    return {"count": int(count), "mean_ms": round(samples[("http_request_queue_seconds_sum", None)] / count * 1000, 1),
            "share_over_50ms": round(1 - samples.get(("http_request_queue_seconds_bucket", "0.05"), 0) / count, 3)}


def run_level(users: int, seconds: int, folder: Path) -> dict:
    server = launch(folder / f"users{users}")
    try:
        prefix = folder / f"users{users}"
        load_before = os.getloadavg()
        cpu_before, started = cpu_seconds(server.workers()), time.monotonic()
        command = [LOCUST, "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--users", str(users),
                   "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{seconds}s", "--host", server.url,
                   "--csv", str(prefix), "--only-summary", "--stop-timeout", "30"]
        if seconds > 120:
            command.append("--csv-full-history")
        subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=seconds + 300)
        wall = time.monotonic() - started
        result = {"users": users, "seconds": seconds, "load_average_before": load_before,
                  "load_average_after": os.getloadavg(),
                  "workers_cpu_cores": round((cpu_seconds(server.workers()) - cpu_before) / wall, 2),
                  "queue_wait": queue_wait(server.url), **stats(Path(f"{prefix}_stats.csv")),
                  "failure_reasons": failure_reasons(Path(f"{prefix}_failures.csv")),
                  "server_errors_logged": _lines(server.log_dir / "errors.log")}
        if seconds > 120:
            result["minutes"] = per_minute(Path(f"{prefix}_stats_history.csv"))
        return result
    finally:
        server.stop()


def stats(path: Path) -> dict:
    classes = {}
    with path.open() as file:
        for row in csv.DictReader(file):
            classes[row["Name"]] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1), "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]), "p99_ms": _number(row["99%"]),
            }
    return {"total": classes.pop("Aggregated", {}), "classes": classes}


def failure_reasons(path: Path) -> dict[str, int]:
    """How many requests failed, by class and reason (an HTTP status, or the client's error)."""
    if not path.exists():
        return {}
    return {f"{row['Name']}: {row['Error']}": int(row["Occurrences"]) for row in csv.DictReader(path.open())}


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def per_minute(path: Path) -> list[dict]:
    """Requests/s and the p50/p95 locust reported at the end of each minute (its current window)."""
    rows = [row for row in csv.DictReader(path.open()) if row["Name"] == "Aggregated"]
    if not rows:
        return []
    start = int(rows[0]["Timestamp"])
    minutes, last_count = [], 0
    for minute in range(1, 61):
        inside = [row for row in rows if int(row["Timestamp"]) - start < minute * 60]
        if not inside or int(inside[-1]["Timestamp"]) - start < minute * 60 - 5:
            break
        end = inside[-1]
        count = int(end["Total Request Count"])
        minutes.append({"minute": minute, "rps": round((count - last_count) / 60, 1),
                        "p50_ms": _number(end["50%"]), "p95_ms": _number(end["95%"]),
                        "failures": int(end["Total Failure Count"])})
        last_count = count
    return minutes


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--output", default="load.json")
    args = parser.parse_args(argv)
    results = {"when": datetime.now().isoformat(timespec="seconds"), "levels": []}
    with tempfile.TemporaryDirectory(prefix="load-") as folder:
        for users in args.users:
            level = run_level(users, args.seconds, Path(folder))
            results["levels"].append(level)
            total = level["total"]
            print(f"{users:3} users: {total['rps']:5.1f} req/s, p50 {total['p50_ms']} ms, p95 {total['p95_ms']} ms, "
                  f"p99 {total['p99_ms']} ms, failures {total['failures']}, workers {level['workers_cpu_cores']} "
                  f"cores, queue {level['queue_wait']}, load {level['load_average_before'][0]:.1f}->"
                  f"{level['load_average_after'][0]:.1f}", flush=True)
            if level["failure_reasons"]:
                print(f"      failures: {level['failure_reasons']}; errors.log lines: {level['server_errors_logged']}")
            for name, row in sorted(level["classes"].items()):
                print(f"      {name:18} {row['rps']:5.1f} req/s  p50 {row['p50_ms']}  p95 {row['p95_ms']}  "
                      f"p99 {row['p99_ms']}  failures {row['failures']}", flush=True)
            for minute in level.get("minutes", []):
                print(f"      minute {minute['minute']:2}: {minute['rps']:5.1f} req/s, p50 {minute['p50_ms']} ms, "
                      f"p95 {minute['p95_ms']} ms", flush=True)
            if len(level.get("minutes", [])) >= 2:
                first, last = level["minutes"][0], level["minutes"][-1]
                level["last_minute_to_first"] = {"rps": round(last["rps"] / first["rps"], 2),
                                                 "p95": round(last["p95_ms"] / first["p95_ms"], 2)}
                print(f"      last minute / first: {level['last_minute_to_first']}", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / args.output).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
