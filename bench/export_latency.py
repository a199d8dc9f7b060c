"""How long a download takes: CSV, XLSX, the PDF brief and the four PNG charts, cold and warm,
and PNG throughput under concurrent clients.

Starts the real app under gunicorn (2 workers, fresh seed database, free loopback port,
export rate limit at its maximum) and sends plain HTTP GETs (urllib, a new connection each):

  cold        the first request of each format after the server started (default view), in
              the order CSV, XLSX, the four PNGs, PDF. kaleido starts its Chromium on a worker's
              first render and each worker has its own: the table marks the request that did
              (seen in the process tree: a Chromium below the worker that was not there before)
  warm        after every worker has its Chromium, `--repeat` requests per format cycling
              through VIEWS (periods, regions, pillars, indicators), so warm means a warm
              renderer, not an identical request
  throughput  `--clients` threads share `--requests` PNG exports (figures x views): PNGs per
              second over both workers, latency under that load and the non-200 answers

PNGs at the default size, 1600 x 900 at scale 2. Baseline in the same run: GET /healthz
(before and after the exports). Ratios = p95 / healthz p50.

    .venv/bin/python bench/export_latency.py [--repeat 12] [--clients 8] [--requests 80]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import process_mb, summary  # noqa: E402
from tests.conftest import start_server, stop_server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FIGURES = ("trend", "regions", "map", "index-breakdown")
FORMATS = {"csv": "/export/data.csv", "xlsx": "/export/data.xlsx",
           **{f"png {f}": f"/export/{f}.png" for f in FIGURES}, "pdf": "/export/brief.pdf"}
MAGIC = {"csv": b"", "xlsx": b"PK", "pdf": b"%PDF", "png": b"\x89PNG"}  # how a good body starts
VIEWS = [
    "?regions=SA-01&indicator=renewable_share",
    "?period=2024Q2",
    "?pillar=labour",
    "?period=2023Q4&regions=SA-04&pillar=environmental",
    "?from=2018Q1&to=2025Q4&pillar=social&indicator=digital_readiness",
    "?regions=SA-02,SA-05,SA-09&indicator=unemployment_rate",
    "?period=2022Q1&indicator=co2_per_gdp",
    "?period=2025Q3&regions=SA-14&pillar=economic",
]
GOAL_WARM_PNG_MS = 300


def get(url: str, kind: str = "") -> tuple[float, int, int]:
    """One GET: milliseconds, HTTP status (0 for a connection error or a bad body) and bytes."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    except OSError:
        body, status = b"", 0
    elapsed = (time.perf_counter() - started) * 1000
    if status == 200 and not body.startswith(MAGIC.get(kind.split()[0] if kind else "", b"")):
        status = 0
    return elapsed, status, len(body)


def checked(url: str, kind: str) -> tuple[float, int]:
    ms, status, size = get(url, kind)
    if status != 200:
        raise RuntimeError(f"GET {url} answered {status}")
    return ms, size


def children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found = []
    for task in tasks.iterdir() if tasks.exists() else []:
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def descendants(pid: int) -> list[int]:
    found = children(pid)
    return found + [d for child in found for d in descendants(child)]


def is_chromium(pid: int) -> bool:
    try:
        return "chrom" in Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        return False


def workers_with_chromium(master: int) -> set[int]:
    return {w for w in children(master) if any(is_chromium(d) for d in descendants(w))}


def healthz(url: str, count: int = 50) -> list[float]:
    return [checked(url + "/healthz", "")[0] for _ in range(count)]


def measure_cold(url: str, master: int) -> dict:
    cold = {}
    for kind, path in FORMATS.items():
        before = workers_with_chromium(master)
        ms, size = checked(url + path, kind)
        cold[kind] = {"ms": round(ms, 1), "kb": round(size / 1024, 1),
                      "started_chromium": len(workers_with_chromium(master)) > len(before)}
    return cold


