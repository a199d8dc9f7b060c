"""Server cost of the trend overlay (callbacks/insight_overlay.py): the values that stand out
marked on the trend by the dashboard's own callback, and the forecast toggle's callback
redrawing the trend with and without the forecasts. Warm (every query a cache hit), on the 1M database (tenant
t042) with the tenant's forecasts computed first as the background job does. Baseline in the
same run: the dashboard's own callback for the same views (bench/server_filter_change.py's
`filter_change`). Writes bench/results/trend_overlay.json.

    .venv/bin/python bench/trend_overlay.py [--large bench/results/large.db] [--tenant t042] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from contextvars import copy_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
from bench.server_filter_change import VIEWS, build_app, filter_change, request_context  # noqa: E402

RESULTS = Path(__file__).with_name("results")


def p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[-1], 2)


def overlay(search: str, toggle: list[str]) -> float:
    """One call of the forecast toggle's callback with its JSON, in ms."""
    from dash._utils import to_json

    from callbacks.insight_overlay import on_toggle

    started = time.perf_counter()
    to_json(copy_context().run(on_toggle, toggle, search, "/"))
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", type=Path, default=RESULTS / "large.db")
    parser.add_argument("--tenant", default="t042")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    app = build_app(args.large, args.tenant)
    with request_context(app):
        from data import insight
        from data.tenancy import current_tenant

        computed = insight.compute(current_tenant())
        times = {"dashboard": [], "overlay_off": [], "overlay_on": []}
        for view in VIEWS:  # warm up: every query cached
            filter_change(view), overlay(view, []), overlay(view, ["show"])
        for _ in range(args.repeat):
            for view in VIEWS:
                times["dashboard"].append(sum(filter_change(view)[2:]))
                times["overlay_off"].append(overlay(view, []))
                times["overlay_on"].append(overlay(view, ["show"]))
    result = {"database": str(args.large), "tenant": args.tenant, "insight_seconds": round(computed.seconds, 1),
              **{f"{name}_warm_p95_ms": p95(values) for name, values in times.items()},
              **{f"{name}_warm_p50_ms": round(statistics.median(values), 2) for name, values in times.items()},
              "load_average_1min": round(os.getloadavg()[0], 2)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "trend_overlay.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
