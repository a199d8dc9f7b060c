"""gunicorn configuration: bind, workers, start-up checks, logs and multi-process metrics,
from the hub's settings."""

import contextlib
import os
import shutil
import sys

from settings import Settings, SettingsError

try:
    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # gunicorn writes its pid file there first
except (SettingsError, OSError) as error:
    sys.stderr.write(f"analytics-hub cannot start: {error}\n")
    sys.exit(2)

# prometheus_client picks its multi-process mode when first imported: set the folder before any
# worker imports it, so that every worker writes its samples there and /metrics adds them up.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(settings.metrics_dir)

bind = f"{settings.host}:{settings.port}"
workers = settings.workers
worker_class = "gthread"
threads = 4
timeout = 60
graceful_timeout = 20
pidfile = str(settings.data_dir / "gunicorn.pid")  # restore_db.py refuses to replace a served database
accesslog = None  # the app writes LOG_DIR/access.log itself, with request ids and no secrets


def on_starting(_server):
    """Fresh metrics, log files, then create and seed the database on first run; refuse to
    start on an unusable one."""
    import logging

    from data.database import ensure_database
    from ops.logs import configure_logging, log_to_console
    from security.accounts import prepare_sign_in

    try:
        with _folder("PROMETHEUS_MULTIPROC_DIR", settings.metrics_dir):
            shutil.rmtree(settings.metrics_dir, ignore_errors=True)
            settings.metrics_dir.mkdir(parents=True)
        with _folder("LOG_DIR", settings.log_dir):
            configure_logging(settings)
        log_to_console()
        outcome = ensure_database(settings, then=prepare_sign_in)  # one replica at a time
    except Exception as error:  # any failure here must end start-up with a readable reason
        sys.stderr.write(f"analytics-hub cannot start: {error}\n")
        sys.exit(3)
    logging.getLogger("analytics_hub").info("%s; serving on http://%s", outcome, bind)


@contextlib.contextmanager
def _folder(variable, path):
    """Turn an OS error on a configured folder into a message naming its setting."""
    try:
        yield
    except OSError as error:
        raise RuntimeError(f"{variable}={path} cannot be used: {error.strerror or error}") from None


def post_worker_init(_worker):
    """create_app set up the log files in this worker; also show its log on the console."""
    from ops.logs import log_to_console

    log_to_console()


def child_exit(_server, worker):
    """A worker ended: its counters stay counted, its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
