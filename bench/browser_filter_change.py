"""What a user waits for in the browser: opening the dashboard and changing a filter.

Starts the real app under gunicorn (2 workers, fresh seed database, free loopback port) and
drives Debian Chromium with Playwright. Every time is taken inside the page with
performance.now():

  open     navigation start -> #index-value shown and the three charts (#trend-chart,
           #regions-chart, #map-chart) drawn (.main-svg and title) and the next frame
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
import os
import statistics
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.measure import memory_mb, summary  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CHARTS = ("trend-chart", "regions-chart", "map-chart")
# bypass_csp: the app's Content-Security-Policy forbids eval, which Playwright's wait_for_function
# uses for its predicates; it changes nothing in the page's own work.
CONTEXT = {"viewport": {"width": 1400, "height": 1000}, "bypass_csp": True}

# (dropdown id or "clear", option label, what the URL must then contain or, with "!", must not)
CHANGES = [
    ("filter-period", "2024Q2", "period=2024Q2"),
    ("filter-regions", "Eastern Province", "regions=SA-04"),
    ("filter-pillar", "Labour", "pillar=labour"),
    ("filter-period", "2023Q4", "period=2023Q4"),
    ("clear", None, "!regions="),
    ("filter-pillar", "Environmental", "pillar=environmental"),
    ("filter-indicator", "Renewable energy share", "indicator=renewable_share"),
    ("filter-regions", "Riyadh", "regions=SA-01"),
    ("filter-period", "2025Q3", "period=2025Q3"),
    ("filter-from", "2018Q1", "from=2018Q1"),
    ("filter-pillar", "Economic", "pillar=economic"),
    ("clear", None, "!regions="),
    ("filter-period", "2025Q4", "period=2025Q4"),
    ("filter-from", "2021Q1", "from=2021Q1"),
]

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
      return chart && chart.querySelector('.main-svg') && chart.querySelector('.gtitle');
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
      response.clone().json().then(body => {
        (b.responses || []).push({at, ids: Object.keys(body.response || {})});
      }).catch(() => {});
    }
    return response;
  };
  window.__benchArm = () => {
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
          requests: entries.length, url: url};
}
"""


def worker_memory(master_pid: int) -> list[dict]:
    """VmRSS and VmHWM (peak) in MB of each gunicorn worker, children of the master process."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [{"pid": int(pid), **memory_mb(pid)} for pid in children]


def measure_opens(browser, url: str, count: int) -> list[dict]:
    opens = []
    for _ in range(count):
        context = browser.new_context(**CONTEXT)
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        page.goto(url + "/", wait_until="commit")
        page.wait_for_function("window.__readyPaintedAt !== undefined", timeout=30_000)
        opens.append(page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const loaded = (part) => {  // when the first resource whose URL contains `part` arrived
                const entry = performance.getEntriesByType('resource').find(e => e.name.includes(part));
                return entry ? entry.responseEnd : null;
            };
            return {ready: window.__readyPaintedAt, complete_in_dom: window.__readyAt, html: nav.responseEnd,
                    dom_content_loaded: nav.domContentLoadedEventEnd, layout: loaded('_dash-layout'),
                    page_callback: loaded('_dash-update-component'), plotly_js: loaded('plotly')};
        }"""))
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


