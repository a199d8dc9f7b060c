"""Validating and importing a 100,000-row long-form file end to end on SQLite: read, check
(pandera), compare with what is stored, import in one transaction. Rows per second for the
check and for the import separately, against pandas' plain read_csv of the same file in the
same run (the floor any check stands on). Writes bench/results/intake.json.

The file: every stored indicator for the 13 regions, quarter after quarter back from 2025Q4,
100,000 rows; on the seeded database its 2015-2025 rows change stored values (about 11,000)
and the rest are new.

    .venv/bin/python bench/intake.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from data import database  # noqa: E402
from data.catalog import catalog  # noqa: E402
from data.engine import get_engine  # noqa: E402
from data.intake import store  # noqa: E402
from data.intake.checks import check_table  # noqa: E402
from data.intake.reading import read_table  # noqa: E402
from data.periods import Period  # noqa: E402
from data.regions import REGION_CODES  # noqa: E402
from data.runtime import runtime  # noqa: E402
from services import intake  # noqa: E402
from settings import Settings  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def long_file(rows: int) -> bytes:
    """`rows` plausible long-form rows, newest quarter first, as CSV bytes with a BOM."""
    lines, period = ["indicator_id,region,year,quarter,value"], Period(2025, 4)
    while len(lines) <= rows:
        for indicator in catalog().indicators:
            if indicator.is_derived:
                continue
            low, high = indicator.range
            for n, code in enumerate(REGION_CODES):
                lines.append(f"{indicator.id},{code},{period.year},{period.quarter},"
                             f"{low + (high - low) * (0.3 + 0.02 * n + 0.001 * (period.ordinal % 50)):.4f}")
        period = period.previous
    return ("\ufeff" + "\r\n".join(lines[:rows + 1]) + "\r\n").encode()


def timed(func):
    start = time.perf_counter()
    value = func()
    return value, time.perf_counter() - start


def run_once(content: bytes, workdir: Path) -> dict:
    url = f"sqlite:///{workdir / f'bench-{time.monotonic_ns()}.db'}"
    engine = get_engine(url)
    database.seed(engine)
    runtime.init(Settings.from_env({"DATABASE_URL": url, "DATA_DIR": str(workdir), "CACHE_TYPE": "null"}))
    _, baseline = timed(lambda: pd.read_csv(io.BytesIO(content)))
    table, read = timed(lambda: read_table("bench.csv", content))
    history, history_s = timed(lambda: store.history(engine, "mep"))
    checked, check = timed(lambda: check_table(table, "mep", history))
    assert not checked.errors, checked.errors[:3]
    _, compare = timed(lambda: store.preview(engine, "mep", checked.rows))
    upload = store.Upload("mep", "bench", "bench.csv", "0" * 64, "bench", "")
    imported, write = timed(lambda: store.import_rows(engine, upload, checked.rows))
    store.rollback_latest(engine, "mep")
    sender = intake.Sender("mep", "bench", None, "api")
    outcome, end_to_end = timed(lambda: intake.receive(sender, "bench.csv", content, "bench", ""))
    assert outcome.status == "imported"
    rows = len(checked.rows)
    validation = read + history_s + check
    return {"rows": rows, "counts": imported.counts, "read_csv_baseline_s": baseline, "read_s": read,
            "history_s": history_s, "check_s": check, "validation_s": validation, "compare_s": compare,
            "import_s": write, "end_to_end_s": end_to_end, "warnings": len(checked.warnings),
            "validation_rows_per_s": rows / validation, "import_rows_per_s": rows / write,
            "validation_vs_read_csv": validation / baseline}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    content = long_file(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        runs = [run_once(content, Path(tmp)) for _ in range(args.repeat)]
    best = {key: min(run[key] for run in runs) for key in runs[0] if key.endswith("_s") and "per_s" not in key}
    result = {"when": datetime.now().isoformat(timespec="seconds"), "rows": runs[0]["rows"],
              "file_mb": round(len(content) / 1e6, 2), "counts": runs[0]["counts"], "best": best,
              "validation_rows_per_s": runs[0]["rows"] / best["validation_s"],
              "import_rows_per_s": runs[0]["rows"] / best["import_s"],
              "validation_vs_read_csv": best["validation_s"] / best["read_csv_baseline_s"],
              "goal_end_to_end_s": 5.0, "runs": runs}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "intake.json").write_text(json.dumps(result, indent=2, default=str))
    print(f"{result['rows']:,} rows ({result['file_mb']} MB): {result['counts']}")
    for key, seconds in best.items():
        print(f"  {key:<22} {seconds:7.3f} s")
    print(f"  validation {result['validation_rows_per_s']:,.0f} rows/s "
          f"({result['validation_vs_read_csv']:.1f}x pandas read_csv), "
          f"import {result['import_rows_per_s']:,.0f} rows/s")


if __name__ == "__main__":
    main()
