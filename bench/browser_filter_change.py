"""What a user waits for in the browser: opening the dashboard and changing a filter.

Starts the real app under gunicorn (2 workers, fresh seed database, free loopback port) and
drives Debian Chromium with Playwright. Every time is taken inside the page with
performance.now():

  open     navigation start -> #index-value shown and the three charts (#trend-chart,
           #regions-chart, #map-chart) drawn (a trace in each plot) and the next frame
           painted; a fresh browser context (empty browser cache) each time
  change   the click on a dropdown option (or on "Clear regions") -> every chart the callback
           response updates has been redrawn (plotly_afterplot / plotly_react) and the next
           frame painted, the URL shows the new view and Dash is no longer loading; split into
           click -> request sent, the server (request -> first byte), the response received,
           and the work in the page after it

Baseline for ratios: fetch('/healthz') from the same page. The first visit of a view is
counted apart from repeats (the server's cache then holds that view).

    .venv/bin/python bench/browser_filter_change.py [--opens 10] [--changes 40]
        [--database bench/results/large.db --tenant t042]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import chrome_trace  # noqa: E402
from bench.measure import memory_mb, summary  # noqa: E402
from tests.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    start_server,
    stop_server,
    wait_until_serving,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CHARTS = ("trend-chart", "regions-chart", "map-chart")
# bypass_csp: the app's Content-Security-Policy forbids eval, which Playwright's wait_for_function
# uses for its predicates; it changes nothing in the page's own work.
CONTEXT = {"viewport": {"width": 1400, "height": 1000}, "bypass_csp": True}

# (kind, dropdown id or "clear", option label, what the URL must then contain or, with "!",
# must not). One cycle holds every kind twice and each step changes the view.
CHANGES = [
    ("region", "filter-regions", "Riyadh", "regions=SA-01"),
    ("regions cleared", "clear", None, "!regions="),
    ("period", "filter-period", "2024Q2", "period=2024Q2"),
    ("pillar", "filter-pillar", "Labour", "pillar=labour"),
    ("indicator", "filter-indicator", "Green jobs", "indicator=green_jobs"),
    ("region", "filter-regions", "Riyadh", "regions=SA-01"),
    ("regions cleared", "clear", None, "!regions="),
    ("period", "filter-period", "2025Q3", "period=2025Q3"),
    ("pillar", "filter-pillar", "Economic", "pillar=economic"),
    ("indicator", "filter-indicator", "Foreign direct investment", "indicator=foreign_investment"),
]
KINDS = tuple(dict.fromkeys(kind for kind, *_ in CHANGES))
# Chrome's "Fast 3G"-like remote link of the issue: 10 Mbit/s both ways, 40 ms round trip.
REMOTE_LINK = {"offline": False, "latency": 40, "downloadThroughput": 10e6 / 8, "uploadThroughput": 10e6 / 8}
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute",
                    "disabled-by-default-v8.cpu_profiler"]

# Installed in every page before its own scripts. Records (1) when the dashboard is first
# complete and painted, (2) for a change: the click on an option, the charts each callback
# response updates (from the response body), each chart's redraw and the frame painted after it.
INIT_SCRIPT = """
(() => {
  const charts = CHARTS_JSON;
  const painted = (record) => requestAnimationFrame(() => setTimeout(() => record(performance.now()), 0));
  const complete = () => {
    const value = document.getElementById('index-value');
    return value && value.textContent.trim() !== '' && charts.every(id => {
      const chart = document.getElementById(id);
      return chart && chart.querySelector('.main-svg .cartesianlayer .trace');
    });
  };
  const observer = new MutationObserver(() => {
    if (window.__readyAt === undefined && complete()) {
      window.__readyAt = performance.now();
      observer.disconnect();
      painted(now => { window.__readyPaintedAt = now; });
    }
  });
  observer.observe(document, {childList: true, subtree: true, characterData: true});

  window.__bench = {armed: false};
  document.addEventListener('click', (event) => {
    const b = window.__bench;
    if (b.armed && b.clickAt === null && event.target.closest('[role="option"], #clear-regions')) {
      b.clickAt = performance.now();
    }
  }, true);
  const originalFetch = window.fetch;
  window.fetch = async (...args) => {
    const response = await originalFetch(...args);
    const url = String((args[0] && args[0].url) || args[0]);
    if (url.includes('_dash-update-component')) {
      const b = window.__bench, at = performance.now();
      response.clone().text().then(text => {  // components sent: each one is mounted anew
        const body = JSON.parse(text);
        (b.responses || []).push({at, ids: Object.keys(body.response || {}),
                                  components: text.split('"namespace":').length - 1});
      }).catch(() => {});
    }
    return response;
  };
  window.__benchArm = () => {
    performance.clearResourceTimings();  // the buffer holds 250 entries: a long run would fill it
    const b = window.__bench = {armed: true, clickAt: null, responses: [], renders: {}, paints: {}};
    for (const id of charts) {
      const gd = document.getElementById(id).querySelector('.js-plotly-plot');
      if (gd && gd.on && !gd.__benchListening) {
        gd.__benchListening = true;
        const seen = () => {
          const b = window.__bench;
          if (!b.armed || b.clickAt === null) return;
          b.renders[id] = performance.now();
          painted(now => { b.paints[id] = now; });
        };
        gd.on('plotly_afterplot', seen);
        gd.on('plotly_react', seen);
      }
    }
  };
})();
""".replace("CHARTS_JSON", json.dumps(list(CHARTS)))

# Polled after the click: the result once the change is complete, else false. Complete means
# a callback response arrived, the URL shows the new view, Dash is not loading, and every chart
# that response updates has been redrawn and painted.
DONE_SCRIPT = """
([charts, fragment]) => {
  const b = window.__bench;
  if (b.clickAt === null || !b.responses.length) return false;
  const url = location.search;
  const urlOk = fragment.startsWith('!') ? !url.includes(fragment.slice(1)) : url.includes(fragment);
  if (!urlOk || document.querySelector('[data-dash-is-loading="true"]')) return false;
  const updated = charts.filter(id => b.responses.some(r => r.ids.includes(id)));
  if (!updated.every(id => b.paints[id] !== undefined)) return false;
  const entries = performance.getEntriesByType('resource')
    .filter(e => e.name.includes('_dash-update-component') && e.startTime >= b.clickAt - 1);
  const last = entries.reduce((a, e) => (a === null || e.responseEnd > a.responseEnd ? e : a), null);
  const since = t => t - b.clickAt;
  const end = updated.length ? Math.max(...updated.map(id => b.paints[id])) : last.responseEnd;
  return {total: since(end), updated_charts: updated,
          charts_redrawn: updated.length ? since(Math.max(...updated.map(id => b.renders[id]))) : null,
          request_sent: last && since(entries[0].startTime), server: last && last.responseStart - last.requestStart,
          response: last && since(last.responseEnd), kb: last && last.decodedBodySize / 1024,
          requests: entries.length, url: url,
          components: b.responses.reduce((sum, r) => sum + r.components, 0)};
}
"""


def worker_memory(master_pid: int) -> list[dict]:
    """VmRSS and VmHWM (peak) in MB of each gunicorn worker, children of the master process."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [{"pid": int(pid), **memory_mb(pid)} for pid in children]


