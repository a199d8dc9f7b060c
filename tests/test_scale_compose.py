"""docker-compose.scale.yml, deploy/nginx.conf and deploy/prometheus.yml checked against the
code they run (Docker does not run here): the replicas' settings are valid and point at the
shared PostgreSQL and Redis, nginx balances over the app's service and port and trusts as many
proxies as there are, health checks ask real endpoints, Prometheus scrapes every replica with
a token the app accepts; and behind a proxy the app counts each client, not the proxy."""

from __future__ import annotations

import os
import re
import time

import crossplane
import pytest
import redis
import yaml
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy.engine import make_url

from app import create_app
from data.cache import Cache
from ops.routes import metrics_allowed
from security.limits import storage_uri
from settings import Settings
from tests.conftest import ROOT, make_settings
from tests.test_ops_docker import image_environment

COMPOSE_FILE = "docker-compose.scale.yml"
SECRETS = {"SECRET_KEY": "k" * 40, "POSTGRES_PASSWORD": "pg-secret", "METRICS_TOKEN": "m" * 24}
PROXIES_IN_FRONT = 1  # nginx
# Measured (docs/PERFORMANCE.md, ENGINEERING.md): a worker's RSS, and its Chromium after the first PNG.
WORKER_MB, CHROMIUM_MB = 150, 1200
MASTER_MB, INSIGHT_JOB_MB = 300, 200


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / COMPOSE_FILE).read_text())


