"""How long redaction takes on hostile and ordinary text, and whether it grows linearly.

Every text a client can send (query strings, callback values, form fields) reaches the logs
through `ops.redaction.redact`, so its cost must stay linear in the text and small. For each
text below, at 10 KB and 100 KB, with the logging cap lifted (`limit` above the size), the
script takes the CPU time of `redact` (best of `--repeat`; CPU time, because wall time on these
shared machines moves with other load) and, as the baseline in the same run, of `json.dumps`
of the same text (what writing the log line costs anyway). It also times the capped call the
logs make on 1 MB (cut to `MAX_CHARS` first).

Goal: 100 KB of any text in under 50 ms; growth 10 KB -> 100 KB close to 10x (quadratic
would be 100x).

    .venv/bin/python bench/redaction.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ops.redaction import redact  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_MS_PER_100KB = 50
SIZES = (10_000, 100_000)
ORDINARY = "GET /login?user=amal&password=hunter2&next=/ mail amal@mep.gov.sa or +966 55 123 4567; region SA-04 "


def hostile_texts(size: int) -> dict[str, str]:
    """Texts shaped to make a backtracking pattern retry from every character, `size` long."""
    units = {
        "letters": "x", "name=": "a=", "sensitive word": "password", "sensitive name=": "password=",
        "open quotes": '"', "quoted name": 'password="', "at signs": "a@", "dotted": "a.b", "percent": "%",
        "escapes": "%41", "url scheme": "://a:", "spaces": " ", "digits": "05", "bearer": "bearer ",
        "ordinary log text": ORDINARY,
    }
    return {name: (unit * (size // len(unit) + 1))[:size] for name, unit in units.items()}


def best_ms(function, text: str, repeat: int) -> float:
    """The least CPU time of `repeat` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        function(text)
        times.append((time.process_time() - started) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for name in hostile_texts(10):
        timing = {}
        for size in SIZES:
            text = hostile_texts(size)[name]
            timing[size] = {"redact_ms": best_ms(lambda t: redact(t, limit=len(t)), text, args.repeat),
                            "json_ms": best_ms(json.dumps, text, args.repeat)}
        big, small = timing[SIZES[1]], timing[SIZES[0]]
        rows.append({"text": name, "ms_10kb": round(small["redact_ms"], 2), "ms_100kb": round(big["redact_ms"], 2),
                     "growth_10x": round(big["redact_ms"] / max(small["redact_ms"], 1e-3), 1),
                     "to_json_dumps": round(big["redact_ms"] / max(big["json_ms"], 1e-3), 1)})
    capped = best_ms(redact, hostile_texts(1_000_000)["name="], args.repeat)
    print(f"{'text':18} {'10 KB ms':>9} {'100 KB ms':>10} {'growth':>7} {'/json':>6}")
    for row in rows:
        print(f"{row['text']:18} {row['ms_10kb']:9.2f} {row['ms_100kb']:10.2f} {row['growth_10x']:7.1f} "
              f"{row['to_json_dumps']:6.1f}")
    worst = max(row["ms_100kb"] for row in rows)
    print(f"worst 100 KB: {worst:.1f} ms (goal {GOAL_MS_PER_100KB} ms); 1 MB as logged (capped): {capped:.2f} ms; "
          f"load average {os.getloadavg()[0]:.2f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "redaction.json").write_text(json.dumps({
        "measured_at": datetime.now().isoformat(timespec="seconds"), "load_average": os.getloadavg(),
        "repeat": args.repeat, "goal_ms_per_100kb": GOAL_MS_PER_100KB, "worst_ms_100kb": worst,
        "capped_1mb_ms": round(capped, 2), "texts": rows}, indent=2))


if __name__ == "__main__":
    main()
