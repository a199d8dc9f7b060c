"""Locust users for bench/load.py: each user repeats one action of the issue's mix after a
think time of 0.5-1.5 s: 70% filter changes (the dashboard callback through the real
/_dash-update-component endpoint), 15% page opens (GET / and the router callback), 10% CSV or
Excel, 5% PNG. Requests are named by class, so locust's statistics come per class."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.traffic import request_for  # noqa: E402

NAMES = {"filter": "filter change", "page": "page open", "download": "csv/xlsx", "png": "png"}


class Analyst(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.rng = random.Random(id(self))

    def act(self, kind: str) -> None:
        for method, path, body in request_for(kind, self.rng):
            name = NAMES[kind] if method == "POST" or kind != "page" else "page open (HTML)"
            with self.client.request(method, path, json=body, name=name, catch_response=True) as response:
                if response.status_code == 0:  # no answer: say why (reset, refused, time-out...)
                    response.failure(f"no response: {type(response.error).__name__}: {response.error}"[:200])
                elif response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")

    @task(70)
    def filter_change(self):
        self.act("filter")

    @task(15)
    def page_open(self):
        self.act("page")

    @task(10)
    def download(self):
        self.act("download")

    @task(5)
    def png(self):
        self.act("png")
