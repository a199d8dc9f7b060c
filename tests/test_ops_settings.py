"""The operations settings: metrics token, log level and size, metrics folder; an unusable
log folder stops start-up with its name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from settings import Settings, SettingsError
from tests.conftest import ROOT, free_port


def test_operations_defaults():
    settings = Settings.from_env({"DATA_DIR": "/srv/hub"})
    assert settings.metrics_token is None
    assert settings.log_level == "INFO"
    assert settings.log_max_bytes == 10 * 1024 * 1024
    assert settings.metrics_dir == Path("/srv/hub/prometheus")


def test_operations_values_are_read():
    settings = Settings.from_env({"METRICS_TOKEN": "t" * 20, "LOG_LEVEL": "Warning", "LOG_MAX_BYTES": "4096",
                                  "PROMETHEUS_MULTIPROC_DIR": "/tmp/metrics"})
    assert settings.metrics_token == "t" * 20
    assert settings.log_level == "WARNING"
    assert settings.log_max_bytes == 4096
    assert settings.metrics_dir == Path("/tmp/metrics")


def test_metrics_token_is_not_in_the_repr():
    assert "s3cr3t" not in repr(Settings.from_env({"METRICS_TOKEN": "s3cr3t-metrics-token"}))


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("METRICS_TOKEN", "short", "must be at least 16 characters without spaces"),
    ("METRICS_TOKEN", "a long token with spaces", "must be at least 16 characters without spaces"),
    ("LOG_LEVEL", "verbose", "allowed values are debug, info, warning, error"),
    ("LOG_MAX_BYTES", "100", "must be a whole number from 1024 to 1073741824"),
    ("LOG_MAX_BYTES", "10MB", "must be a whole number from 1024 to 1073741824"),
])
def test_invalid_operations_settings_name_the_variable(variable, value, expected):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({variable: value})
    assert error.value.variable == variable
    assert expected in str(error.value)
    if variable == "METRICS_TOKEN":
        assert value not in str(error.value)


def test_an_unusable_log_folder_stops_start_up_naming_it(tmp_path):
    (tmp_path / "a-file").write_text("")
    environ = {**os.environ, "ANALYTICS_HUB_ENV": "test", "DATA_DIR": str(tmp_path / "var"),
               "LOG_DIR": str(tmp_path / "a-file" / "logs"), "PORT": str(free_port())}
    result = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"],
                            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f"analytics-hub cannot start: LOG_DIR={tmp_path / 'a-file' / 'logs'} cannot be used" in result.stderr
    assert "Traceback" not in result.stderr