def interpolate(value, env: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error} substitution."""
    def substitute(match: re.Match) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if operator == ":?":
            raise KeyError(f"{name}: {argument}")
        return argument if operator == ":-" else ""
    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", substitute, str(value))


def environment(service: dict, env: dict[str, str] = SECRETS) -> dict[str, str]:
    return {name: interpolate(value, env) for name, value in service["environment"].items()}


@pytest.fixture(scope="module")
def replica(compose) -> Settings:
    """The settings every replica runs with: the image's environment and compose's."""
    return Settings.from_env({**image_environment(), **environment(compose["services"]["app"])})


@pytest.fixture(scope="module")
def nginx() -> list[dict]:
    parsed = crossplane.parse(str(ROOT / "deploy" / "nginx.conf"), single=True, check_ctx=True, check_args=True)
    assert parsed["errors"] == [], parsed["errors"]
    return parsed["config"][0]["parsed"]


def directives(block: list[dict], name: str) -> list[dict]:
    """Every directive `name` in `block`, at any depth."""
    found = []
    for directive in block:
        if directive["directive"] == name:
            found.append(directive)
        found += directives(directive.get("block", []), name)
    return found


def location(nginx, path: str) -> list[dict]:
    matches = [d["block"] for d in directives(nginx, "location") if d["args"][-1] == path]
    assert len(matches) == 1, path
    return matches[0]


def container_port(published: str) -> int:
    return int(published.rsplit(":", 1)[1])


def healthcheck_url(service: dict) -> str:
    return re.search(r"https?://\S+", " ".join(service["healthcheck"]["test"])).group(0)


def test_three_replicas_that_compose_can_scale(compose):
    app = compose["services"]["app"]
    assert app["deploy"]["replicas"] == 3
    assert "container_name" not in app and "ports" not in app  # names and host ports would collide
    published = [service for service in compose["services"].values() if "ports" in service]
    assert [service["image"].split(":")[0] for service in published] == ["nginx", "prom/prometheus"]
    assert "command" not in app  # the image's command: migrate under the lock, then serve


def test_every_replica_shares_the_database_cache_limits_and_sessions(compose, replica):
    services = compose["services"]
    settings_source = (ROOT / "settings.py").read_text()
    assert all(f'"{name}"' in settings_source for name in services["app"]["environment"])  # only real settings
    url = make_url(replica.database_url)
    postgres = environment(services["postgres"])
    assert url.get_backend_name() == "postgresql" and url.host in services
    assert (url.username, url.password, url.database) == (postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"],
                                                          postgres["POSTGRES_DB"])
    assert make_url(replica.cache_redis_url).host in services and replica.cache_type == "redis"
    assert Cache.from_settings(replica).backend_name == "RedisCache"
    assert storage_uri(replica) == replica.cache_redis_url  # limits counted in Redis, not per replica
    # One SECRET_KEY signs every replica's sessions, and compose refuses to start without it.
    for required in ("SECRET_KEY", "POSTGRES_PASSWORD"):
        with pytest.raises(KeyError, match=required):
            environment(services["app"], {k: v for k, v in SECRETS.items() if k != required})


def test_nginx_balances_over_the_app_service_and_trusts_one_proxy(compose, replica, nginx):
    services = compose["services"]
    (upstream,) = directives(nginx, "upstream")
    (server,) = directives(upstream["block"], "server")
    host, port = server["args"][0].split(":")
    assert host == "app" and int(port) == replica.port
    assert "resolve" in server["args"] and directives(nginx, "resolver")  # sees replicas added by --scale
    assert all(d["args"] == [f"http://{upstream['args'][0]}"] for d in directives(nginx, "proxy_pass"))
    (listen,) = directives(nginx, "listen")
    assert int(listen["args"][0]) == container_port(services["nginx"]["ports"][0])
    forwarded = {d["args"][0]: d["args"][1] for d in directives(nginx, "proxy_set_header")}
    assert forwarded["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert replica.proxy_hops == PROXIES_IN_FRONT


def test_nginx_moves_past_unhealthy_replicas_and_never_serves_metrics(nginx, tmp_path, sqlite_url):
    server = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url)).server
    routes = {rule.rule for rule in server.url_map.iter_rules()}
    assert {"/healthz", "/metrics"} <= routes
    (retry,) = directives(location(nginx, "/healthz"), "proxy_next_upstream")
    assert "http_503" in retry["args"]  # what /healthz answers when a check fails
    (metrics,) = directives(location(nginx, "/metrics"), "return")
    assert 400 <= int(metrics["args"][0]) < 500


def test_health_checks_ask_the_services_themselves(compose, replica, nginx):
    services = compose["services"]
    app_check = make_url(healthcheck_url(services["app"]).replace("http", "postgresql", 1))
    assert (app_check.port, app_check.database) == (replica.port, "healthz")
    nginx_check = make_url(healthcheck_url(services["nginx"]).replace("http", "postgresql", 1))
    assert nginx_check.port == int(directives(nginx, "listen")[0]["args"][0]) and nginx_check.database == "healthz"
    postgres = environment(services["postgres"])
    ready = " ".join(services["postgres"]["healthcheck"]["test"])
    assert f"-U {postgres['POSTGRES_USER']} -d {postgres['POSTGRES_DB']}" in ready
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    assert services["app"]["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                             "redis": {"condition": "service_healthy"}}
    assert services["nginx"]["depends_on"] == {"app": {"condition": "service_healthy"}}


def test_data_lives_in_named_volumes(compose, replica):
    services, volumes = compose["services"], set(compose["volumes"])

    def mounts(service):
        return dict(reversed(volume.split(":")[:2]) for volume in services[service]["volumes"])

    assert mounts("postgres")["/var/lib/postgresql/data"] in volumes
    assert mounts("redis")["/data"] in volumes and "--appendonly" in services["redis"]["command"]
    assert mounts("app")[str(replica.log_dir)] in volumes


def test_prometheus_scrapes_every_replica_with_a_token_the_app_accepts(compose, replica, tmp_path, sqlite_url):
    config = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    (discovery,) = job["dns_sd_configs"]
    assert discovery["names"] == ["app"] and discovery["type"] == "A" and discovery["port"] == replica.port
    mounted = {target: source for source, target in
               (volume.split(":")[:2] for volume in compose["services"]["prometheus"]["volumes"])}
    assert job["authorization"]["credentials_file"] in mounted
    token = replica.metrics_token
    assert metrics_allowed("172.18.0.9", f"Bearer {token}", token)  # Prometheus, from another container
    assert not metrics_allowed("172.18.0.9", "", token)
    app = create_app(make_settings(tmp_path, DATABASE_URL=sqlite_url, METRICS_TOKEN=token))
    answer = app.server.test_client().get(job["metrics_path"], headers={"Authorization": f"Bearer {token}"},
                                          environ_base={"REMOTE_ADDR": "172.18.0.9"})
    assert answer.status_code == 200 and b"http_requests_total" in answer.data


def test_each_replica_has_memory_for_its_workers_and_their_chromium(compose, replica):
    limit = compose["services"]["app"]["mem_limit"]
    megabytes = int(limit[:-1]) * {"g": 1024, "m": 1}[limit[-1]]
    assert megabytes >= replica.workers * (WORKER_MB + CHROMIUM_MB) + MASTER_MB + INSIGHT_JOB_MB


def test_runbook_commands_name_services_of_the_scaled_file(compose):
    runbook = (ROOT / "docs" / "RUNBOOK.md").read_text()
    flags = r"(?: -{1,2}[\w-]+(?: \w+=\d+)?)*"  # e.g. -d, --no-deps, --scale app=4
    commands = re.findall(rf"docker-compose -f {re.escape(COMPOSE_FILE)} (\w+)({flags})(?: (\w+))?", runbook)
    assert commands, "the runbook shows the scaled set-up"
    named = {service for _command, _flags, service in commands if service}
    assert named and named <= set(compose["services"])


@pytest.mark.redis
def test_every_key_in_redis_expires_so_eviction_can_make_room(compose, replica, tmp_path):
    """Redis evicts only keys with an expiry (volatile-lru): the cache's and the limits' have one."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: the Redis test needs a server")
    assert "volatile-lru" in compose["services"]["redis"]["command"]
    settings = Settings.from_env({**image_environment(), **environment(compose["services"]["app"]),
                                  "CACHE_REDIS_URL": url, "DATA_DIR": str(tmp_path)})
    cache = Cache.from_settings(settings)
    cache.backend.set("expiry-test", 1)
    limiter = FixedWindowRateLimiter(storage_from_string(storage_uri(settings)))
    limiter.hit(parse("10/minute"), "expiry-test", "198.51.100.1")
    store = redis.Redis.from_url(url)
    keys = list(store.scan_iter(match="*expiry-test*"))
    assert len(keys) == 2 and all(store.ttl(key) > 0 for key in keys)
    store.delete(*keys)


