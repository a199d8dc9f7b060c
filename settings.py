"""Every setting of the hub, read from the environment in one place and validated."""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from data.numbers import bounded_number
from data.tenancy import TENANT_ID

DISTRIBUTION = "analytics-hub"
ENVIRONMENTS = ("development", "test", "staging", "production")
CACHE_TYPES = ("disk", "redis", "simple", "null")
CACHE_TYPE_ALIASES = {"filesystem": "disk"}  # the name of the folder cache before diskcache
LOG_LEVELS = ("debug", "info", "warning", "error")
METRICS_TOKEN_MIN_LENGTH = 16
DATABASE_BACKENDS = ("sqlite", "postgresql")
DIGIT_STYLES = ("latin", "arabic-indic")  # how Arabic pages write digits: 0-9 or ٠-٩


class SettingsError(ValueError):
    """A setting has a value the hub cannot run with; the message names the variable."""

    def __init__(self, variable: str, value: str | None, expected: str):
        shown = "(unset)" if value is None else repr(value)
        super().__init__(f"Invalid setting {variable}={shown}: {expected}.")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    env_explicit: bool = False
    data_dir: Path = Path("var")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8501
    workers: int = 2
    log_dir: Path = Path("logs")
    cache_type: str = "disk"
    cache_dir: Path = Path("var/cache")
    cache_redis_url: str | None = None
    cache_default_timeout: int = 3600
    cache_size_limit_mb: int = 1024
    secret_key: str | None = field(default=None, repr=False)
    default_tenant: str = "mep"
    disk_min_free_mb: int = 500
    export_rate_limit: int = 30
    auth_password: str | None = field(default=None, repr=False)
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    login_max_attempts: int = 5
    login_rate_limit: int = 10
    request_rate_limit: int = 1200
    request_max_bytes: int = 1024 * 1024
    upload_path_prefix: str = "/upload"
    upload_max_bytes: int = 20 * 1024 * 1024
    log_level: str = "INFO"
    log_max_bytes: int = 10 * 1024 * 1024
    metrics_dir: Path = Path("var/prometheus")
    metrics_token: str | None = field(default=None, repr=False)
    proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-For / -Proto are trusted
    metrics_allow_loopback: bool = True
    integrity_check_interval: int = 600
    insight_watch_interval: int = 60
    arabic_digits: str = "latin"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        raw_env = env.get("ANALYTICS_HUB_ENV")
        app_env = _choice(env, "ANALYTICS_HUB_ENV", ENVIRONMENTS, "development")
        data_dir = Path(env.get("DATA_DIR") or "var").resolve()
        redis_url = env.get("CACHE_REDIS_URL") or None
        cache_type = _choice(env, "CACHE_TYPE", CACHE_TYPES, "redis" if redis_url else "disk", CACHE_TYPE_ALIASES)
        if cache_type == "redis" and not redis_url:
            raise SettingsError("CACHE_REDIS_URL", None, "CACHE_TYPE=redis needs a redis:// URL")
        if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError("CACHE_REDIS_URL", redis_url, "must start with redis://, rediss:// or unix://")
        secret_key = env.get("SECRET_KEY") or None
        if app_env == "production" and not secret_key:
            raise SettingsError("SECRET_KEY", None, "production needs a secret key of at least 32 characters")
        if secret_key is not None and app_env in ("staging", "production") and len(secret_key) < 32:
            raise SettingsError("SECRET_KEY", "(hidden)", "must be at least 32 characters in staging and production")
        tenant = env.get("DEFAULT_TENANT") or "mep"
        if not TENANT_ID.match(tenant):
            raise SettingsError("DEFAULT_TENANT", tenant,
                                "must be 2-32 lower-case letters, digits or hyphens, starting with a letter")
        return cls(
            env=app_env,
            env_explicit=bool(raw_env),
            data_dir=data_dir,
            database_url=_database_url(env, data_dir),
            host=env.get("HOST") or "127.0.0.1",
            port=_integer(env, "PORT", 8501, 1, 65535),
            workers=_integer(env, "WORKERS", 2, 1, 32),
            log_dir=Path(env.get("LOG_DIR") or "logs").resolve(),
            cache_type=cache_type,
            cache_dir=Path(env.get("CACHE_DIR") or data_dir / "cache").resolve(),
            cache_redis_url=redis_url,
            cache_default_timeout=_integer(env, "CACHE_DEFAULT_TIMEOUT", 3600, 0, 30 * 86400),
            cache_size_limit_mb=_integer(env, "CACHE_SIZE_LIMIT_MB", 1024, 16, 1024 * 1024),
            secret_key=secret_key,
            default_tenant=tenant,
            disk_min_free_mb=_integer(env, "DISK_MIN_FREE_MB", 500, 0, 10**7),
            export_rate_limit=_integer(env, "EXPORT_RATE_LIMIT", 30, 1, 10_000),
            auth_password=_auth_password(env),
            session_idle_minutes=_integer(env, "SESSION_IDLE_MINUTES", 30, 1, 24 * 60),
            session_max_hours=_integer(env, "SESSION_MAX_HOURS", 12, 1, 24 * 30),
            login_max_attempts=_integer(env, "LOGIN_MAX_ATTEMPTS", 5, 1, 100),
            login_rate_limit=_integer(env, "LOGIN_RATE_LIMIT", 10, 1, 10_000),
            request_rate_limit=_integer(env, "REQUEST_RATE_LIMIT", 1200, 10, 100_000),
            request_max_bytes=_integer(env, "REQUEST_MAX_BYTES", 1024 * 1024, 16 * 1024, 2**30),
            upload_path_prefix=_path_prefix(env, "UPLOAD_PATH_PREFIX", "/upload"),
            upload_max_bytes=_integer(env, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024, 1024, 2**31),
            log_level=_choice(env, "LOG_LEVEL", LOG_LEVELS, "info").upper(),
            log_max_bytes=_integer(env, "LOG_MAX_BYTES", 10 * 1024 * 1024, 1024, 2**30),
            metrics_dir=Path(env.get("PROMETHEUS_MULTIPROC_DIR") or data_dir / "prometheus").resolve(),
            metrics_token=_metrics_token(env),
            proxy_hops=_integer(env, "PROXY_HOPS", 0, 0, 5),
            # production behind a proxy on the same host sees every request as loopback
            metrics_allow_loopback=_boolean(env, "METRICS_ALLOW_LOOPBACK", app_env != "production"),
            integrity_check_interval=_integer(env, "INTEGRITY_CHECK_INTERVAL", 600, 1, 7 * 86400),
            insight_watch_interval=_integer(env, "INSIGHT_WATCH_INTERVAL", 60, 1, 86400),
            arabic_digits=_choice(env, "ARABIC_DIGITS", DIGIT_STYLES, "latin"),
        )

    @property
    def version(self) -> str | None:
        return app_version()

    @property
    def sqlite_file(self) -> Path | None:
        """The database file when the database is a SQLite file, else None."""
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database)

    def flask_secret_key(self) -> str:
        """SECRET_KEY, or in development a key kept in DATA_DIR so that all workers share it."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / ".secret_key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


def settings_or_exit() -> Settings:
    """The settings, or for a command-line tool: the message naming the bad variable and exit 2."""
    try:
        return Settings.from_env()
    except SettingsError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None


def app_version() -> str | None:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str,
            aliases: Mapping[str, str] | None = None) -> str:
    value = env.get(name)
    if value is None or value == "":
        return default
    chosen = value.strip().lower()
    chosen = (aliases or {}).get(chosen, chosen)
    if chosen not in allowed:
        raise SettingsError(name, value, f"allowed values are {', '.join(allowed)}")
    return chosen


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = env.get(name)
    if value is None or value == "":
        return default
    number = bounded_number(value, int, low, high)
    if number is None:
        raise SettingsError(name, value, f"must be a whole number from {low} to {high}")
    return number


def _boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = (env.get(name) or "").strip().lower()
    if value == "":
        return default
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise SettingsError(name, env.get(name), "must be true or false")
    return value in ("true", "1", "yes")


def _path_prefix(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name) or default
    if not re.fullmatch(r"(/[A-Za-z0-9._-]+)+", value):
        raise SettingsError(name, value, "must be a path such as /upload")
    return value


def _auth_password(env: Mapping[str, str]) -> str | None:
    value = env.get("AUTH_PASSWORD") or None
    if value is not None and len(value) < 12:
        raise SettingsError("AUTH_PASSWORD", "(hidden)", "must be at least 12 characters")
    return value


def _metrics_token(env: Mapping[str, str]) -> str | None:
    token = env.get("METRICS_TOKEN") or None
    if token is not None and (len(token) < METRICS_TOKEN_MIN_LENGTH or any(c.isspace() for c in token)):
        raise SettingsError("METRICS_TOKEN", "(hidden)",
                            f"must be at least {METRICS_TOKEN_MIN_LENGTH} characters without spaces")
    return token


def _database_url(env: Mapping[str, str], data_dir: Path) -> str:
    value = env.get("DATABASE_URL")
    if not value:
        return f"sqlite:///{data_dir / 'analytics_hub.db'}"
    try:
        backend = make_url(value).get_backend_name()
    except ArgumentError:
        backend = None
    if backend not in DATABASE_BACKENDS:
        raise SettingsError(
            "DATABASE_URL", _hide_password(value), "must be a sqlite:/// or postgresql:// URL"
        )
    return value


def _hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
