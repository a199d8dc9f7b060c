"""What the benchmarks share: percentile summaries and memory figures read from /proc."""

from __future__ import annotations

import statistics
from pathlib import Path


def summary(ms: list[float], digits: int = 1) -> dict:
    """Count, median, p95 (nearest rank), max and mean of a list of milliseconds."""
    if not ms:
        return {"n": 0}
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(ms), "p50": round(statistics.median(ms), digits), "p95": round(p95, digits),
            "max": round(ordered[-1], digits), "mean": round(statistics.fmean(ms), digits)}


def process_mb(pid: int | str = "self", file: str = "status", field: str = "VmRSS") -> float:
    """A memory figure of a process in MB (VmRSS or VmHWM from status, Pss from smaps_rollup);
    0 when the process is gone."""
    try:
        lines = Path(f"/proc/{pid}/{file}").read_text().splitlines()
    except OSError:
        return 0.0
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    return int(fields.get(field, "0 kB").split()[0]) / 1024


def memory_mb(pid: int | str = "self") -> dict:
    """Resident memory now and at its peak, in MB."""
    return {name: round(process_mb(pid, field=name), 1) for name in ("VmRSS", "VmHWM")}