@pytest.mark.parametrize(("hops", "second_client_limited"), [(0, True), (1, False)])
def test_behind_a_proxy_each_client_has_its_own_limit(tmp_path, sqlite_url, hops, second_client_limited):
    """Without PROXY_HOPS every client shares the proxy's address and so one limit; with it,
    X-Forwarded-For names the client."""
    for attempt in range(2):  # again if a minute (the limits' window) ended in between
        window = time.time() // 60
        app = create_app(make_settings(tmp_path / str(attempt), DATABASE_URL=sqlite_url, LOGIN_RATE_LIMIT="2",
                                       PROXY_HOPS=str(hops)))
        first_client = [sign_in_from(app, "198.51.100.1") for _ in range(3)]
        second_client = sign_in_from(app, "198.51.100.2")
        if time.time() // 60 == window:
            break
    assert first_client == [401, 401, 429]
    assert second_client == (429 if second_client_limited else 401)


def sign_in_from(app, client_address: str) -> int:
    """A failed sign-in from `client_address`, through a proxy at 172.18.0.2."""
    client = app.server.test_client()
    proxy = {"environ_base": {"REMOTE_ADDR": "172.18.0.2"}, "headers": {"X-Forwarded-For": client_address}}
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login", **proxy).get_data(as_text=True))
    return client.post("/login", data={"username": "nobody", "password": "not a password at all",
                                       "csrf_token": token.group(1)}, **proxy).status_code