OPEN_SCRIPT = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource').filter(e => e.startTime <= window.__readyAt);
    const loaded = (part) => {  // when the first resource whose URL contains `part` arrived
        const entry = resources.find(e => e.name.includes(part));
        return entry ? entry.responseEnd : null;
    };
    return {ready: window.__readyPaintedAt, complete_in_dom: window.__readyAt, html: nav.responseEnd,
            dom_content_loaded: nav.domContentLoadedEventEnd, layout: loaded('_dash-layout'),
            page_callback: loaded('_dash-update-component'), plotly_js: loaded('plotly'),
            requests: resources.length + 1,
            kb: (nav.transferSize + resources.reduce((sum, e) => sum + e.transferSize, 0)) / 1024,
            decoded_kb: (nav.decodedBodySize + resources.reduce((sum, e) => sum + e.decodedBodySize, 0)) / 1024,
            other_hosts: resources.filter(e => !e.name.startsWith(location.origin)).map(e => e.name)};
}"""


def open_page(browser, url: str, link: dict | None = None):
    """A fresh context (empty cache) with the dashboard open and ready, over `link` if given."""
    context = browser.new_context(**CONTEXT)
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    if link:
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.emulateNetworkConditions", link)
    page.goto(url + "/", wait_until="commit")
    page.wait_for_function("window.__readyPaintedAt !== undefined", timeout=60_000)
    return context, page


def measure_opens(browser, url: str, count: int, link: dict | None = None) -> list[dict]:
    opens = []
    for _ in range(count):
        context, page = open_page(browser, url, link)
        opens.append(page.evaluate(OPEN_SCRIPT))
        context.close()
    return opens


def choose(page, control: str, option: str | None) -> None:
    if control == "clear":
        page.locator("#clear-regions").click()
        return
    page.locator(f"#{control}").click()
    page.get_by_role("option", name=option, exact=True).click()
    if page.get_by_role("listbox").count():
        page.keyboard.press("Escape")


def change_once(page, step: tuple) -> dict:
    kind, control, option, fragment = step
    page.evaluate("window.__benchArm()")
    choose(page, control, option)
    handle = page.wait_for_function(DONE_SCRIPT, arg=[list(CHARTS), fragment], timeout=30_000)
    result = handle.json_value()
    result.update(kind=kind, option=option)
    page.wait_for_timeout(150)  # let the page settle before the next click
    return result


def measure_changes(page, count: int) -> list[dict]:
    changes, seen = [], {page.evaluate("location.search")}
    for number in range(count):
        result = change_once(page, CHANGES[number % len(CHANGES)])
        result["first_visit"] = result["url"] not in seen
        seen.add(result["url"])
        changes.append(result)
    return changes


def trace_changes(browser, page, cycles: int) -> dict:
    """A performance trace of each change (of `cycles` rounds of CHANGES): main-thread time per
    kind of work and per script, averaged per kind of change."""
    traced: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    for number in range(cycles * len(CHANGES)):
        step = CHANGES[number % len(CHANGES)]
        browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
        change_once(page, step)
        traced[step[0]].append(chrome_trace.summarise(browser.stop_tracing()))
    return {kind: chrome_trace.mean_summary(summaries) for kind, summaries in traced.items()}


def trace_opens(browser, url: str, count: int) -> dict:
    """A performance trace of each of `count` cold opens: main-thread time per kind of work and
    per script, averaged."""
    summaries = []
    for _ in range(count):
        browser.start_tracing(categories=TRACE_CATEGORIES)
        context, _page = open_page(browser, url)
        summaries.append(chrome_trace.summarise(browser.stop_tracing()))
        context.close()
    return chrome_trace.mean_summary(summaries)


def measure_fetch_baseline(page, count: int = 30) -> list[float]:
    return page.evaluate("""async (count) => {
        const times = [];
        for (let i = 0; i < count; i++) {
            const started = performance.now();
            await (await fetch('/healthz', {cache: 'no-store'})).text();
            times.push(performance.now() - started);
        }
        return times;
    }""", count)


def server_durations(log_dir: Path) -> dict:
    """Milliseconds the workers spent on each Dash callback request, from LOG_DIR/access.log."""
    durations: dict[str, list[float]] = {}
    path = log_dir / "access.log"
    for line in path.read_text().splitlines() if path.exists() else []:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("path", "").endswith("_dash-update-component") and "duration_ms" in entry:
            durations.setdefault(str(entry.get("callback") or "callback"), []).append(entry["duration_ms"])
    return {name: summary(values) for name, values in durations.items()}


def launch(root: Path, folder: Path, env: dict) -> tuple[subprocess.Popen, str]:
    """gunicorn serving the checkout at `root` (with its own .venv when it has one)."""
    if root == ROOT:
        return start_server(folder, **env)
    python = root / ".venv" / "bin" / "python"
    port = free_port()
    environ = {**os.environ, "ANALYTICS_HUB_ENV": "test", "DATA_DIR": str(folder / "var"),
               "LOG_DIR": str(folder / "logs"), "PORT": str(port), "HOST": "127.0.0.1", "WORKERS": "2", **env}
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "gunicorn.out", "w") as log:
        process = subprocess.Popen([str(python if python.exists() else sys.executable), "-m", "gunicorn",
                                    "-c", "gunicorn.conf.py", "app:server"], cwd=root, env=environ,
                                   stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(process, url, folder)
    return process, url


def measure_app(browser, url: str, args) -> dict:
    """Every browser figure of one running app."""
    opens = measure_opens(browser, url, args.opens)
    remote = measure_opens(browser, url, args.remote_opens, REMOTE_LINK)
    context, page = open_page(browser, url)
    baseline = measure_fetch_baseline(page)
    cycles = math.ceil(args.changes_per_kind * len(KINDS) / len(CHANGES))  # whole cycles: each step a change
    changes = measure_changes(page, cycles * len(CHANGES))
    traces = trace_changes(browser, page, args.trace_cycles) if args.trace_cycles else {}
    context.close()
    if args.trace_opens:
        traces["open"] = trace_opens(browser, url, args.trace_opens)
    return {"opens": opens, "remote": remote, "fetch": baseline, "changes": changes, "traces": traces}


def run_app(root: Path, browser, args, env: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as folder:
        process, url = launch(root, Path(folder), env)
        try:
            raw = measure_app(browser, url, args)
            raw["workers"] = worker_memory(process.pid)
        except Exception:
            print("the server's output ends with:\n" + (Path(folder) / "gunicorn.out").read_text()[-3000:])
            raise
        finally:
            stop_server(process)
        raw["server"] = server_durations(Path(folder) / "logs")
    return results_of(raw, root)


def results_of(raw: dict, root: Path) -> dict:
    opens, changes, remote = raw["opens"], raw["changes"], raw["remote"]
    fetch_p50 = statistics.median(raw["fetch"])
    answered = [c for c in changes if c["response"] is not None]
    ready = summary([o["ready"] for o in opens])
    return {
        "code": str(root), "commit": _commit(root),
        "open": {"ready_first": round(opens[0]["ready"], 1), "ready_ms": ready,
                 "ready_after_first_ms": summary([o["ready"] for o in opens[1:]]),
                 "html_ms": summary([o["html"] for o in opens]),
                 "dom_content_loaded_ms": summary([o["dom_content_loaded"] for o in opens]),
                 **{f"{part}_received_ms": summary([o[part] for o in opens if o[part] is not None])
                    for part in ("layout", "page_callback", "plotly_js")},
                 "kb": summary([o["kb"] for o in opens]), "decoded_kb": summary([o["decoded_kb"] for o in opens]),
                 "requests": summary([o["requests"] for o in opens]),
                 "other_hosts": sorted({h for o in opens for h in o["other_hosts"]}), "samples": opens},
        "remote_open": {"link": REMOTE_LINK, "ready_ms": summary([o["ready"] for o in remote]), "samples": remote},
        "change": {"total_ms": summary([c["total"] for c in changes]),
                   "by_kind_ms": {kind: summary([c["total"] for c in changes if c["kind"] == kind]) for kind in KINDS},
                   "response_kb_by_kind": {kind: summary([c["kb"] for c in answered if c["kind"] == kind])
                                           for kind in KINDS},
                   "components_by_kind": {kind: summary([c["components"] for c in changes if c["kind"] == kind])
                                          for kind in KINDS},
                   "charts_by_kind": {kind: sorted({tuple(c["updated_charts"]) for c in changes if c["kind"] == kind})
                                      for kind in KINDS},
                   "server_ttfb_ms": summary([c["server"] for c in answered]),
                   "response_ms": summary([c["response"] for c in answered]),
                   "render_after_response_ms": summary([c["total"] - c["response"] for c in answered]),
                   "first_visit_ms": summary([c["total"] for c in changes if c["first_visit"]]),
                   "repeat_visit_ms": summary([c["total"] for c in changes if not c["first_visit"]]),
                   "samples": changes},
        "main_thread_per_change": raw["traces"],
        "server_callback_ms": raw["server"],
        "worker_memory_mb": raw["workers"],
        "baseline": {"fetch_healthz_ms": summary(raw["fetch"])},
        "ratios": {"change_p95_to_fetch_healthz_p50": round(_p95([c["total"] for c in changes]) / fetch_p50, 1),
                   "open_p95_to_fetch_healthz_p50": round(ready["p95"] / fetch_p50, 1)},
    }


def _p95(values: list[float]) -> float:
    return summary(values)["p95"]


def _commit(root: Path) -> str:
    found = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return found.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opens", type=int, default=10, help="dashboard opens, each in a fresh context")
    parser.add_argument("--remote-opens", type=int, default=5, help="opens over the emulated remote link")
    parser.add_argument("--changes-per-kind", type=int, default=40, help="changes of each kind (KINDS)")
    parser.add_argument("--trace-cycles", type=int, default=2, help="rounds of CHANGES traced (0: none)")
    parser.add_argument("--trace-opens", type=int, default=0, help="cold opens traced (0: none)")
    parser.add_argument("--baseline", type=Path, help="another checkout (e.g. main) measured in the same run")
    parser.add_argument("--database", type=Path, help="an existing SQLite file instead of fresh seed data")
    parser.add_argument("--tenant", default=None, help="DEFAULT_TENANT (with --database)")
    parser.add_argument("--output", type=Path, default=RESULTS / "browser.json")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    env = {}
    if args.database:
        env["DATABASE_URL"] = f"sqlite:///{args.database.resolve()}"
    if args.tenant:
        env["DEFAULT_TENANT"] = args.tenant
    roots = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    load = [os.getloadavg()]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        apps = {name: run_app(root, browser, args, env) for name, root in roots.items()}
        browser.close()
    load.append(os.getloadavg())
    results = {"measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
               "load_average_start_end": load, "database": str(args.database or "fresh seed data"),
               "tenant": args.tenant or "mep", **apps}
    if "baseline" in apps:
        results["this_to_baseline"] = compare(apps["this"], apps["baseline"])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    for name, app in apps.items():
        print_report(name, app)
    print(f"\nload average at the start and the end: {[[round(x, 1) for x in la] for la in load]}")
    if "this_to_baseline" in results:
        print("this / baseline (p50 and p95):", json.dumps(results["this_to_baseline"]))
    print(f"\nwritten {args.output}")
    return 0


def compare(this: dict, baseline: dict) -> dict:
    """Ratios of this app's figures to the baseline's, measured in the same run."""
    def ratio(a: dict, b: dict) -> list:
        return [round(a[k] / b[k], 2) if b.get(k) else None for k in ("p50", "p95")]

    pairs = {"open_ready": ("open", "ready_ms"), "open_kb": ("open", "kb"), "remote_ready": ("remote_open", "ready_ms")}
    result = {name: ratio(this[a][b], baseline[a][b]) for name, (a, b) in pairs.items()}
    for kind in KINDS:
        result[f"change {kind}"] = ratio(this["change"]["by_kind_ms"][kind], baseline["change"]["by_kind_ms"][kind])
    return result


def print_report(name: str, results: dict) -> None:
    def row(label: str, s: dict) -> str:
        if not s.get("n"):
            return f"{label:40} (none)"
        return f"{label:40} {s['n']:4d} {s['p50']:8.1f} {s['p95']:8.1f} {s['max']:8.1f}"

    print(f"\n{name + ': ' + results['code'] + ' ' + results['commit']:40} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'max ms':>8}")
    o, c = results["open"], results["change"]
    for label, key in (("HTML received", "html_ms"), ("DOMContentLoaded", "dom_content_loaded_ms"),
                       ("/_dash-layout received", "layout_received_ms"),
                       ("page callback response received", "page_callback_received_ms"),
                       ("plotly.js received", "plotly_js_received_ms"), ("dashboard ready (painted)", "ready_ms")):
        print(row(f"open: {label}", o[key]))
    print(row("open over 10 Mbit/s, 40 ms RTT: ready", results["remote_open"]["ready_ms"]))
    print(f"open: {o['kb']['p50']:.0f} kB transferred ({o['decoded_kb']['p50']:.0f} kB decoded) in "
          f"{o['requests']['p50']:.0f} requests; other hosts: {o['other_hosts'] or 'none'}")
    for kind, s in c["by_kind_ms"].items():
        print(row(f"change: {kind}", s) + f"  {c['response_kb_by_kind'][kind].get('p50')} kB, "
              f"{c['components_by_kind'][kind].get('p50')} components")
    for label, key in (("change: server (request -> 1st byte)", "server_ttfb_ms"),
                       ("change: click -> response received", "response_ms"),
                       ("change: response -> painted", "render_after_response_ms")):
        print(row(label, c[key]))
    print(row("baseline: fetch /healthz", results["baseline"]["fetch_healthz_ms"]))
    for kind, trace in results["main_thread_per_change"].items():
        print(f"main thread, {kind}: {trace['main_thread_ms']} ms: {trace['by_kind_ms']}\n    JS by script "
              f"{trace['js_by_script_ms']}\n    JS by function {trace['js_by_function_ms']}")
    print("gunicorn workers at the end: " + ", ".join(
        f"RSS {w['VmRSS']} MB (peak {w['VmHWM']} MB)" for w in results["worker_memory_mb"]))


if __name__ == "__main__":
    sys.exit(main())
