"""Server cost of a dashboard filter change, on the seed database and on ~1,000,000 observations.

For each database a child process builds the app with create_app(Settings.from_env({...}))
(fresh DiskCache directory) and, inside app.server.test_request_context("/") with the
before-request hooks run (the sign-in guard decides the tenant), runs the
dashboard callback `update_dashboard` as Dash does for a change of the URL (tenant, latest
period, options, parse_view, then build_content), and serialises its outputs with Dash's own
to_json. Modes:

  cold   the shared cache is emptied before every change (first request after a deploy or
         a cache clear: the tenant's panel is read from the database)
  fresh  the cache holds the tenant's panel from another view, not this view's queries
         (the usual case: a view nobody opened yet)
  warm   the same view again, every query a cache hit

Per change: wall time (total = callback + JSON), CPU time of the process (less affected by
other load on a shared machine than wall time), build_content's own share, the JSON.

Baselines measured in the same process: GET /healthz through Flask's test client and
`SELECT 1` through the app's engine. Ratios = filter change p95 / baseline p50.

    .venv/bin/python bench/server_filter_change.py [--repeat 3] [--large PATH] [--tenant t042]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from contextvars import copy_context
from datetime import datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import measure  # noqa: E402

summary = partial(measure.summary, digits=2)
memory_mb = measure.memory_mb
RESULTS = ROOT / "bench" / "results"

# Realistic filter changes: periods, ranges, regions (one, several), pillars, indicators.
VIEWS = [
    "",
    "?period=2024Q2",
    "?period=2024Q2&regions=SA-04",
    "?period=2024Q2&regions=SA-04&pillar=labour",
    "?period=2024Q2&regions=SA-01,SA-04&pillar=labour&indicator=green_jobs",
    "?period=2023Q4&regions=SA-01&pillar=environmental&indicator=renewable_share",
    "?from=2018Q1&to=2025Q4&pillar=social&indicator=digital_readiness",
    "?period=2022Q1&indicator=co2_per_gdp",
    "?regions=SA-02,SA-05,SA-09&indicator=unemployment_rate",
    "?period=2025Q3&from=2015Q1&to=2025Q4&indicator=foreign_investment",
    "?period=2020Q2&regions=SA-14&pillar=data_quality",
    "?period=2019Q4&pillar=composite",
]
WARM_UP_VIEW = "?period=2015Q4&from=2015Q1&to=2016Q4&pillar=environmental"


def build_app(database: Path, tenant_id: str):
    """The app on `database` showing `tenant_id`, with an empty cache of its own."""
    from app import create_app
    from settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="bench-server-"))
    return create_app(Settings.from_env({
        "ANALYTICS_HUB_ENV": "test", "DATA_DIR": str(tmp / "var"), "LOG_DIR": str(tmp / "logs"),
        "DATABASE_URL": f"sqlite:///{database}", "CACHE_TYPE": "disk", "CACHE_DIR": str(tmp / "cache"),
        "DEFAULT_TENANT": tenant_id, "LOG_LEVEL": "warning"}))


@contextmanager
def request_context(app):
    """A request for "/" in which the app's before-request hooks (the sign-in guard that
    decides the tenant) have run, as for every real request."""
    with app.server.test_request_context("/"):
        app.server.preprocess_request()
        yield


def check_views(views: list[str]) -> None:
    """Every view must be one the data offers, without fallbacks (inside a request context)."""
    from data import queries
    from data.tenancy import current_tenant
    from services.view import options_for, parse_view

    tenant = current_tenant()
    options, latest = options_for(tenant), queries.latest_complete_period(tenant)
    for search in views:
        if parse_view(search, options, latest)[1]:
            raise RuntimeError(f"{search!r} is not a valid view: {parse_view(search, options, latest)[1]}")


def filter_change(search: str) -> tuple[dict, str, float, float]:
    """One filter change as Dash runs it (inside a request context): the callback with the
    URL as trigger, then the JSON response. Returns outputs, body and the two durations in ms."""
    from dash._callback_context import context_value
    from dash._utils import AttributeDict, to_json

    import callbacks.dashboard as dashboard
    from layouts import ids

    def call():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{ids.DASHBOARD_URL}.search"}]))
        return dashboard.update_dashboard(search, {}, "status", None, None, None, [], [], "/")

    failures = _Failures()  # the callback logs its failures and answers with a notice
    logging.getLogger(dashboard.__name__).addHandler(failures)
    try:
        started = time.perf_counter()
        outputs = copy_context().run(call)
        called = time.perf_counter()
        body = to_json({k: v for k, v in outputs.items() if k in dashboard.OUTPUTS and not _no_update(v)})
        done = time.perf_counter()
    finally:
        logging.getLogger(dashboard.__name__).removeHandler(failures)
    if failures.records:
        raise RuntimeError(f"the callback failed for {search!r}: {failures.records[0].getMessage()}")
    return outputs, body, (called - started) * 1000, (done - called) * 1000


class _Failures(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def measure(database: Path, tenant_id: str, repeat: int) -> dict:
    """Runs in the child process: everything for one database."""
    from sqlalchemy import text

    import callbacks.dashboard as dashboard
    from data.engine import get_engine
    from data.runtime import runtime

    app = build_app(database, tenant_id)
    memory = {"after_create_app": memory_mb()}

    built = []  # build_content's own time, recorded by a wrapper around it
    original = dashboard.build_content

    def timed_build(*args, **kwargs):
        started = time.perf_counter()
        result = original(*args, **kwargs)
        built.append((time.perf_counter() - started) * 1000)
        return result

    dashboard.build_content = timed_build

    def change(search: str) -> dict:
        cpu = time.process_time()
        _, body, callback_ms, json_ms = filter_change(search)
        return {"callback": callback_ms, "json": json_ms, "total": callback_ms + json_ms,
                "cpu": (time.process_time() - cpu) * 1000,
                "build_content": built[-1], "bytes": len(body)}

    results: dict = {"database": str(database), "tenant": tenant_id}
    with request_context(app):
        check_views(VIEWS)
        change(WARM_UP_VIEW)  # imports and first-call costs out of the way
        modes: dict[str, list[dict]] = {"cold": [], "fresh": [], "warm": []}
        for _ in range(repeat):
            for search in VIEWS:
                runtime.cache.clear()
                modes["cold"].append(change(search))
        # cache misses of the cold changes per memoized query (inclusive of the queries they call)
        results["cold_query_miss_ms"] = {name: round(1000 * statistics.median(seconds), 1)
                                         for name, seconds in sorted(runtime.cache.query_timings().items())}
        for _ in range(repeat):
            for search in VIEWS:
                runtime.cache.clear()
                change(WARM_UP_VIEW)
                modes["fresh"].append(change(search))
        memory["after_cold"] = memory_mb()
        for search in VIEWS:
            change(search)  # fill the cache with every view
        for _ in range(repeat * 2):
            for search in VIEWS:
                modes["warm"].append(change(search))
        memory["after_warm"] = memory_mb()
        results["modes"] = {mode: {part: summary([s[part] for s in samples])
                                   for part in ("total", "cpu", "callback", "build_content", "json")}
                            for mode, samples in modes.items()}
        results["per_view_p50_ms"] = {mode: {search or "(default view)": round(statistics.median(
            s["total"] for s in samples[i::len(VIEWS)]), 1) for i, search in enumerate(VIEWS)}
            for mode, samples in modes.items()}
        results["response_kb"] = round(statistics.median(s["bytes"] for s in modes["warm"]) / 1024, 1)

    client = app.server.test_client()
    healthz, statuses = [], set()
    for _ in range(50):
        started = time.perf_counter()
        statuses.add(client.get("/healthz").status_code)
        healthz.append((time.perf_counter() - started) * 1000)
    select_1 = []
    engine = get_engine(f"sqlite:///{database}")
    for _ in range(200):
        started = time.perf_counter()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar()
        select_1.append((time.perf_counter() - started) * 1000)
    results["baselines"] = {"healthz": summary(healthz), "healthz_status": sorted(statuses),
                            "select_1": summary(select_1)}
    for parts in results["modes"].values():
        parts["ratio_p95_to_healthz"] = round(parts["total"]["p95"] / results["baselines"]["healthz"]["p50"], 1)
        parts["ratio_p95_to_select_1"] = round(parts["total"]["p95"] / results["baselines"]["select_1"]["p50"], 0)
    results["memory_mb"] = memory
    results["load_average"] = os.getloadavg()  # 1, 5, 15 minutes: how busy the machine was
    return results


def _no_update(value) -> bool:
    from dash import no_update

    return value is no_update or type(value) is type(no_update)


def seed_database(folder: Path) -> Path:
    from data.database import seed
    from data.engine import get_engine

    path = folder / "seed.db"
    seed(get_engine(f"sqlite:///{path}"))
    return path


def run_child(database: Path, tenant: str, repeat: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, __file__, "--child", str(database), "--tenant", tenant,
                        "--repeat", str(repeat), "--out", out.name], check=True, cwd=ROOT)
        return json.loads(Path(out.name).read_text())


def print_table(results: dict) -> None:
    print(f"\n{'dataset':8} {'mode':6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  "
          f"{'cpu p95':>8} {'build p95':>9} {'json p95':>8}  {'p95/healthz':>11} {'p95/SELECT 1':>12}")
    for name, data in results["datasets"].items():
        for mode, parts in data["modes"].items():
            total = parts["total"]
            print(f"{name:8} {mode:6} {total['p50']:8.1f} {total['p95']:8.1f} {total['max']:8.1f}  "
                  f"{parts['cpu']['p95']:8.1f} {parts['build_content']['p95']:9.1f} {parts['json']['p95']:8.1f}  "
                  f"{parts['ratio_p95_to_healthz']:11.1f} {parts['ratio_p95_to_select_1']:12.0f}")
    for name, data in results["datasets"].items():
        base, mem = data["baselines"], data["memory_mb"]
        print(f"{name}: healthz p50 {base['healthz']['p50']:.2f} ms, SELECT 1 p50 {base['select_1']['p50']:.3f} ms, "
              f"response {data['response_kb']} kB, RSS {mem['after_create_app']['VmRSS']} MB after create_app, "
              f"{mem['after_warm']['VmRSS']} MB at the end, peak (VmHWM) {mem['after_warm']['VmHWM']} MB")
        misses = ", ".join(f"{name} {ms}" for name, ms in data["cold_query_miss_ms"].items())
        print(f"{name}: cold cache misses, median ms (inclusive): {misses}")
        print(f"{name}: load average during the run {[round(x, 1) for x in data['load_average']]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the views per mode (warm: twice as many)")
    parser.add_argument("--large", type=Path, default=RESULTS / "large.db",
                        help="the ~1M database (created if missing)")
    parser.add_argument("--tenant", default="t042", help="tenant of the large database to show")
    parser.add_argument("--skip-large", action="store_true", help="measure the seed database only")
    parser.add_argument("--output", type=Path, default=RESULTS / "server_filter_change.json")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:  # one database, in its own process so that memory figures are its own
        args.out.write_text(json.dumps(measure(args.child, args.tenant, args.repeat)))
        return 0

    results = {"measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
               "views": VIEWS, "repeat": args.repeat, "datasets": {}}
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as folder:
        results["datasets"]["seed"] = run_child(seed_database(Path(folder)), "mep", args.repeat)
    if not args.skip_large:
        from bench.generate_large import main as generate_large

        generate_large([str(args.large)])
        results["datasets"]["1M"] = run_child(args.large, args.tenant, args.repeat)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    print_table(results)
    print(f"\nwritten {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
