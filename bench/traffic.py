"""Simulated users for the load and fault scripts: a real gunicorn started like
`tests/conftest.start_server`, and the requests a browser sends, in the issue's mix.

70% filter changes (the dashboard callback through /_dash-update-component, a random view),
15% page opens (GET / and the router callback), 10% CSV or Excel, 5% PNG. Views are drawn
from every quarter, region set, pillar and indicator, so the cache keeps filling as real use
would fill it.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.catalog import catalog  # noqa: E402
from data.periods import Period  # noqa: E402
from data.regions import REGIONS  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.dash_requests import dashboard_payload, router_payload  # noqa: E402

MIX = (("filter", 70), ("page", 15), ("download", 10), ("png", 5))
PERIODS = [str(Period(year, quarter)) for year in range(2016, 2026) for quarter in range(1, 5)]
PNG_FIGURES = ("trend", "regions", "map", "index-breakdown")


def random_view(rng: random.Random) -> dict:
    """A valid view: a quarter, a five-year range ending there, 0-3 regions, a pillar and one
    of its indicators."""
    indicator = rng.choice([i for i in catalog().indicators if i.pillar != "composite"])
    end = rng.choice(PERIODS)
    year, quarter = int(end[:4]), int(end[-1])
    return {"period": end, "start": str(Period(max(2015, year - 5), quarter)), "end": end,
            "regions": tuple(sorted(rng.sample([r.code for r in REGIONS], rng.choice((0, 0, 1, 1, 2, 3))))),
            "pillar": indicator.pillar, "indicator": indicator.id}


def query_string(view: dict) -> str:
    regions = f"&regions={','.join(view['regions'])}" if view["regions"] else ""
    return (f"?period={view['period']}&from={view['start']}&to={view['end']}{regions}"
            f"&pillar={view['pillar']}&indicator={view['indicator']}")


def request_for(kind: str, rng: random.Random) -> list[tuple[str, str, dict | None]]:
    """The HTTP requests (method, path, JSON body) one user action of `kind` sends."""
    view = random_view(rng)
    if kind == "filter":
        return [("POST", "/_dash-update-component", dashboard_payload(view["period"], view["start"], view["end"],
                                                                      view["regions"], view["pillar"],
                                                                      view["indicator"]))]
    if kind == "page":
        return [("GET", "/", None), ("POST", "/_dash-update-component", router_payload("/", query_string(view)))]
    if kind == "download":
        return [("GET", f"/export/data.{rng.choice(('csv', 'xlsx'))}{query_string(view)}", None)]
    return [("GET", f"/export/{rng.choice(PNG_FIGURES)}.png{query_string(view)}", None)]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    folder: Path

    @property
    def log_dir(self) -> Path:
        return self.folder / "logs"

    @property
    def database(self) -> Path:
        return self.folder / "var" / "analytics_hub.db"

    def output(self) -> str:
        return (self.folder / "gunicorn.out").read_text(errors="replace")

    def workers(self) -> list[int]:
        """The worker processes' ids (the master's children)."""
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def launch(folder: Path, wait_for_healthy: bool = True, **env: str) -> Server:
    """gunicorn with 2 workers on a free loopback port, its own DATA_DIR and LOG_DIR in `folder`,
    the export limit at its highest; waits until /healthz answers (200, or any status)."""
    port = free_port()
    environ = {**os.environ, "ANALYTICS_HUB_ENV": "test", "DATA_DIR": str(folder / "var"),
               "LOG_DIR": str(folder / "logs"), "PORT": str(port), "HOST": "127.0.0.1", "WORKERS": "2",
               "EXPORT_RATE_LIMIT": "10000", **env}
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "gunicorn.out", "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"],
                                   cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", folder)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited: {server.output()[-2000:]}")
        status = get_status(f"{server.url}/healthz")
        if status == 200 or (status is not None and not wait_for_healthy):
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the app did not answer /healthz within 90 s: {server.output()[-2000:]}")


def get_status(url: str, timeout: float = 3) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def get_json(url: str, timeout: float = 5) -> tuple[int | None, dict]:
    import json

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.load(error)
        except ValueError:
            return error.code, {}
    except OSError:
        return None, {}


@dataclass
class Sample:
    started: float  # time.monotonic()
    kind: str
    status: int | None  # None: no HTTP answer (connection refused or reset, time-out)
    ms: float


@dataclass
class Traffic:
    """`users` threads, each sending one action after another of the mix (or only `kinds`)."""
    url: str
    users: int = 4
    seed: int = 12
    kinds: tuple[str, ...] | None = None
    timeout: float = 30.0
    samples: list[Sample] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Traffic:
        for number in range(self.users):
            thread = threading.Thread(target=self._user, args=(random.Random(self.seed * 1000 + number),),
                                      daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.timeout + 5)

    def _user(self, rng: random.Random) -> None:
        import requests

        session = requests.Session()
        weights = [(kind, share) for kind, share in MIX if self.kinds is None or kind in self.kinds]
        while not self._stop.is_set():
            kind = rng.choices([k for k, _ in weights], [w for _, w in weights])[0]
            for method, path, body in request_for(kind, rng):
                started = time.monotonic()
                try:
                    response = session.request(method, self.url + path, json=body, timeout=self.timeout)
                    status = response.status_code
                except requests.RequestException:
                    status = None
                    session = requests.Session()
                with self._lock:
                    self.samples.append(Sample(started, kind, status, (time.monotonic() - started) * 1000))

    def failures(self, since: float = 0.0, until: float = float("inf")) -> list[Sample]:
        with self._lock:
            return [s for s in self.samples if since <= s.started < until and s.status != 200]

    def count(self, since: float = 0.0, until: float = float("inf")) -> int:
        with self._lock:
            return sum(1 for s in self.samples if since <= s.started < until)
