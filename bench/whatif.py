"""What the tenant's own targets and weights cost (issue 14), on a freshly seeded SQLite file
with the disk cache, in one run:

- `tenant_catalog(tenant)` (the catalog with the tenant's settings, kept per process by the
  data version) against the plain `catalog()` it replaced, per call;
- a what-if answer (the selection's index under other weights and every region's index and
  rank, on the warm panel) against the official breakdown from the cache;
- the first panel after a weights change (every cached result of the tenant is recomputed)
  against a warm panel.

Writes bench/results/whatif.json.

    .venv/bin/python bench/whatif.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import summary  # noqa: E402
from data import database, queries, stewardship  # noqa: E402
from data.catalog import catalog  # noqa: E402
from data.engine import get_engine  # noqa: E402
from data.periods import Period  # noqa: E402
from data.proposals import index_comparison, proposed_breakdown  # noqa: E402
from data.runtime import runtime  # noqa: E402
from data.tenancy import Tenant  # noqa: E402
from settings import Settings  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
MEP = Tenant("mep")
PERIOD = Period(2025, 4)


def timed(action, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def other_weights() -> dict[str, float]:
    weights = dict(catalog().index_weights)
    first, second = list(weights)[:2]
    weights[first], weights[second] = round(weights[first] - 0.05, 10), round(weights[second] + 0.05, 10)
    return weights


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="whatif-bench-"))
    url = f"sqlite:///{folder / 'hub.db'}"
    database.seed(get_engine(url))
    runtime.init(Settings.from_env({"ANALYTICS_HUB_ENV": "test", "DATA_DIR": str(folder), "DATABASE_URL": url,
                                    "LOG_DIR": str(folder / "logs"), "CACHE_TYPE": "disk"}))
    weights = other_weights()
    queries.panel(MEP)
    queries.index_breakdown(MEP, PERIOD, ())
    results = {
        "catalog_ms": summary(timed(catalog, args.repeat * 10), 4),
        "tenant_catalog_ms": summary(timed(lambda: stewardship.tenant_catalog(MEP), args.repeat * 10), 4),
        "official_breakdown_cached_ms": summary(timed(lambda: queries.index_breakdown(MEP, PERIOD, ()), args.repeat)),
        "whatif_answer_ms": summary(timed(lambda: (proposed_breakdown(MEP, PERIOD, (), weights),
                                                   index_comparison(MEP, PERIOD, weights)), args.repeat)),
        "warm_panel_ms": summary(timed(lambda: queries.panel(MEP), args.repeat)),
    }
    cold = []
    for version in range(5):
        stewardship.save(runtime.engine, "mep", "weights", weights if version % 2 == 0 else catalog().index_weights,
                         "bench", "bench", datetime.now(UTC).date())
        cold += timed(lambda: queries.panel(MEP), 1)
    results["panel_after_a_change_ms"] = summary(cold)
    results["ratios"] = {
        "tenant_catalog_vs_catalog": round(results["tenant_catalog_ms"]["p50"] / results["catalog_ms"]["p50"], 1),
        "whatif_vs_cached_breakdown": round(results["whatif_answer_ms"]["p50"]
                                            / results["official_breakdown_cached_ms"]["p50"], 1),
        "panel_after_change_vs_warm": round(results["panel_after_a_change_ms"]["p50"]
                                            / results["warm_panel_ms"]["p50"], 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "whatif.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
