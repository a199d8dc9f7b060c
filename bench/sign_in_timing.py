"""Whether a sign-in's timing tells which names exist: unknown name, wrong password and
disabled account, timed against each other in the same run.

Builds the app with staging settings on a fresh seeded SQLite database in a temporary
folder, creates one active and one disabled account, then posts the sign-in form through
Flask's test client (form opened first, as a browser does) `--repeat` times for each case,
interleaved, each attempt from its own client address so that no throttle answers instead
of the password check. Prints median and p95 per case and each median as a ratio to the
unknown name's. Writes bench/results/sign_in_timing.json.

    .venv/bin/python bench/sign_in_timing.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app import create_app  # noqa: E402
from bench.measure import summary  # noqa: E402
from data import database  # noqa: E402
from data.engine import get_engine  # noqa: E402
from security import accounts  # noqa: E402
from tests.conftest import make_settings  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "the right password for timing"
CASES = {"unknown name": "nobody-here", "wrong password": "timed1", "disabled account": "timed2"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = make_settings(Path(folder), ANALYTICS_HUB_ENV="staging", SECRET_KEY="b" * 40,
                                 LOGIN_RATE_LIMIT="10000")
        settings.data_dir.mkdir(parents=True)
        engine = get_engine(settings.database_url)
        database.seed(engine)
        for name in ("timed1", "timed2"):
            accounts.create_user(engine, name, "mep", "analyst", PASSWORD)
        accounts.disable(engine, "timed2")
        app = create_app(settings)
        times: dict[str, list[float]] = {case: [] for case in CASES}
        for attempt in range(args.repeat + 2):  # the first two rounds warm up
            for number, (case, name) in enumerate(CASES.items()):
                client = app.server.test_client()
                client.environ_base["REMOTE_ADDR"] = f"10.{attempt // 250}.{attempt % 250}.{number + 1}"
                page = client.get("/login").get_data(as_text=True)
                token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
                started = time.perf_counter()
                status = client.post("/login", data={"username": name, "password": "not it", "csrf_token": token}
                                     ).status_code
                elapsed = (time.perf_counter() - started) * 1000
                assert status == 401, (case, status)
                if attempt >= 2:
                    times[case].append(elapsed)
    rows = {case: summary(ms) for case, ms in times.items()}
    baseline = rows["unknown name"]["p50"]
    print(f"{'case':18} {'p50 ms':>8} {'p95 ms':>8} {'p50 / unknown':>14}")
    for case, row in rows.items():
        row["ratio_to_unknown"] = round(row["p50"] / baseline, 2)
        print(f"{case:18} {row['p50']:8.1f} {row['p95']:8.1f} {row['ratio_to_unknown']:14.2f}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sign_in_timing.json").write_text(json.dumps({
        "measured_at": datetime.now().isoformat(timespec="seconds"), "load_average": os.getloadavg(),
        "repeat": args.repeat, "cases": rows}, indent=2))


if __name__ == "__main__":
    main()
