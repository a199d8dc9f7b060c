"""Where a page's main thread spends its time, from a Chrome performance trace (the JSON that
Playwright's `browser.stop_tracing()` returns, categories `devtools.timeline` and `v8.execute`).

Each complete event on the renderer's main thread gets its self time (its duration less its
children's); self times are summed per kind of work (scripting, style, layout, paint, garbage
collection, parsing, other), so a forced layout inside a script is never counted twice. V8's
sampling profiler (in the same trace) splits JavaScript time per script file and function.
"""

from __future__ import annotations

import json
from collections import defaultdict

KINDS = {
    "scripting": ("FunctionCall", "EvaluateScript", "V8.Execute", "v8.callFunction", "v8.run", "TimerFire",
                  "EventDispatch", "FireAnimationFrame", "RunMicrotasks", "v8.compile", "V8.CompileCode",
                  "v8.parseOnBackground", "XHRReadyStateChange", "XHRLoad"),
    "gc": ("MinorGC", "MajorGC", "V8.GCScavenger", "V8.GCCompactor", "BlinkGC.AtomicPhase", "V8.GC_MC_BACKGROUND"),
    "style": ("UpdateLayoutTree", "RecalculateStyles", "ParseAuthorStyleSheet", "InvalidateLayout"),
    "layout": ("Layout", "UpdateLayerTree", "IntersectionObserverController::computeIntersections"),
    "paint": ("Paint", "PrePaint", "Layerize", "PaintImage", "Commit", "CompositeLayers", "Decode Image",
              "ImageDecodeTask", "Rasterize"),
    "parse_html": ("ParseHTML",),
}
KIND_OF = {name: kind for kind, names in KINDS.items() for name in names}


def main_thread_events(trace: dict) -> list[dict]:
    """Complete events of the busiest CrRendererMain thread (the page under test)."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    mains = {(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    busy: dict[tuple, float] = defaultdict(float)
    for e in events:
        if e.get("ph") == "X" and (e["pid"], e["tid"]) in mains and e.get("name") == "RunTask":
            busy[(e["pid"], e["tid"])] += e.get("dur", 0)
    if not busy:
        return []
    thread = max(busy, key=busy.get)
    return sorted((e for e in events if e.get("ph") == "X" and (e["pid"], e["tid"]) == thread and "dur" in e),
                  key=lambda e: (e["ts"], -e["dur"]))


def _file(url: str | None) -> str:
    return (url or "").split("?")[0].rsplit("/", 1)[-1]


def self_times(events: list[dict]) -> list[tuple[dict, float]]:
    """(event, self time in ms) for nested complete events."""
    result, stack = [], []  # stack of [event, children's duration]
    for event in events:
        while stack and stack[-1][0]["ts"] + stack[-1][0]["dur"] <= event["ts"]:
            done, children = stack.pop()
            result.append((done, (done["dur"] - children) / 1000))
        if stack:
            stack[-1][1] += event["dur"]
        stack.append([event, 0.0])
    result.extend((e, (e["dur"] - children) / 1000) for e, children in reversed(stack))
    return result


def summarise(trace_bytes: bytes) -> dict:
    """Main-thread milliseconds per kind of work in one trace, and JavaScript time per script
    file and per function from V8's sampling profiler."""
    trace = json.loads(trace_bytes)
    events = main_thread_events(trace)
    kinds: dict[str, float] = defaultdict(float)
    for event, ms in self_times(events):
        kinds[KIND_OF.get(event["name"], "other")] += ms
    scripts, functions = sampled_js(trace, events[0]["pid"] if events else None)
    return {"main_thread_ms": round(sum(kinds.values()), 1), "by_kind_ms": _rounded(kinds),
            "js_by_script_ms": _rounded(scripts), "js_by_function_ms": dict(list(_rounded(functions).items())[:12])}


def sampled_js(trace: dict, pid: int | None) -> tuple[dict, dict]:
    """Self time per script and per function of the page's main thread, from the ProfileChunk
    events of `disabled-by-default-v8.cpu_profiler` (each sample lasts until the next)."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    nodes: dict[tuple, dict] = {}
    scripts: dict[str, float] = defaultdict(float)
    functions: dict[str, float] = defaultdict(float)
    for event in events:
        if event.get("name") != "ProfileChunk" or event.get("pid") != pid:
            continue
        data = event["args"]["data"]
        profile = data.get("cpuProfile", {})
        for node in profile.get("nodes", []):
            nodes[(event["id"], node["id"])] = node["callFrame"]
        for sample, delta in zip(profile.get("samples", [])[:-1], data.get("timeDeltas", [])[1:], strict=False):
            frame = nodes.get((event["id"], sample), {})
            script = _file(frame.get("url")) or f"({frame.get('functionName') or 'idle'})"
            scripts[script] += delta / 1000
            functions[f"{frame.get('functionName') or '(anonymous)'} {script}"] += delta / 1000
    scripts.pop("(idle)", None)
    functions.pop("(idle) (idle)", None)
    return scripts, functions


def mean_summary(summaries: list[dict]) -> dict:
    """The mean of several `summarise` results (one per change)."""
    count = len(summaries) or 1

    def mean(key: str) -> dict:
        total: dict[str, float] = defaultdict(float)
        for s in summaries:
            for name, ms in s[key].items():
                total[name] += ms / count
        return _rounded(total)

    return {"changes": len(summaries), "main_thread_ms": round(sum(s["main_thread_ms"] for s in summaries) / count, 1),
            "by_kind_ms": mean("by_kind_ms"),
            "js_by_script_ms": dict(list(mean("js_by_script_ms").items())[:8]),
            "js_by_function_ms": dict(list(mean("js_by_function_ms").items())[:12])}


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {name: round(ms, 1) for name, ms in sorted(values.items(), key=lambda kv: -kv[1]) if ms >= 0.05}
