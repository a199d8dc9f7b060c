"""The seed command asks before it replaces data and keeps the data when told no."""

import os
import subprocess
import sys

from data.engine import get_engine
from tests.conftest import ROOT, make_settings, sql_scalar


def run_seed(tmp_path, *args, answer=""):
    env = {**os.environ, "DATA_DIR": str(tmp_path / "var"), "ANALYTICS_HUB_ENV": "test"}
    return subprocess.run([sys.executable, "scripts/seed_db.py", *args], cwd=ROOT, env=env,
                          input=answer, capture_output=True, text=True, timeout=120)


def test_seed_command_asks_before_overwriting(tmp_path):
    url = make_settings(tmp_path).database_url
    first = run_seed(tmp_path)
    assert first.returncode == 0 and "Seeded 24,024" in first.stdout
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql("UPDATE sustainability_indicators SET value = 42 WHERE id = 7")

    refused = run_seed(tmp_path, answer="n\n")
    assert refused.returncode == 1 and "Nothing changed" in refused.stdout
    assert sql_scalar(url, "SELECT value FROM sustainability_indicators WHERE id = 7") == 42

    forced = run_seed(tmp_path, "--yes")
    assert forced.returncode == 0
    assert sql_scalar(url, "SELECT value FROM sustainability_indicators WHERE id = 7") != 42