def warm_every_renderer(url: str, master: int, workers: int) -> int:
    """Pairs of concurrent PNG requests until every worker has its Chromium; returns requests sent."""
    sent = 0
    while len(workers_with_chromium(master)) < workers:
        if sent >= 40:
            raise RuntimeError("a worker never started its Chromium")
        threads = [threading.Thread(target=get, args=(url + FORMATS["png trend"] + VIEWS[i], "png"))
                   for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sent += 2
    return sent


def measure_warm(url: str, repeat: int) -> dict:
    samples: dict[str, list[float]] = {kind: [] for kind in FORMATS}
    for i in range(repeat):  # formats interleaved, so that load on the machine touches all alike
        for kind, path in FORMATS.items():
            samples[kind].append(checked(url + path + VIEWS[i % len(VIEWS)], kind)[0])
    samples["png, all figures"] = [ms for kind, values in samples.items() if kind.startswith("png") for ms in values]
    return {kind: summary(ms) for kind, ms in samples.items()}


def measure_throughput(url: str, clients: int, requests: int) -> dict:
    jobs = [f"/export/{FIGURES[i % len(FIGURES)]}.png{VIEWS[i // len(FIGURES) % len(VIEWS)]}"
            for i in range(requests)]
    lock, latencies, errors = threading.Lock(), [], []

    def client():
        while True:
            with lock:
                if not jobs:
                    return
                path = jobs.pop()
            ms, status, _ = get(url + path, "png")
            with lock:
                (latencies if status == 200 else errors).append(ms if status == 200 else status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"clients": clients, "requests": requests, "seconds": round(seconds, 2),
            "png_per_s": round(len(latencies) / seconds, 2), "latency_ms": summary(latencies),
            "errors": len(errors), "error_statuses": sorted(set(errors))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=12, help="warm requests per format")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for the throughput")
    parser.add_argument("--requests", type=int, default=80, help="PNG exports shared by those clients")
    parser.add_argument("--output", type=Path, default=RESULTS / "export_latency.json")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        # 10,000 a minute is the highest EXPORT_RATE_LIMIT the settings accept
        process, url = start_server(Path(folder), EXPORT_RATE_LIMIT="10000")
        try:
            workers = len(children(process.pid))
            before = healthz(url)
            cold = measure_cold(url, process.pid)
            warm_up = warm_every_renderer(url, process.pid, workers)
            warm = measure_warm(url, args.repeat)
            throughput = measure_throughput(url, args.clients, args.requests)
            after = healthz(url)
            # Chromium is many processes sharing pages: their PSS adds up, their RSS would not
            memory = [{"worker_rss_mb": round(process_mb(w), 1), "chromium_pss_mb": round(sum(
                process_mb(d, "smaps_rollup", "Pss") for d in descendants(w) if is_chromium(d)), 1)}
                for w in children(process.pid)]
        except Exception:
            print((Path(folder) / "gunicorn.out").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            stop_server(process)

    base = summary(before + after)
    results = {
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "workers": workers, "png_size": "1600x900 scale 2", "views": VIEWS, "repeat": args.repeat,
        "baseline": {"healthz_ms": base, "healthz_before_p50": summary(before)["p50"],
                     "healthz_after_p50": summary(after)["p50"]},
        "cold": cold, "warm_up_requests": warm_up, "warm": warm, "throughput": throughput,
        "memory_at_end": memory,
        "ratios_p95_to_healthz_p50": {kind: round(s["p95"] / base["p50"], 1) for kind, s in warm.items()},
        "goal_warm_png_ms": GOAL_WARM_PNG_MS,
        "goal_met": warm["png, all figures"]["p95"] <= GOAL_WARM_PNG_MS,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    print_report(results)
    print(f"\nwritten {args.output}")
    return 0


def print_report(results: dict) -> None:
    print(f"\n{'export':22} {'cold ms':>8} {'':8} {'warm n':>6} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'max ms':>8} {'p95/healthz':>11}")
    for kind, w in results["warm"].items():
        c = results["cold"].get(kind, {})
        started = "+Chromium" if c.get("started_chromium") else ""
        cold = f"{c['ms']:8.0f}" if c else f"{'':8}"
        print(f"{kind:22} {cold} {started:8} {w['n']:6d} {w['p50']:8.1f} {w['p95']:8.1f} "
              f"{w['max']:8.1f} {results['ratios_p95_to_healthz_p50'][kind]:11.0f}")
    t = results["throughput"]
    print(f"\nPNG throughput: {t['clients']} clients, {t['requests']} requests in {t['seconds']} s: "
          f"{t['png_per_s']} PNG/s; latency p50 {t['latency_ms'].get('p50')} ms, p95 "
          f"{t['latency_ms'].get('p95')} ms; errors {t['errors']} {t['error_statuses'] or ''}")
    b = results["baseline"]
    print(f"baseline GET /healthz p50 {b['healthz_ms']['p50']} ms (before {b['healthz_before_p50']}, "
          f"after {b['healthz_after_p50']}); warm-up to start every Chromium: {results['warm_up_requests']} "
          f"requests; load average {[round(x, 1) for x in results['load_average']]}")
    print("at the end: " + ", ".join(f"worker RSS {m['worker_rss_mb']} MB + its Chromium PSS {m['chromium_pss_mb']} MB"
                                     for m in results["memory_at_end"]))
    print(f"goal: warm PNG p95 <= {results['goal_warm_png_ms']} ms: {'met' if results['goal_met'] else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
