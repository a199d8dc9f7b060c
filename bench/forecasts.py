"""Seconds to compute and backtest every forecast, and to find the values that stand out, for
one seed tenant (13 regions and the nation, every stored indicator), as the background job
does (data/insight.py). Baseline in the same run: building the tenant's wide panel from its
observations. Writes bench/results/forecasts.json.

    .venv/bin/python bench/forecasts.py [--tenant mep]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # as the job runs (gunicorn.conf.py)
    os.environ.setdefault(_name, "1")

from data import aggregate, anomalies, forecasts  # noqa: E402 (after the thread settings)
from data.catalog import catalog  # noqa: E402 (after the thread settings)
from data.seed import SEED_TENANTS, generate_observations  # noqa: E402 (after the thread settings)

RESULTS = Path(__file__).with_name("results")


def timed(func, *args):
    """The result, and the wall and CPU seconds of the call."""
    started, cpu = time.perf_counter(), time.process_time()
    result = func(*args)
    return result, (time.perf_counter() - started, time.process_time() - cpu)


def panel_of(observations):
    wide = aggregate.complete(aggregate.to_wide(observations, catalog()), catalog())
    wide.insert(3, "ordinal", wide["year"] * 4 + wide["quarter"] - 1)
    return wide


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenant", default=SEED_TENANTS[0].tenant_id)
    args = parser.parse_args()
    tenant = next(t for t in SEED_TENANTS if t.tenant_id == args.tenant)
    panel, panel_s = timed(panel_of, generate_observations(tenant))
    (points, skill), forecast_s = timed(forecasts.panel_forecasts, panel, catalog())
    found, anomaly_s = timed(anomalies.panel_anomalies, panel, catalog())
    result = {
        "tenant": tenant.tenant_id,
        "series_forecast": len(skill),
        "forecast_rows": len(points),
        "seasonal_naive_chosen": int((skill["model"] == forecasts.NAIVE).sum()),
        "held80_share": round(float(skill["held80"].sum() / skill["tested"].sum()), 3),
        "held95_share": round(float(skill["held95"].sum() / skill["tested"].sum()), 3),
        "forecast_and_backtest_s": round(forecast_s[0], 2),
        "forecast_and_backtest_cpu_s": round(forecast_s[1], 2),
        "anomalies_s": round(anomaly_s[0], 2),
        "anomalies_cpu_s": round(anomaly_s[1], 2),
        "anomalies_found": len(found),
        "baseline_panel_s": round(panel_s[0], 3),
        "ratio_to_baseline": round((forecast_s[0] + anomaly_s[0]) / panel_s[0], 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "forecasts.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
