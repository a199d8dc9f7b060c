"""PNG downloads with the rendered-bytes cache: the first download of a figure against bare
kaleido, a repeated one, and worker memory without and with PNG exports.

Starts the real app under gunicorn (2 workers, fresh seed database), then:

  memory before   each worker's VmRSS / VmHWM after dashboard and CSV requests, no PNG yet
  first           the first GET of each chart (trend, regions, map) in each of VIEWS at
                  1200 x 675, scale 2, after every worker has a warm Chromium (a cache miss:
                  the figure is built and rendered)
  repeat          the same URLs again, `--repeat` times each (cache hits)
  bare kaleido    in this process, the same stamped figures rendered by plotly's to_image with
                  a warm kaleido of its own: what a render costs without the app around it
  memory after    the workers again, and the Chromium processes below them (each worker that
                  rendered has its own)

Baseline in the same run: GET /healthz.

    .venv/bin/python bench/png_cache.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.export_latency import (  # noqa: E402
    VIEWS,
    checked,
    descendants,
    healthz,
    is_chromium,
    warm_every_renderer,
)
from bench.measure import memory_mb, process_mb, summary  # noqa: E402
from tests.conftest import start_server, stop_server  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
CHARTS = ("trend", "regions", "map")
SIZE = "&width=1200&height=675&scale=2"


def workers(master: int) -> list[dict]:
    found = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [{"pid": int(pid), **memory_mb(pid),
             "chromium_rss_mb": round(sum(process_mb(d) for d in descendants(int(pid)) if is_chromium(d)), 1)}
            for pid in found]


def timed_pngs(url: str, repeat: int) -> tuple[list[float], list[float]]:
    first, again = [], []
    for view in VIEWS:
        for chart in CHARTS:
            path = f"{url}/export/{chart}.png{view}{SIZE}"
            first.append(checked(path, "png")[0])
            again += [checked(path, "png")[0] for _ in range(repeat)]
    return first, again


def bare_kaleido(database_url: str) -> list[float]:
    """The same figures rendered by kaleido alone, in this process."""
    import kaleido
    import plotly.io as pio

    from app import create_app
    from exports.routes import export_request, subtitle
    from layouts.figures import stamp_for_export
    from services.charts import chart
    from tests.conftest import make_settings, request_as_app

    app = create_app(make_settings(Path(tempfile.mkdtemp(prefix="bench-png-")), DATABASE_URL=database_url))
    kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
    times = []
    try:
        for view_query in VIEWS:
            with request_as_app(app, "/export/x.png" + view_query):
                tenant, view, _, lang = export_request()
                figures = [stamp_for_export(chart(name, tenant, view, "status", lang), subtitle(name, view, lang),
                                            "bench", synthetic=True, lang=lang) for name in CHARTS]
            pio.to_image(figures[0], format="png", width=1200, height=675, scale=2)  # warm
            for figure in figures:
                started = time.perf_counter()
                pio.to_image(figure, format="png", width=1200, height=675, scale=2)
                times.append((time.perf_counter() - started) * 1000)
    finally:
        kaleido.stop_sync_server(silence_warnings=True)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", type=Path, default=RESULTS / "png_cache.json")
    args = parser.parse_args(argv)
    load = [os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="bench-png-") as folder:
        process, url = start_server(Path(folder), EXPORT_RATE_LIMIT="10000")
        try:
            for view in VIEWS:
                checked(url + "/export/data.csv" + view, "csv")
            base = healthz(url)
            before = workers(process.pid)
            warm_every_renderer(url, process.pid, len(before))
            first, again = timed_pngs(url, args.repeat)
            after = workers(process.pid)
        finally:
            stop_server(process)
        bare = bare_kaleido(f"sqlite:///{Path(folder) / 'var' / 'analytics_hub.db'}")
    load.append(os.getloadavg())
    results = {"measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
               "load_average_start_end": load, "size": SIZE,
               "first_download_ms": summary(first), "repeat_download_ms": summary(again),
               "bare_kaleido_ms": summary(bare), "healthz_ms": summary(base),
               "first_to_bare_kaleido_p50": round(statistics.median(first) / statistics.median(bare), 2),
               "workers_before_png_mb": before, "workers_after_png_mb": after}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    for name in ("first_download_ms", "repeat_download_ms", "bare_kaleido_ms", "healthz_ms"):
        s = results[name]
        print(f"{name:22} n={s['n']:3d} p50 {s['p50']:8.1f}  p95 {s['p95']:8.1f}  max {s['max']:8.1f}")
    print(f"first / bare kaleido (p50): {results['first_to_bare_kaleido_p50']}")
    for label, found in (("before PNG", before), ("after PNG", after)):
        print(f"workers {label}: " + ", ".join(f"RSS {w['VmRSS']} MB (peak {w['VmHWM']} MB), its Chromium "
                                               f"{w['chromium_rss_mb']} MB" for w in found))
    print(f"load average at the start and the end: {[[round(x, 1) for x in la] for la in load]}")
    print(f"written {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
