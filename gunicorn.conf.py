"""gunicorn configuration: bind, workers, start-up checks, logs and multi-process metrics,
from the hub's settings."""

import atexit
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
worker_class = "ops.worker.HubThreadWorker"  # gthread, timing requests from when they were queued
threads = 4
timeout = 60
graceful_timeout = 20
pidfile = str(settings.data_dir / "gunicorn.pid")  # restore_db.py refuses to replace a served database
control_socket_disable = True  # gunicornc is not used; its default socket would be shared by every instance
accesslog = None  # the app writes LOG_DIR/access.log itself, with request ids and no secrets


def on_starting(_server):
    """Fresh metrics and log files; a failed start never leaves its pid file behind."""
    atexit.register(_remove_own_pid_file)
    from ops.logs import configure_logging, log_to_console

    with _cannot_start():
        with _folder("PROMETHEUS_MULTIPROC_DIR", settings.metrics_dir):
            shutil.rmtree(settings.metrics_dir, ignore_errors=True)
            settings.metrics_dir.mkdir(parents=True)
        with _folder("LOG_DIR", settings.log_dir):
            configure_logging(settings)
        log_to_console()


def when_ready(_server):
    """The port is ours: create and seed the database on first run, check an existing one.
    A damaged SQLite file does not stop the server: /healthz answers 503 naming the
    integrity check and every page says to restore a backup."""
    import logging

    from data.database import ensure_database
    from ops.integrity import check_at_start
    from security.accounts import prepare_sign_in

    _import_the_app()
    log = logging.getLogger("analytics_hub")
    first_run = settings.sqlite_file is not None and not settings.sqlite_file.exists()
    damage = None if first_run else check_at_start(settings)
    if damage is not None:
        log.error("%s; serving /healthz (503) and the restore notice on http://%s", damage, bind)
        return
    with _cannot_start():
        outcome = ensure_database(settings, then=prepare_sign_in)  # one replica at a time
    if first_run:
        check_at_start(settings)  # the file just created, so that no check reports "no database file yet"
    log.info("%s; serving on http://%s", outcome, bind)
    _start_insight_job()
    _watch_insight_job(log)


def _watch_insight_job(log):
    """A thread of the master that starts the insight job again when it has died (killed, out
    of memory): every INSIGHT_WATCH_INTERVAL seconds it asks whether the job's lock is held."""
    import threading
    import time

    from data.insight import lock_path, running

    path = lock_path(settings.data_dir, os.getpid())
    atexit.register(lambda: path.unlink(missing_ok=True))

    def watch():
        while True:
            time.sleep(settings.insight_watch_interval)
            if not running(path):
                log.warning("the insight job is not running: starting it again")
                _start_insight_job()

    threading.Thread(target=watch, name="insight-watch", daemon=True).start()


def _start_insight_job():
    """Forecasts and unusual values are computed in a process of their own (data/insight.py),
    so that no worker spends its CPU or memory on them; it ends with the master (and notices a
    killed master within seconds). It runs at a lower priority than the workers and with one
    BLAS thread (several spin and multiply its CPU time tenfold on a busy machine)."""
    import subprocess

    env = {**os.environ, **{name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}}
    job = subprocess.Popen([sys.executable, "-m", "data.insight", str(os.getpid())], env=env,
                           cwd=os.path.dirname(os.path.abspath(__file__)), preexec_fn=lambda: os.nice(10),
                           start_new_session=True)
    atexit.register(_end_group, job.pid)


def _end_group(group: int) -> None:
    """End the background job (it detached from the master inside its own process group)."""
    import signal

    with contextlib.suppress(OSError):
        os.killpg(group, signal.SIGTERM)


def post_worker_init(_worker):
    """create_app set up the log files in this worker; also show its log on the console, and
    run the database's integrity check on its schedule."""
    from ops.integrity import start_schedule
    from ops.logs import log_to_console

    log_to_console()
    start_schedule(settings)


def child_exit(_server, worker):
    """A worker ended: its counters stay counted, its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _import_the_app():
    """Import the app's code (not build it) in the master: every worker forked from it, a
    replacement for a killed one included, starts with Dash, pandas and plotly loaded and
    serves in a fraction of a second instead of importing them for seconds."""
    import app  # noqa: F401


@contextlib.contextmanager
def _cannot_start():
    """Any failure here ends start-up with a readable reason and exit code 3."""
    try:
        yield
    except Exception as error:
        sys.stderr.write(f"analytics-hub cannot start: {error}\n")
        sys.exit(3)


@contextlib.contextmanager
def _folder(variable, path):
    """Turn an OS error on a configured folder into a message naming its setting."""
    try:
        yield
    except OSError as error:
        raise RuntimeError(f"{variable}={path} cannot be used: {error.strerror or error}") from None


def _remove_own_pid_file():
    """At the master's exit (a failed start included), remove the pid file if it is still ours."""
    path = settings.data_dir / "gunicorn.pid"
    with contextlib.suppress(OSError, ValueError):
        if int(path.read_text().strip()) == os.getpid():
            path.unlink()
