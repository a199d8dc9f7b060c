"""Restore the hub's database from a backup made by scripts/backup_db.py.

    python scripts/restore_db.py /backups/20260105.sql             (says what it rolls back, asks)
    python scripts/restore_db.py /backups/daily/analytics_hub_20260105_020000.db.gz --yes --force

SQLite: the backup is decompressed next to the database and must pass PRAGMA
integrity_check and hold the hub's tables before it replaces the database; the replaced
database is kept as <name>.before-restore-<UTC time>. PostgreSQL: pg_restore --list must
read the archive, then pg_restore --clean replaces the objects in one transaction.
A database in use (a running gunicorn from its pid file, or any process holding the file
open; for PostgreSQL, other sessions) is not replaced unless --force is given.
Before anything changes it prints what it rolls back (observations, load batches) and what
it keeps: the current accounts (sign-in is never turned off by a restore) and the audit
entries newer than the backup, carried over with a `restore` entry. It asks for y at a
terminal; elsewhere (cron, scripts) it needs --yes. Afterwards it records an integrity check
of the restored database (the app's restore notice goes) and clears the shared cache.
Exit code 0 on success, 1 when nothing was restored, 2 for a
bad setting or argument.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data.runtime import runtime  # noqa: E402
from ops import integrity  # noqa: E402
from ops.backup import BackupError, restore  # noqa: E402
from settings import Settings, settings_or_exit  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("backup", type=Path, help="the backup file")
    parser.add_argument("--force", action="store_true", help="replace the database even while it is in use")
    parser.add_argument("--yes", action="store_true", help="do not ask before restoring")
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    try:
        result = restore(settings, args.backup, args.force, confirm=lambda summary: _confirm(summary, args.yes))
    except (BackupError, OSError) as error:
        print(f"restore failed, nothing was changed: {error}", file=sys.stderr)
        return 1
    count = "" if result.observations is None else f", {result.observations:,} observations"
    print(f"Restored {result.database} from {args.backup} (integrity verified{count}).")
    if result.carried:
        print(f"Carried over: {result.carried['accounts']:,} accounts, {result.carried['audit_entries']:,} newer "
              "audit entries, and a 'restore' audit entry.")
    if result.set_aside is not None:
        print(f"The previous database is kept as {result.set_aside}.")
    integrity.record(settings, integrity.check_now(settings))
    print(_clear_cache(settings))
    if result.users:
        print(f"It was in use ({'; '.join(result.users)}): restart the app now (docker-compose restart app).")
    return 0


def _confirm(summary: str, yes: bool) -> bool:
    print(summary)
    if yes:
        return True
    if not sys.stdin.isatty():
        print("Not run at a terminal: pass --yes to restore.", file=sys.stderr)
        return False
    return input("Restore? [y/N] ").strip().lower() in ("y", "yes")


def _clear_cache(settings: Settings) -> str:
    if settings.cache_type == "simple":
        return "The cache lives in each worker (CACHE_TYPE=simple): restart the app to empty it."
    try:
        entries = runtime.init(settings).cache.clear()
    except Exception as error:  # the restore is done; say what is left to do
        return f"The cache could not be cleared ({error}): use Clear Cache on the Settings page."
    return f"Cleared the cache ({entries if entries is not None else 'uncounted'} entries)."


if __name__ == "__main__":
    sys.exit(main())
