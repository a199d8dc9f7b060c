"""Starting the real server: first run seeds, bad settings and bad databases stop start-up
with a message naming the problem, never a traceback."""

import json
import os
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import ROOT, free_port, sql_scalar, start_server, stop_server


def run_server_expecting_exit(tmp_path, **env) -> subprocess.CompletedProcess:
    environ = {**os.environ, "ANALYTICS_HUB_ENV": "test", "DATA_DIR": str(tmp_path / "var"),
               "PORT": str(free_port()), **env}
    return subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"],
                          cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("PORT", "eighty", "Invalid setting PORT='eighty': must be a whole number from 1 to 65535."),
    ("ANALYTICS_HUB_ENV", "prod", "allowed values are development, test, staging, production"),
    ("CACHE_TYPE", "memcached", "Invalid setting CACHE_TYPE='memcached'"),
])
def test_invalid_setting_stops_start_up_with_its_name(tmp_path, variable, value, expected):
    result = run_server_expecting_exit(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_stops_start_up(tmp_path):
    result = run_server_expecting_exit(tmp_path, DATABASE_URL="postgresql://nobody@127.0.0.1:9/none")
    assert result.returncode != 0
    assert "analytics-hub cannot start: the database cannot be read" in result.stderr


def test_first_run_seeds_a_missing_data_directory(tmp_path):
    process, url = start_server(tmp_path)
    try:
        health = json.load(urllib.request.urlopen(f"{url}/healthz"))
        assert health["status"] == "healthy"
        db = tmp_path / "var" / "analytics_hub.db"
        assert sql_scalar(f"sqlite:///{db}", "SELECT COUNT(*) FROM sustainability_indicators") == 24024
    finally:
        stop_server(process)


def test_an_unusable_log_folder_stops_start_up_naming_it(tmp_path):
    (tmp_path / "a-file").write_text("")
    result = run_server_expecting_exit(tmp_path, LOG_DIR=str(tmp_path / "a-file" / "logs"))
    assert result.returncode != 0
    assert f"analytics-hub cannot start: LOG_DIR={tmp_path / 'a-file' / 'logs'} cannot be used" in result.stderr
    assert "Traceback" not in result.stderr