def measure_changes(page, count: int) -> list[dict]:
    changes, seen = [], {page.evaluate("location.search")}
    for number in range(count):
        control, option, fragment = CHANGES[number % len(CHANGES)]
        page.evaluate("window.__benchArm()")
        choose(page, control, option)
        handle = page.wait_for_function(DONE_SCRIPT, arg=[list(CHARTS), fragment], timeout=30_000)
        result = handle.json_value()
        result.update(control=control, option=option, first_visit=result["url"] not in seen)
        seen.add(result["url"])
        changes.append(result)
        page.wait_for_timeout(150)  # let the page settle before the next click
    return changes


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opens", type=int, default=10, help="dashboard opens, each in a fresh context")
    parser.add_argument("--changes", type=int, default=42, help="filter changes (cycling through CHANGES)")
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
    with tempfile.TemporaryDirectory(prefix="bench-browser-") as folder:
        process, url = start_server(Path(folder), **env)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                opens = measure_opens(browser, url, args.opens)
                context = browser.new_context(**CONTEXT)
                context.add_init_script(INIT_SCRIPT)
                page = context.new_page()
                page.goto(url + "/")
                page.wait_for_function("window.__readyPaintedAt !== undefined", timeout=30_000)
                baseline = measure_fetch_baseline(page)
                changes = measure_changes(page, args.changes)
                workers = worker_memory(process.pid)
                browser.close()
        except Exception:
            print("the server's output ends with:\n" + (Path(folder) / "gunicorn.out").read_text()[-3000:])
            raise
        finally:
            stop_server(process)
        server = server_durations(Path(folder) / "logs")

    fetch_p50 = statistics.median(baseline)
    change_total = summary([c["total"] for c in changes])
    answered = [c for c in changes if c["response"] is not None]
    results = {
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "database": str(args.database or "fresh seed data"), "tenant": args.tenant or "mep",
        "open": {"ready_first": round(opens[0]["ready"], 1),
                 "ready_ms": summary([o["ready"] for o in opens]),
                 "ready_after_first_ms": summary([o["ready"] for o in opens[1:]]),
                 "html_ms": summary([o["html"] for o in opens]),
                 "dom_content_loaded_ms": summary([o["dom_content_loaded"] for o in opens]),
                 **{f"{part}_received_ms": summary([o[part] for o in opens if o[part] is not None])
                    for part in ("layout", "page_callback", "plotly_js")},
                 "samples": opens},
        "change": {"total_ms": change_total,
                   "request_sent_ms": summary([c["request_sent"] for c in answered]),
                   "server_ttfb_ms": summary([c["server"] for c in answered]),
                   "response_ms": summary([c["response"] for c in answered]),
                   "render_after_response_ms": summary([c["total"] - c["response"] for c in answered]),
                   "charts_redrawn_ms": summary([c["charts_redrawn"] for c in changes if c["charts_redrawn"]]),
                   "changes_not_updating_every_chart": sum(len(c["updated_charts"]) < len(CHARTS) for c in changes),
                   "response_kb": summary([c["kb"] for c in answered]),
                   "first_visit_ms": summary([c["total"] for c in changes if c["first_visit"]]),
                   "repeat_visit_ms": summary([c["total"] for c in changes if not c["first_visit"]]),
                   "samples": changes},
        "server_callback_ms": server,
        "worker_memory_mb": workers,
        "baseline": {"fetch_healthz_ms": summary(baseline)},
        "ratios": {"change_p95_to_fetch_healthz_p50": round(change_total["p95"] / fetch_p50, 1),
                   "open_p95_to_fetch_healthz_p50": round(summary([o["ready"] for o in opens])["p95"] / fetch_p50, 1)},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    print_report(results)
    print(f"\nwritten {args.output}")
    return 0


def print_report(results: dict) -> None:
    def row(label: str, s: dict) -> str:
        if not s.get("n"):
            return f"{label:38} (none)"
        return f"{label:38} {s['n']:4d} {s['p50']:8.1f} {s['p95']:8.1f} {s['max']:8.1f}"

    print(f"\n{'browser, ' + results['database']:38} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    o, c = results["open"], results["change"]
    print(row("open: HTML received", o["html_ms"]))
    print(row("open: DOMContentLoaded", o["dom_content_loaded_ms"]))
    print(row("open: /_dash-layout received", o["layout_received_ms"]))
    print(row("open: page callback response received", o["page_callback_received_ms"]))
    print(row("open: plotly.js received", o["plotly_js_received_ms"]))
    print(row("open: dashboard ready (painted)", o["ready_ms"]))
    print(row("open: ready, after the first", o["ready_after_first_ms"]))
    print(row("change: click -> charts redrawn+painted", c["total_ms"]))
    print(row("change: click -> charts redrawn (JS)", c["charts_redrawn_ms"]))
    print(row("change: click -> request sent", c["request_sent_ms"]))
    print(row("change: server (request -> 1st byte)", c["server_ttfb_ms"]))
    print(row("change: click -> response received", c["response_ms"]))
    print(row("change: response -> painted", c["render_after_response_ms"]))
    print(row("change: first visit of the view", c["first_visit_ms"]))
    print(row("change: view seen before", c["repeat_visit_ms"]))
    for name, durations in results["server_callback_ms"].items():
        print(row(f"worker (access.log): {name}"[:38], durations))
    print(row("baseline: fetch /healthz", results["baseline"]["fetch_healthz_ms"]))
    print(f"response {c['response_kb'].get('p50')} kB; changes that left a chart alone: "
          f"{c['changes_not_updating_every_chart']}; load average {[round(x, 1) for x in results['load_average']]}")
    print("gunicorn workers at the end: " + ", ".join(
        f"RSS {w['VmRSS']} MB (peak {w['VmHWM']} MB)" for w in results["worker_memory_mb"]))
    print(f"first open ready in {o['ready_first']} ms; ratios to fetch /healthz p50: {results['ratios']}")


if __name__ == "__main__":
    sys.exit(main())
