"""Dashboard filter changes while 100,000-row imports run: the server cost of a filter change
(cold cache, as right after an import) with no import running, then while another process
imports and rolls back bench/intake.py's file for one tenant again and again, on the same
SQLite database (WAL: readers never wait for the writer). Both tenants are measured: `mep`,
whose data the imports change, and `rda`, whose data they do not. Ratios are during / quiet
in the same run. Writes bench/results/intake_during.json.

    .venv/bin/python bench/intake_during.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.intake import long_file  # noqa: E402
from bench.measure import summary  # noqa: E402
from bench.server_filter_change import VIEWS, build_app, filter_change, request_context, seed_database  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def write_forever(database: Path) -> None:
    """The writer process: import and roll back the 100,000-row file for mep until killed."""
    from data.engine import get_engine
    from data.intake import store
    from data.intake.checks import check_table
    from data.intake.reading import read_table

    engine = get_engine(f"sqlite:///{database}")
    rows = check_table(read_table("bench.csv", long_file(100_000)), "mep").rows
    upload = store.Upload("mep", "bench", "bench.csv", "0" * 64, "bench", "")
    while True:
        store.import_rows(engine, upload, rows)
        store.rollback_latest(engine, "mep")


def changes(apps: dict, repeat: int) -> dict[str, list[float]]:
    """Milliseconds per filter change for each tenant, every view, cache emptied before each."""
    timings = {tenant: [] for tenant in apps}
    for _ in range(repeat):
        for view in VIEWS:
            for tenant, app in apps.items():
                with request_context(app):
                    app.server.extensions["hub_runtime"].cache.clear()
                    _, _, callback_ms, json_ms = filter_change(view)
                timings[tenant].append(callback_ms + json_ms)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--writer", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        write_forever(args.writer)
        return
    database = seed_database(Path(tempfile.mkdtemp(prefix="bench-intake-")))
    apps = {tenant: build_app(database, tenant) for tenant in ("mep", "rda")}
    changes(apps, 1)  # warm the code paths
    quiet = changes(apps, args.repeat)
    writer = subprocess.Popen([sys.executable, __file__, "--writer", str(database)], cwd=ROOT)
    try:
        time.sleep(3)  # the writer has read and checked its file and is importing
        during = changes(apps, args.repeat)
    finally:
        writer.terminate()
        writer.wait(timeout=30)
    result = {"when": datetime.now().isoformat(timespec="seconds"), "views": len(VIEWS), "repeat": args.repeat}
    for tenant in apps:
        q, d = summary(quiet[tenant], 1), summary(during[tenant], 1)
        result[tenant] = {"quiet_ms": q, "during_ms": d, "p95_ratio": round(d["p95"] / q["p95"], 2)}
        print(f"{tenant}: filter change (cold) p50/p95 quiet {q['p50']}/{q['p95']} ms, "
              f"during imports {d['p50']}/{d['p95']} ms (p95 x{result[tenant]['p95_ratio']})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "intake_during.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
