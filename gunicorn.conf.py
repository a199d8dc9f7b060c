"""gunicorn configuration: bind, workers and the start-up checks, from the hub's settings."""

import logging
import sys

from settings import Settings, SettingsError

try:
    settings = Settings.from_env()
except SettingsError as error:
    sys.stderr.write(f"analytics-hub cannot start: {error}\n")
    sys.exit(2)

bind = f"{settings.host}:{settings.port}"
workers = settings.workers
worker_class = "gthread"
threads = 4
timeout = 60
graceful_timeout = 20
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


def on_starting(_server):
    """Create and seed the database on first run; refuse to start on an unusable one."""
    from data.database import ensure_database

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        outcome = ensure_database(settings)
    except Exception as error:  # any failure here must end start-up with a readable reason
        sys.stderr.write(f"analytics-hub cannot start: {error}\n")
        sys.exit(3)
    logging.getLogger("analytics_hub").info("%s; serving on http://%s", outcome, bind)
