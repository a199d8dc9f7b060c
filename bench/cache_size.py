"""Set and get cost of the shared cache as it fills: 100,000 entries in the hub's default
backend (diskcache), against the FileSystemCache it replaced (threshold 20,000, as configured
before) filled past its threshold in the same run.

Entries look like the hub's: pickled query results of about 2-20 kB under versioned keys.
Each window times `--sample` sets of new keys and as many gets of random stored keys, at
1,000, 10,000, 50,000 and 100,000 entries (the old backend: 100 of each at 1,000, 10,000,
19,000 and just past its threshold, 20,400: past it every set lists the whole folder, which is
why it is not filled further). Writes bench/results/cache_size.json.

    .venv/bin/python bench/cache_size.py [--entries 100000] [--sample 500] [--redis redis://127.0.0.1:6379/12]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import summary  # noqa: E402
from data.cache import KEY_PREFIX, Cache, DiskBackend  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def value(rng: random.Random, number: int) -> tuple:
    """A query result as the hub stores it: a one-tuple around a dict of numbers."""
    size = rng.choice((50, 200, 800, 2000))
    return ({"n": number, "values": [rng.random() for _ in range(size)]},)


def key(number: int) -> str:
    return f"{KEY_PREFIX}0123456789ab:view_rows:mep:v{number % 7}:{number:020d}"


def fill_and_time(cache: Cache, checkpoints: list[int], sample: int, seed: int = 12) -> list[dict]:
    rng = random.Random(seed)
    rows, stored = [], 0
    for checkpoint in checkpoints:
        while stored < checkpoint - sample:  # fill without timing up to the window
            cache.set(key(stored), value(rng, stored))
            stored += 1
        sets, gets, found = [], [], 0
        for _ in range(sample):
            started = time.perf_counter()
            cache.set(key(stored), value(rng, stored))
            sets.append((time.perf_counter() - started) * 1000)
            stored += 1
        for _ in range(sample):
            wanted = key(rng.randrange(stored))
            started = time.perf_counter()
            found += cache.get(wanted) is not None
            gets.append((time.perf_counter() - started) * 1000)
        rows.append({"entries": cache.entry_count() if cache.entry_count() is not None else stored,
                     "set_ms": summary(sets, 3), "get_ms": summary(gets, 3), "gets_found": found / sample,
                     "backend_errors_so_far": cache.stats().get("errors", 0)})
        print(f"  {rows[-1]['entries']:>7,} entries  set p50 {rows[-1]['set_ms']['p50']:7.3f} ms "
              f"p95 {rows[-1]['set_ms']['p95']:7.3f}   get p50 {rows[-1]['get_ms']['p50']:7.3f} ms "
              f"p95 {rows[-1]['get_ms']['p95']:7.3f}  found {found / sample:.0%}  "
              f"errors {rows[-1]['backend_errors_so_far']}", flush=True)
    return rows


def ratios(rows: list[dict]) -> dict:
    first, last = rows[0], rows[-1]
    return {"set_p50": round(last["set_ms"]["p50"] / first["set_ms"]["p50"], 2),
            "get_p50": round(last["get_ms"]["p50"] / first["get_ms"]["p50"], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--redis", help="also measure a Redis database (it is emptied first: use one of your own)")
    args = parser.parse_args(argv)
    checkpoints = sorted({1_000, 10_000, 50_000, args.entries})
    results = {"when": datetime.now().isoformat(timespec="seconds"), "load_average_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="cache-bench-") as folder:
        print(f"diskcache (the default), {args.entries:,} entries:")
        disk = Cache(DiskBackend(Path(folder) / "disk", 4 * 1024**3, 3600), "DiskCache")
        results["diskcache"] = fill_and_time(disk, checkpoints, args.sample)
        results["diskcache_ratio_last_to_first"] = ratios(results["diskcache"])
        print("FileSystemCache (threshold 20,000, the backend before), past its threshold:")
        from cachelib import FileSystemCache

        old = Cache(FileSystemCache(str(Path(folder) / "files"), threshold=20_000, default_timeout=3600))
        results["filesystemcache"] = fill_and_time(old, [1_000, 10_000, 19_000, 20_400], 100)
        results["filesystemcache_ratio_last_to_first"] = ratios(results["filesystemcache"])
    if args.redis:
        from settings import Settings

        print(f"Redis {args.redis}:")
        redis_cache = Cache.from_settings(Settings.from_env({"CACHE_REDIS_URL": args.redis}))
        redis_cache.clear()
        results["redis"] = fill_and_time(redis_cache, checkpoints, args.sample)
        results["redis_ratio_last_to_first"] = ratios(results["redis"])
        redis_cache.clear()
    results["load_average_after"] = os.getloadavg()
    print("ratios, last window / first:", {k: v for k, v in results.items() if k.endswith("_ratio_last_to_first")})
    print(f"load average before {results['load_average_before']}, after {results['load_average_after']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "cache_size.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
