"""Shared fixtures: settings, seeded databases (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set), the running app under gunicorn and a Debian Chromium browser."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from data import database
from data.engine import dispose_engines, get_engine
from data.runtime import runtime
from data.tenancy import Tenant
from layouts.markup import Markup
from security import accounts
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def make_settings(tmp_path: Path, **overrides: str) -> Settings:
    env = {"ANALYTICS_HUB_ENV": "test", "DATA_DIR": str(tmp_path / "var"),
           "LOG_DIR": str(tmp_path / "logs"), "CACHE_TYPE": "simple", **overrides}
    return Settings.from_env(env)


PASSWORD = "a long enough password"  # of every account the tests create


def secured_settings(tmp_path: Path, users: dict[str, tuple[str, str]], **overrides: str) -> Settings:
    """Settings with sign-in on (staging), on a new seeded SQLite database holding the accounts
    `users` (name: (tenant, role)), each with PASSWORD. Limits are high unless overridden."""
    settings = make_settings(tmp_path, **{"ANALYTICS_HUB_ENV": "staging", "SECRET_KEY": "s" * 40,
                                          "LOGIN_RATE_LIMIT": "1000", "EXPORT_RATE_LIMIT": "1000", **overrides})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = get_engine(settings.database_url)
    database.seed(engine)
    for name, (tenant, role) in users.items():
        accounts.create_user(engine, name, tenant, role, PASSWORD)
    return settings


def sign_in(app, username: str, password: str = PASSWORD):
    """A test client of `app` after posting the sign-in form; and the form's response."""
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                           "next": "/"})
    return client, response


def sign_in_page(page, username: str, password: str = PASSWORD) -> None:
    """Fill and send the sign-in form the browser `page` shows."""
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    """A seeded SQLite file shared by the read-only tests of the session."""
    path = tmp_path_factory.mktemp("db") / "analytics_hub.db"
    url = f"sqlite:///{path}"
    database.seed(get_engine(url))
    return url


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    engine = get_engine(url)
    database.drop_all(engine)
    database.seed(engine)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    """Runs a test once on SQLite and once on PostgreSQL (skipped without a server)."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(name)


@pytest.fixture
def data_layer(database_url, tmp_path):
    """The data layer pointed at a seeded database with an empty cache of its own."""
    runtime.init(make_settings(tmp_path, DATABASE_URL=database_url, CACHE_TYPE="disk",
                               CACHE_DIR=str(tmp_path / "cache")))
    return database_url


@pytest.fixture
def mep() -> Tenant:
    return Tenant("mep")


@pytest.fixture
def rda() -> Tenant:
    return Tenant("rda")


@pytest.fixture
def empty_sqlite(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(tmp_path: Path, **env: str) -> tuple[subprocess.Popen, str]:
    """Start the real app under gunicorn on a free loopback port; return it and its URL.
    Its output goes to `tmp_path/gunicorn.out` (a pipe nobody reads would fill and stall it)."""
    process, url = launch_server(tmp_path, **env)
    wait_until_serving(process, url, tmp_path)
    return process, url


def launch_server(tmp_path: Path, **env: str) -> tuple[subprocess.Popen, str]:
    """Start gunicorn as start_server does, without waiting for it to answer."""
    port = free_port()
    environ = {**os.environ, "ANALYTICS_HUB_ENV": "test", "DATA_DIR": str(tmp_path / "var"),
               "LOG_DIR": str(tmp_path / "logs"), "PORT": str(port), "HOST": "127.0.0.1",
               "WORKERS": "2", **env}
    tmp_path.mkdir(parents=True, exist_ok=True)
    with open(tmp_path / "gunicorn.out", "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"],
            cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT, text=True,
        )
    return process, f"http://127.0.0.1:{port}"


def wait_until_serving(process: subprocess.Popen, url: str, tmp_path: Path, seconds: float = 60) -> None:
    output = tmp_path / "gunicorn.out"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited: {output.read_text()}")
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the app did not answer /healthz within {seconds:.0f} s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app as `make run` serves it, on a fresh database seeded on first start."""
    tmp = tmp_path_factory.mktemp("live")
    process, url = start_server(tmp)
    yield {"url": url, "database_url": f"sqlite:///{tmp / 'var' / 'analytics_hub.db'}"}
    stop_server(process)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("Debian chromium is required (REQUIRE_BROWSER=1) but is not installed")
        pytest.skip("Debian chromium is not installed: run `make test` to install it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """Records console errors and requests to hosts other than the app's."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        page.on("request", self._request)
        self._origin = base_url

    def _request(self, request) -> None:
        url = request.url
        if not (url.startswith(self._origin) or url.startswith(("data:", "blob:"))):
            self.foreign_requests.append(url)

    def assert_clean(self) -> None:
        assert self.console_errors == [], self.console_errors
        assert self.foreign_requests == [], self.foreign_requests


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch = PageWatch(page, live_server["url"])
    page.watch = watch
    yield page
    context.close()


@pytest.fixture(autouse=True, scope="session")
def _dispose_engines():
    yield
    dispose_engines()


def sql_scalar(url: str, query: str, **params):
    with get_engine(url).connect() as conn:
        return conn.execute(text(query), params).scalar()


def sql_rows(url: str, query: str, **params) -> list:
    with get_engine(url).connect() as conn:
        return conn.execute(text(query), params).all()


@contextmanager
def request_as_app(app, path: str = "/"):
    """A request context in which the app's before-request hooks (the sign-in guard that
    decides the tenant) have run, as they do for every real request."""
    with app.server.test_request_context(path):
        app.server.preprocess_request()
        yield


def find_component(component, component_id):
    """The component with `component_id` in a Dash component tree, or None."""
    if getattr(component, "id", None) == component_id:
        return component
    children = component if isinstance(component, (list, tuple)) else getattr(component, "children", None)
    if children is None:
        return None
    for child in children if isinstance(children, (list, tuple)) else [children]:
        found = find_component(child, component_id)
        if found is not None:
            return found
    return None


def text_of(component) -> str:
    """All the text inside a component, as a user would read it."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, Markup):
        return markup_text(component.tree)
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        return " ".join(text_of(c) for c in children)
    return text_of(children)


def markup_text(node) -> str:
    """The text of a static markup tree (layouts/markup.py): [tag, properties, children]."""
    if node is None or isinstance(node, (str, int, float)):
        return "" if node is None else str(node)
    return " ".join(markup_text(child) for child in node[2])


def body_rows(table: Markup) -> list[str]:
    """The text of each row in the body of a static markup table."""
    found = []

    def walk(node):
        if isinstance(node, list) and node and node[0] == "tbody":
            found.extend(markup_text(row) for row in node[2])
        elif isinstance(node, list) and len(node) == 3 and isinstance(node[2], list):
            for child in node[2]:
                walk(child)

    walk(table.tree)
    return found


def scratch_postgres_url(suffix: str) -> str:
    """A new, empty PostgreSQL database beside TEST_DATABASE_URL's, named `<its name>_<suffix>`
    (made anew on every call; skips without a server)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    url = make_url(base)
    name = f"{url.database}_{suffix}"
    with get_engine(base).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)
