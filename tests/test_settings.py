from pathlib import Path

import pytest

from settings import Settings, SettingsError


def test_defaults_serve_sqlite_on_port_8501():
    settings = Settings.from_env({})
    assert settings.env == "development" and not settings.env_explicit
    assert settings.port == 8501 and settings.host == "127.0.0.1"
    assert settings.database_url == f"sqlite:///{Path('var').resolve() / 'analytics_hub.db'}"
    assert settings.cache_type == "disk"
    assert settings.cache_default_timeout == 3600
    assert settings.version  # from package metadata


def test_operations_defaults_follow_the_data_folder():
    settings = Settings.from_env({"DATA_DIR": "/srv/hub"})
    assert settings.metrics_token is None
    assert settings.log_level == "INFO"
    assert settings.log_max_bytes == 10 * 1024 * 1024
    assert settings.metrics_dir == Path("/srv/hub/prometheus")
    assert settings.cache_dir == Path("/srv/hub/cache")


def test_explicit_values_are_read():
    settings = Settings.from_env({
        "ANALYTICS_HUB_ENV": "Staging", "PORT": "9000", "HOST": "0.0.0.0",
        "DATABASE_URL": "postgresql://u@db/hub", "CACHE_REDIS_URL": "redis://cache:6379/0",
        "CACHE_DEFAULT_TIMEOUT": "60", "SECRET_KEY": "x" * 40, "DATA_DIR": "/srv/hub",
    })
    assert settings.env == "staging" and settings.env_explicit
    assert settings.port == 9000 and settings.host == "0.0.0.0"
    assert settings.database_url == "postgresql://u@db/hub"
    assert settings.cache_type == "redis"  # chosen because CACHE_REDIS_URL is set
    assert settings.cache_dir == Path("/srv/hub/cache")
    assert settings.sqlite_file is None


def test_operations_values_are_read():
    settings = Settings.from_env({"METRICS_TOKEN": "t" * 20, "LOG_LEVEL": "Warning", "LOG_MAX_BYTES": "4096",
                                  "PROMETHEUS_MULTIPROC_DIR": "/tmp/metrics"})
    assert settings.metrics_token == "t" * 20
    assert settings.log_level == "WARNING"
    assert settings.log_max_bytes == 4096
    assert settings.metrics_dir == Path("/tmp/metrics")


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("ANALYTICS_HUB_ENV", "prod", "allowed values are development, test, staging, production"),
    ("PORT", "eighty", "must be a whole number from 1 to 65535"),
    ("PORT", "70000", "must be a whole number from 1 to 65535"),
    ("CACHE_TYPE", "memcached", "allowed values are disk, redis, simple, null"),
    ("CACHE_DEFAULT_TIMEOUT", "-1", "must be a whole number"),
    ("DATABASE_URL", "mysql://root@db/hub", "must be a sqlite:/// or postgresql:// URL"),
    ("DATABASE_URL", "not a url", "must be a sqlite:/// or postgresql:// URL"),
    ("CACHE_REDIS_URL", "cache:6379", "must start with redis://"),
    ("DEFAULT_TENANT", "Bad Tenant", "lower-case letters"),
    ("WORKERS", "0", "must be a whole number from 1 to 32"),
    ("METRICS_TOKEN", "short", "must be at least 16 characters without spaces"),
    ("METRICS_TOKEN", "a long token with spaces", "must be at least 16 characters without spaces"),
    ("LOG_LEVEL", "verbose", "allowed values are debug, info, warning, error"),
    ("LOG_MAX_BYTES", "100", "must be a whole number from 1024 to 1073741824"),
    ("LOG_MAX_BYTES", "10MB", "must be a whole number from 1024 to 1073741824"),
])
def test_invalid_values_name_the_variable_and_the_allowed_values(variable, value, expected):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({variable: value})
    assert error.value.variable == variable
    assert variable in str(error.value) and expected in str(error.value)


@pytest.mark.parametrize(("variable", "value"), [
    ("METRICS_TOKEN", "short"), ("SECRET_KEY", "x" * 10), ("AUTH_PASSWORD", "tooshort"),
])
def test_secrets_stay_out_of_messages_and_the_repr(variable, value):
    environ = {"ANALYTICS_HUB_ENV": "staging", variable: value}
    with pytest.raises(SettingsError) as error:
        Settings.from_env(environ)
    assert value not in str(error.value)
    assert "s3cr3t" not in repr(Settings.from_env({"METRICS_TOKEN": "s3cr3t-metrics-token"}))


def test_redis_cache_needs_a_url():
    with pytest.raises(SettingsError, match="CACHE_REDIS_URL"):
        Settings.from_env({"CACHE_TYPE": "redis"})


def test_production_needs_a_secret_key():
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env({"ANALYTICS_HUB_ENV": "production"})
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env({"ANALYTICS_HUB_ENV": "production", "SECRET_KEY": "short"})


def test_database_password_is_hidden_in_the_message():
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"DATABASE_URL": "mysql://admin:hunter2@db/hub"})
    assert "hunter2" not in str(error.value)


def test_development_secret_key_is_kept_for_all_workers(tmp_path):
    settings = Settings.from_env({"DATA_DIR": str(tmp_path)})
    assert settings.flask_secret_key() == settings.flask_secret_key()
    assert (tmp_path / ".secret_key").stat().st_mode & 0o777 == 0o600
