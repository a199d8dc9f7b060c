"""Where a filter change spends its time, over the views of server_filter_change.py.

Per mode: (1) without a profiler, the wall time of the main steps (each wrapped in a timer;
nested steps are inclusive, e.g. options_for includes a panel miss); (2) cProfile: the
project's own functions by cumulative time and all functions by own time, per filter change,
with the raw profile saved for pstats/snakeviz.

    .venv/bin/python bench/profile_filter_change.py [--database bench/results/large.db]
        [--tenant t042] [--mode cold|fresh|warm] [--repeat 2] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server_filter_change import (  # noqa: E402
    RESULTS,
    VIEWS,
    WARM_UP_VIEW,
    build_app,
    check_views,
    filter_change,
    request_context,
)

PROJECT = tuple(str(ROOT / folder) for folder in ("data", "layouts", "callbacks"))
# module: functions timed by `split` (patched on the module, so callers inside it see the timer too)
STEPS = {
    "callbacks.dashboard": ["build_content", "options_for", "chart", "table_rows"],
    "data.queries": ["panel", "period_coverage", "indicator_snapshot", "selection_series", "regional_snapshot",
                     "trend_series", "view_rows", "observations", "_read"],
    "data.aggregate": ["to_wide", "complete", "national", "add_derived"],
    "layouts.dashboard": ["kpi_card", "headline"],
}


def run(mode: str, repeat: int, before=None, after=None) -> int:
    """The views in `mode`, calling before()/after() around each timed change; returns changes."""
    from data.runtime import runtime

    if mode == "warm":
        for search in VIEWS:
            filter_change(search)
    for _ in range(repeat):
        for search in VIEWS:
            if mode != "warm":
                runtime.cache.clear()
            if mode == "fresh":
                filter_change(WARM_UP_VIEW)
            before and before()
            filter_change(search)
            after and after()
    return repeat * len(VIEWS)


def split(mode: str, repeat: int) -> None:
    """Wall time of the main steps per filter change, without a profiler."""
    spent: defaultdict[str, list[float]] = defaultdict(list)
    total: list[float] = []
    started: list[float] = []  # set while a timed change runs; warm-up changes are not counted
    patched = []
    for module_name, names in STEPS.items():
        module = importlib.import_module(module_name)
        for name in names:
            if hasattr(module, name):
                original = getattr(module, name)
                patched.append((module, name, original))
                setattr(module, name, _timer(original, f"{module_name.split('.')[-1]}.{name}", spent, started))
    try:
        changes = run(mode, repeat, lambda: started.append(time.perf_counter()),
                      lambda: total.append(time.perf_counter() - started.pop()))
    finally:
        for module, name, original in patched:
            setattr(module, name, original)
    print(f"  without profiler: {1000 * sum(total) / changes:.1f} ms per filter change (mean)")
    print(f"  {'ms':>8} {'calls':>6}  step (per filter change, inclusive of nested steps)")
    for label, seconds in sorted(spent.items(), key=lambda item: -sum(item[1])):
        print(f"  {1000 * sum(seconds) / changes:8.1f} {len(seconds) / changes:6.1f}  {label}")


def _timer(function, label: str, spent: dict, active: list):
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            if active:
                spent[label].append(time.perf_counter() - started)
    return timed


def profile(mode: str, repeat: int) -> cProfile.Profile:
    profiler = cProfile.Profile()
    run(mode, repeat, profiler.enable, profiler.disable)
    return profiler


def report(profiler: cProfile.Profile, changes: int, top: int) -> None:
    stats = pstats.Stats(profiler)
    rows = [(func, cc, tt, ct) for func, (cc, _nc, tt, ct, _callers) in stats.stats.items()]
    total = max(ct for *_, ct in rows)
    print(f"  per filter change: {1000 * total / changes:.1f} ms (profiled, so slower than the benchmark)")

    def line(func, calls, own, cumulative):
        filename, lineno, name = func
        where = Path(filename).relative_to(ROOT) if filename.startswith(str(ROOT)) else Path(filename).name
        return (f"  {1000 * cumulative / changes:8.1f} {1000 * own / changes:8.1f} {calls / changes:8.1f}  "
                f"{name} ({where}:{lineno})")

    header = f"  {'cum ms':>8} {'own ms':>8} {'calls':>8}  function (per filter change)"
    print("\n  project functions by cumulative time\n" + header)
    ours = sorted((r for r in rows if r[0][0].startswith(PROJECT)), key=lambda r: -r[3])
    for row in ours[:top]:
        print(line(*row))
    print("\n  all functions by own time\n" + header)
    for row in sorted(rows, key=lambda r: -r[2])[:top]:
        print(line(*row))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, default=RESULTS / "large.db")
    parser.add_argument("--tenant", default="t042")
    parser.add_argument("--mode", choices=("cold", "fresh", "warm"), action="append",
                        help="repeatable; default all three")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    app = build_app(args.database, args.tenant)
    with request_context(app):
        check_views(VIEWS)
        filter_change(WARM_UP_VIEW)
        for mode in args.mode or ["cold", "fresh", "warm"]:
            print(f"\n== {mode}: {args.database.name}, tenant {args.tenant}")
            split(mode, args.repeat)
            profiler = profile(mode, args.repeat)
            out = RESULTS / f"profile_{mode}.pstats"
            profiler.dump_stats(out)
            print(f"\n  cProfile (raw profile: {out})")
            report(profiler, args.repeat * len(VIEWS), args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
